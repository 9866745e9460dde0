"""Celery tasks: retention. Each calls one service. (Queued writes are stored by the
ingest consumer, `manage.py ingest`, not by tasks.)"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from events.services import retention_prune


@shared_task(name="atrack.retention.prune", ignore_result=True)
def prune_retention() -> dict[str, int]:
    """Daily: delete events older than each project's retention period."""
    return retention_prune(now=timezone.now())
