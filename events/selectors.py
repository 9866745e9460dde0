"""Reads of events: the session timeline and the paginated event list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connections

from atrack.times import iso
from events.models import Event, EventNameCount
from projects.routing import HasAlias, alias_for
from sessions_app.models import Session
from sessions_app.selectors import session_user_agent


def _ordering(sort: str) -> tuple[str, str]:
    return ("occurred_at", "id") if sort == "asc" else ("-occurred_at", "-id")


def session_events(
    *, project: HasAlias, session: Session, limit: int, sort: str
) -> list[dict[str, Any]]:
    """The session's latest (or first) `limit` events, in the documented short shape."""
    rows = (
        Event.objects.using(alias_for(project))
        .filter(session_id=session.pk)
        .order_by(*_ordering(sort))
    )
    fields = ("id", "uuid", "name", "attributes", "occurred_at")
    return [
        {
            "id": pk,
            "uuid": str(uuid),
            "name": name,
            "attributes": attributes,
            "occurred_at": iso(occurred),
        }
        for pk, uuid, name, attributes, occurred in rows.values_list(*fields)[:limit]
    ]


@dataclass(frozen=True)
class EventPage:
    data: list[dict[str, Any]]
    total: int  # matching events, on every page


def _defaults(session_ids: set[int], alias: str) -> dict[int, tuple[str | None, str]]:
    """Each session's IP and user agent: what an event without its own falls back to."""
    sessions = (
        Session.objects.using(alias)
        .filter(pk__in=session_ids)
        .only("pk", "ip_address", "last_context")
    )
    return {s.pk: (s.ip_address, session_user_agent(s)) for s in sessions}


def _event_row(event: Event, defaults: dict[int, tuple[str | None, str]]) -> dict[str, Any]:
    ip, agent = defaults.get(event.session_id, (None, ""))
    return {
        "id": event.pk,
        "session_id": event.session_id,
        "uuid": str(event.uuid),
        "name": event.name,
        "attributes": event.attributes,
        "ip_address": event.ip_address or ip or None,
        "user_agent": event.user_agent or agent or None,
        "occurred_at": iso(event.occurred_at),
        "created_at": iso(event.created_at),
        "updated_at": iso(event.updated_at),
    }


def _total(project: HasAlias, name: str, rows: Any, filtered: bool) -> int:
    """The number of matching events. Unfiltered on PostgreSQL: the trigger-kept counter
    (a count over a million rows costs ~150 ms; the counter, one index lookup)."""
    if filtered or connections[rows.db].vendor != "postgresql":
        return int(rows.count())
    counter = EventNameCount.objects.using(rows.db).filter(project_id=project.id, name=name)
    return int(counter.values_list("count", flat=True).first() or 0)


def _page(rows: Any, sort: str, start: int, per_page: int) -> list[Event]:
    # Deferred join: skip `start` rows on the index alone (ids only), then fetch the page.
    ordering = _ordering(sort)
    ids = list(rows.order_by(*ordering).values_list("id", flat=True)[start : start + per_page])
    return list(Event.objects.using(rows.db).filter(pk__in=ids).order_by(*ordering))


def _narrowed(
    rows: Any, project: HasAlias, uuid: str | None, since: datetime | None, until: datetime | None
) -> Any:
    """`rows` of one session (`uuid`) and between `since` and `until`, those given."""
    if uuid is not None:
        # The session id, not the denormalised uuid, so the (session, occurred_at) index serves.
        sessions = Session.objects.for_project(project).filter(uuid=uuid)
        rows = rows.filter(session_id=sessions.values_list("pk", flat=True).first() or 0)
    if since is not None:
        rows = rows.filter(occurred_at__gte=since)
    return rows if until is None else rows.filter(occurred_at__lte=until)


def event_list(
    *,
    project: HasAlias,
    name: str,
    uuid: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    page: int,
    per_page: int,
    sort: str,
) -> EventPage:
    """One page of the project's events called `name` (of one session, between two
    times, when given), and how many match."""
    rows = Event.objects.for_project(project).filter(name=name)
    rows = _narrowed(rows, project, uuid, since, until)
    narrows = (uuid, since, until) != (None, None, None)
    total = _total(project, name, rows, narrows)
    start = (page - 1) * per_page
    events = _page(rows, sort, start, per_page) if start < total else []
    defaults = _defaults({e.session_id for e in events}, rows.db) if events else {}
    return EventPage(data=[_event_row(e, defaults) for e in events], total=total)
