"""Celery tasks of the ingest pipeline. Each takes JSON and calls one service."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Mapping, Sequence
from typing import Any

from celery import Task, shared_task
from celery.exceptions import Reject, Retry
from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from atrack.observability import FAILED_WORK
from events.ingest import ledger
from events.ingest.processing import UnknownProject, by_project, process_items
from events.services import retention_prune
from projects.models import FailedWork

logger = logging.getLogger(__name__)


def backoff(retries: int) -> float:
    """Seconds before retry `retries + 1`: doubling, jittered, under the visibility timeout."""
    ceiling = max(1.0, settings.CELERY_VISIBILITY_TIMEOUT * 0.8)
    return min(2.0**retries, ceiling) * random.uniform(0.75, 1.0)


def park(
    items: Sequence[Mapping[str, Any]], reason: str, error: BaseException, attempts: int
) -> None:
    """Keep work that cannot be processed in the failed-work store (never drop it)."""
    project_ids = {item.get("project_id") for item in items}
    FAILED_WORK.labels(reason).inc()
    FailedWork.objects.create(
        project_id=project_ids.pop() if len(project_ids) == 1 else None,
        reason=reason,
        detail=f"{type(error).__name__}: {error}"[:5000],
        payload=list(items),
        attempts=attempts,
    )


@shared_task(
    name="atrack.ingest.process",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    max_retries=None,
)
def process(self: Task, items: list[dict[str, Any]]) -> None:
    """Store a batch of work items, project by project; a failing project's items are
    retried with back-off on database errors, then parked, without holding back the rest."""
    attempts = self.request.retries + 1
    retry: list[Mapping[str, Any]] = []
    for group in by_project(items).values():
        try:
            process_items(group)
        except UnknownProject as exc:
            _park_or_requeue(group, FailedWork.UNKNOWN_PROJECT, exc, attempts)
        except DatabaseError as exc:
            if attempts <= settings.INGEST_MAX_RETRIES:
                retry += group
            else:
                _park_or_requeue(group, FailedWork.DATABASE_ERROR, exc, attempts)
        except Exception as exc:
            logger.exception("ingest batch failed; parked")
            _park_or_requeue(group, FailedWork.PROCESSING_ERROR, exc, attempts)
    if not retry:
        ledger.settle(self.request.id)  # stored or parked: nothing left to re-publish
        return
    try:
        raise self.retry(args=[retry], countdown=backoff(self.request.retries))
    except Retry:
        raise
    except Exception as exc:  # the broker refused the retry message itself
        _park_or_requeue(retry, FailedWork.DATABASE_ERROR, exc, attempts)
        ledger.settle(self.request.id)


@shared_task(name="atrack.ingest.sweep", ignore_result=True)
def sweep() -> int:
    """Publish again queued work whose message was lost (see events.ingest.ledger)."""
    lost = ledger.lost(
        lease=settings.INGEST_LEASE_SECONDS, queue=settings.CELERY_TASK_DEFAULT_QUEUE
    )
    for task_id, items in lost:
        ledger.touch(task_id)
        process.apply_async(args=[items], task_id=task_id)
    if lost:
        logger.warning("re-published %d ingest messages lost by a killed worker", len(lost))
    return len(lost)


def _park_or_requeue(
    items: Sequence[Mapping[str, Any]], reason: str, error: BaseException, attempts: int
) -> None:
    try:
        park(items, reason, error, attempts)
    except DatabaseError as exc:
        # Not even the failed-work store answers: hand the message back to the broker
        # (after a pause, so a long outage is not a busy loop).
        time.sleep(settings.INGEST_REQUEUE_PAUSE)
        raise Reject(reason="database unavailable", requeue=True) from exc


@shared_task(name="atrack.retention.prune", ignore_result=True)
def prune_retention() -> dict[str, int]:
    """Daily: delete events older than each project's retention period."""
    return retention_prune(now=timezone.now())
