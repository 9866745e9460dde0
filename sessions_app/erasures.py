"""Erasure suppression on the write path: work for an erased UUID is never stored.

An erasure and the storing of work for its project take one PostgreSQL advisory lock of
the project, exclusive and shared: a chunk being stored while a UUID is erased either
finished before the erasure (and the erasure deletes what it stored) or reads the erasure
and drops that UUID's work. The embedded SQLite has one writer at a time already.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import connections

from atrack.times import parse_time
from sessions_app.models import Erasure

# Upper 32 bits of the advisory lock key: the erasure lock's own space.
_LOCK_SPACE = 0x41_54_45_52 << 32


def _lock_key(project_id: int) -> int:
    key = _LOCK_SPACE | (project_id & 0xFFFF_FFFF)
    return key - (1 << 64) if key >= 1 << 63 else key  # a signed bigint


def erasure_lock(*, alias: str, project_id: int, exclusive: bool) -> None:
    """Inside a transaction: take the project's erasure lock until it ends."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s)", [_lock_key(project_id)])


def without_erased(
    *, alias: str, project_id: int, items: Sequence[Mapping[str, Any]]
) -> tuple[list[Mapping[str, Any]], set[str]]:
    """The items that may be stored, and the UUIDs whose items were suppressed."""
    uuids = {str(item["uuid"]) for item in items}
    erasures = _erasures(alias, project_id, uuids)
    if not erasures:
        return list(items), set()
    kept, refused = [], set()
    for item in items:
        erasure = erasures.get(str(item["uuid"]))
        if erasure is not None and erasure.suppresses(parse_time(item["received_at"])):
            refused.add(str(item["uuid"]))
        else:
            kept.append(item)
    return kept, refused


def _erasures(alias: str, project_id: int, uuids: Iterable[str]) -> dict[str, Erasure]:
    rows = Erasure.objects.using(alias).filter(project_id=project_id, uuid__in=list(uuids))
    return {str(row.uuid): row for row in rows}
