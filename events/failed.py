"""Parked failed work: replay."""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from events.ingest.processing import UnknownProject, process_items
from events.models import FailedWork


def failed_work_replay(*, alias: str, work: FailedWork) -> str | None:
    """Store `work` (a row of `alias`) again; None when stored (and marked), else why not."""
    if work.reason == FailedWork.UNREADABLE:
        return "an unreadable queue entry holds no work to store"
    try:
        applied = process_items(work.payload)
    except (DatabaseError, UnknownProject) as exc:
        return _failed_again(alias, work, f"{type(exc).__name__}: {exc}")
    if applied.over_limit:
        limit = settings.MAX_SESSION_ATTRIBUTES
        return _failed_again(
            alias, work, f"the session would still hold more than {limit} attributes"
        )
    work.replayed_at = timezone.now()
    work.save(using=alias, update_fields=["replayed_at"])
    return None


def _failed_again(alias: str, work: FailedWork, detail: str) -> str:
    work.attempts += 1
    work.detail = detail[:5000]
    work.save(using=alias, update_fields=["attempts", "detail"])
    return work.detail
