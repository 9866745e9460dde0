"""Reads of sessions, always through the project's scoping point."""

from __future__ import annotations

from typing import Any

from atrack.times import iso
from projects.routing import HasAlias, alias_for
from sessions_app.models import Session


def session_get(*, project: HasAlias, uuid: str) -> Session | None:
    return Session.objects.for_project(project).filter(uuid=uuid).first()


def session_client(session: Session) -> dict[str, Any]:
    """The `client` of the session's newest init ({} when it had none)."""
    context = session.last_context if isinstance(session.last_context, dict) else {}
    client = context.get("client")
    return client if isinstance(client, dict) else {}


def session_user_agent(session: Session) -> str:
    """The user agent of the session's newest init ("" when it had none)."""
    agent = session_client(session).get("userAgent")
    return agent if isinstance(agent, str) else ""


def session_attributes(*, project: HasAlias, session: Session) -> dict[str, Any]:
    rows = session.attribute_rows.using(alias_for(project)).order_by("key")
    return dict(rows.values_list("key", "value"))


# Every documented key of the session is always present, null when unknown, whatever
# wrote the session (an /event before any /init included): typed SDKs rely on one shape.
URL_KEYS = ("raw", "href", "path", "query", "hash", "referer", "source_url")
IP_KEYS = ("ip", "city", "isp", "asn", "anonymous", "is_private", "is_reserved")
DEVICE_KEYS = (
    "model", "brand", "device_class", "is_mobile", "is_desktop", "is_tablet", "is_bot", "bot",
)  # fmt: skip
DEVICE_PARTS = {"os": ("name", "version"), "client": ("name", "version")}
TEXT_FIELDS = ("source", "medium", "channel", "referer")
OBJECT_FIELDS = ("client_attributes", "user_attributes", "custom_data")


def _shaped(value: Any, keys: tuple[str, ...]) -> dict[str, Any]:
    """`value` (a stored JSON object, or anything else) with every key in `keys`."""
    stored = value if isinstance(value, dict) else {}
    return {**dict.fromkeys(keys), **stored}


def _device(value: Any) -> dict[str, Any]:
    device = _shaped(value, DEVICE_KEYS)
    for part, keys in DEVICE_PARTS.items():
        device[part] = _shaped(device.get(part), keys)
    return device


def _object(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {}


def session_data(session: Session) -> dict[str, Any]:
    """The documented `data.session` shape (and a few more keys), the same for every
    session: objects are objects, unknown values null."""
    url = _shaped(session.url_data, URL_KEYS)
    url["query_all"] = _object(url.get("query_all"))
    return {
        "id": session.pk,
        "uuid": str(session.uuid),
        "url_data": url,
        **{name: _object(getattr(session, name)) for name in ("utm_data", "query_params")},
        "click_ids": _object(session.click_ids),
        **{name: getattr(session, name) or None for name in TEXT_FIELDS},
        "first_touch": session.first_touch or None,
        "ip_address": session.ip_address or None,
        "ip_data": _shaped(session.ip_data, IP_KEYS),
        "device_data": _device(session.device_data),
        **{name: _object(getattr(session, name)) for name in OBJECT_FIELDS},
        "created_at": iso(session.created_at),
        "updated_at": iso(session.updated_at),
    }
