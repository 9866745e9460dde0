"""Writes of events, in the project's database alias."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings

from atrack.bulk import insert_rows, model_columns
from atrack.times import parse_time
from events.models import Event, FailedWork
from projects.models import Project
from projects.selectors import ProjectInfo

# events_store gives each row's values in this order, the model's.
EVENT_COLUMNS = model_columns(Event)


def events_store(
    *, alias: str, project_id: int, items: Sequence[tuple[int, Mapping[str, Any]]]
) -> None:
    """Insert event work items (with their session ids); a repeated event id is stored once."""
    rows = []
    for session_id, item in items:
        received = parse_time(item["received_at"])
        rows.append(
            (
                project_id, session_id, item["uuid"], item["name"], item["attributes"],
                item["ip"], item["user_agent"], parse_time(item["occurred_at"]), received,
                item["message_id"], received, received,
            )
        )  # fmt: skip
    insert_rows(
        alias=alias,
        model=Event,
        columns=EVENT_COLUMNS,
        rows=rows,
        unique=("project_id", "message_id"),
    )


def events_prune(
    *, project: ProjectInfo, before: datetime, dry_run: bool = False, batch_size: int = 10_000
) -> int:
    """Delete the project's events that occurred before `before`, in short batches."""
    rows = Event.objects.for_project(project).filter(occurred_at__lt=before)
    if dry_run:
        return rows.count()
    deleted = 0
    while True:
        ids = list(rows.order_by("id").values_list("id", flat=True)[:batch_size])
        if not ids:
            return deleted
        count, _ = Event.objects.using(rows.db).filter(pk__in=ids).delete()
        deleted += count


def retention_prune(*, now: datetime, dry_run: bool = False) -> dict[str, int]:
    """Apply every project's retention period to its events and parked failed work; slug →
    events deleted (or due). Unreadable queue entries (no project) go after
    FAILED_WORK_UNATTRIBUTED_DAYS."""
    result = {}
    for project in Project.objects.filter(retention_days__isnull=False):
        info = ProjectInfo.of(project)
        before = now - timedelta(days=project.retention_days or 0)
        result[project.slug] = events_prune(project=info, before=before, dry_run=dry_run)
        if not dry_run:
            FailedWork.objects.for_project(info).filter(created_at__lt=before).delete()
    if not dry_run:
        cutoff = now - timedelta(days=settings.FAILED_WORK_UNATTRIBUTED_DAYS)
        unattributed = FailedWork.objects.using("default").filter(project_id__isnull=True)
        unattributed.filter(created_at__lt=cutoff).delete()
    return result
