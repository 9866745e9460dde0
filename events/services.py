"""Writes of events, in the project's database alias."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from atrack.times import parse_time
from events.models import Event


def events_store(
    *, alias: str, project_id: int, items: Sequence[tuple[int, Mapping[str, Any]]]
) -> None:
    """Insert event work items (with their session ids); a repeated event id is stored once."""
    rows = []
    for session_id, item in items:
        received = parse_time(item["received_at"])
        rows.append(
            Event(
                project_id=project_id,
                session_id=session_id,
                uuid=item["uuid"],
                name=item["name"],
                attributes=item["attributes"],
                ip_address=item["ip"],
                user_agent=item["user_agent"],
                occurred_at=parse_time(item["occurred_at"]),
                received_at=received,
                message_id=item["message_id"],
                created_at=received,
                updated_at=received,
            )
        )
    Event.objects.using(alias).bulk_create(rows, ignore_conflicts=True, batch_size=500)
