"""Re-enrichment of stored sessions from their raw contexts (after a GeoIP update, say)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet

from atrack.bulk import update_rows
from atrack.geodb import geo_databases
from enrichment.pipeline import enrich_ip_only, reattribute
from projects.models import Project
from sessions_app.models import NETWORK_FIELDS, TOUCH_FIELDS, Session
from sessions_app.selectors import session_client
from sessions_app.services import apply_network


def _reattribute(session: Session) -> None:
    stored = {name: getattr(session, name) for name in TOUCH_FIELDS}
    for name, value in reattribute(stored).items():
        setattr(session, name, (value or "") if name == "medium" else value)


def _sessions(alias: str, project_id: int | None, since: datetime | None) -> QuerySet[Session]:
    """The sessions with an init (of one project, seen since `since`, those given)."""
    rows = Session.objects.using(alias).filter(last_context__isnull=False)
    if project_id is not None:
        rows = rows.filter(project_id=project_id)
    return rows if since is None else rows.filter(last_seen_at__gte=since)


def sessions_reenrich(
    *, alias: str, project_id: int | None, since: datetime | None, after_id: int, batch_size: int
) -> Iterator[tuple[int, int]]:
    """Recompute IP, device and attribution of sessions with an init, batch by batch in id
    order, with today's GeoIP databases, referer table and project settings.

    Yields (sessions done in the batch, last id) so callers can show progress and resume.
    """
    rows = _sessions(alias, project_id, since)
    geo = geo_databases()
    hosting_is_bot = dict(Project.objects.values_list("pk", "hosting_is_bot"))
    while True:
        batch = list(
            rows.filter(pk__gt=after_id)
            .order_by("pk")
            .only("pk", "project_id", "last_context", *TOUCH_FIELDS)[:batch_size]
        )
        if not batch:
            return
        for session in batch:
            bot_setting = hosting_is_bot.get(session.project_id, False)
            apply_network(
                session,
                enrich_ip_only(client=session_client(session), geo=geo, hosting_is_bot=bot_setting),
            )
            _reattribute(session)
        with transaction.atomic(using=alias):
            update_rows(
                alias=alias, model=Session, columns=NETWORK_FIELDS + TOUCH_FIELDS, objs=batch
            )
        after_id = batch[-1].pk
        yield len(batch), after_id


def reenrich_count(
    *, alias: str, project_id: int | None, since: datetime | None, after_id: int
) -> int:
    return _sessions(alias, project_id, since).filter(pk__gt=after_id).count()
