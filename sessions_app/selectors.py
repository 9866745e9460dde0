"""Reads of sessions, always through the project's scoping point."""

from __future__ import annotations

from typing import Any

from atrack.times import iso
from projects.routing import HasAlias
from sessions_app.models import Session

SESSION_FIELDS = (
    "url_data", "utm_data", "query_params", "click_ids", "source", "medium", "channel",
    "referer", "first_touch", "ip_address", "ip_data", "device_data", "client_attributes",
    "user_attributes", "custom_data",
)  # fmt: skip


def session_get(*, project: HasAlias, uuid: str) -> Session | None:
    return Session.objects.for_project(project).filter(uuid=uuid).first()


def session_user_agent(session: Session) -> str:
    """The user agent of the session's newest init ("" when it had none)."""
    context = session.last_context if isinstance(session.last_context, dict) else {}
    client = context.get("client")
    agent = client.get("userAgent") if isinstance(client, dict) else None
    return agent if isinstance(agent, str) else ""


def session_attributes(*, session: Session) -> dict[str, Any]:
    rows = session.attribute_rows.using(session._state.db).order_by("key")
    return dict(rows.values_list("key", "value"))


def session_data(session: Session) -> dict[str, Any]:
    """The documented `data.session` shape (and a few more keys)."""
    data: dict[str, Any] = {"id": session.pk, "uuid": str(session.uuid)}
    data.update({name: getattr(session, name) for name in SESSION_FIELDS})
    data["referer"] = session.referer or None
    data["medium"] = session.medium or None
    data["url_data"] = dict(session.url_data or {})
    data["url_data"].setdefault("query_all", {})
    data["created_at"] = iso(session.created_at)
    data["updated_at"] = iso(session.updated_at)
    return data
