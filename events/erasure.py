"""Erasure of a visitor (right to be forgotten): stored, queued and parked work alike.

What is stored is deleted; an `Erasure` row makes the workers drop anything for the UUID
that is still queued, and refuse later writes (410 `erased`) until the suppression is
lifted. Parked failed work of the UUID goes too. See docs/api.md and docs/operations.md.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import connections, transaction
from django.utils import timezone

from events.ingest import stream
from events.models import Event, FailedWork
from projects.routing import HasAlias, alias_for
from sessions_app.erasures import erasure_lock
from sessions_app.models import Attribute, Erasure, Session

logger = logging.getLogger(__name__)


def erasure_create(*, project: HasAlias, uuid: str, at: datetime | None = None) -> dict[str, int]:
    """Erase `uuid` in `project` and suppress its later writes; what was deleted, by kind."""
    alias = alias_for(project)
    erased_at = at or timezone.now()
    with transaction.atomic(using=alias):
        erasure_lock(alias=alias, project_id=project.id, exclusive=True)
        Erasure.objects.using(alias).update_or_create(
            project_id=project.id, uuid=uuid, defaults={"erased_at": erased_at, "lifted_at": None}
        )
        ids = list(
            Session.objects.for_project(project).filter(uuid=uuid).values_list("id", flat=True)
        )
        deleted = sessions_delete(alias=alias, session_ids=ids)
        failed = FailedWork.objects.for_project(project).filter(uuid=uuid)
        parked = sum(len(payload) for payload in failed.values_list("payload", flat=True))
        failed.delete()
    stream.mark_erased(project.id, uuid)
    _checkpoint(alias)
    return {**deleted, "parked": parked}


def sessions_delete(*, alias: str, session_ids: list[int]) -> dict[str, int]:
    """Delete sessions with their attributes and events; how many of each."""
    with transaction.atomic(using=alias):
        events, _ = Event.objects.using(alias).filter(session_id__in=session_ids).delete()
        attributes, _ = Attribute.objects.using(alias).filter(session_id__in=session_ids).delete()
        sessions, _ = Session.objects.using(alias).filter(pk__in=session_ids).delete()
    return {"sessions": sessions, "attributes": attributes, "events": events}


def erasure_lift(*, project: HasAlias, uuid: str) -> bool:
    """Let writes for an erased `uuid` be stored again; False when it was not suppressed."""
    alias = alias_for(project)
    lifted = (
        Erasure.objects.for_project(project)
        .filter(uuid=uuid, lifted_at__isnull=True)
        .update(lifted_at=timezone.now())
    )
    stream.unmark_erased(project.id, uuid)
    logger.info("erasure lifted on %s", alias)
    return bool(lifted)


def _checkpoint(alias: str) -> None:
    """SQLite keeps deleted pages in its write-ahead log until a checkpoint copies the
    database over them: run one so erased rows leave the WAL file now."""
    connection = connections[alias]
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
