"""The task's retry/park path and replaying parked work."""

from __future__ import annotations

import uuid
from io import StringIO
from typing import Any

import pytest
from celery.exceptions import Retry
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from atrack.times import iso
from events.models import Event
from events.tasks import backoff, park, process
from projects.models import FailedWork
from projects.services import CreatedProject

pytestmark = pytest.mark.django_db


def event_item(project_id: int, message_id: str) -> dict[str, Any]:
    now = iso(timezone.now())
    return {
        "kind": "event",
        "project_id": project_id,
        "uuid": str(uuid.uuid4()),
        "received_at": now,
        "name": "signup",
        "attributes": {},
        "occurred_at": now,
        "ip": None,
        "user_agent": "",
        "message_id": message_id,
    }


def test_backoff_doubles_and_stays_under_the_visibility_timeout(settings: Any) -> None:
    settings.CELERY_VISIBILITY_TIMEOUT = 20
    waits = [backoff(n) for n in range(8)]
    assert waits[0] <= 1.0
    assert waits[3] > waits[1]
    assert max(waits) <= 16.0


def test_work_for_a_deleted_project_is_parked_with_a_typed_reason(project: CreatedProject) -> None:
    items = [event_item(project.project.pk, "m1")]
    project.project.delete()
    process.apply(args=[items])
    work = FailedWork.objects.get()
    assert work.reason == FailedWork.UNKNOWN_PROJECT
    assert work.payload == items


def test_replayfailed_stores_parked_work_once_and_marks_it(project: CreatedProject) -> None:
    items = [event_item(project.project.pk, "m1"), event_item(project.project.pk, "m2")]
    park(items, FailedWork.DATABASE_ERROR, RuntimeError("db down"), attempts=7)
    out = StringIO()
    call_command("replayfailed", stdout=out)
    assert "Replayed 1" in out.getvalue()
    assert Event.objects.for_project(project.project).count() == 2
    assert FailedWork.objects.get().replayed_at is not None
    call_command("replayfailed", stdout=StringIO())
    assert Event.objects.for_project(project.project).count() == 2


def test_replayfailed_keeps_work_that_still_fails(project: CreatedProject) -> None:
    items = [event_item(project.project.pk + 999, "m1")]
    park(items, FailedWork.UNKNOWN_PROJECT, RuntimeError("gone"), attempts=1)
    with pytest.raises(CommandError):
        call_command("replayfailed", stdout=StringIO(), stderr=StringIO())
    work = FailedWork.objects.get()
    assert work.replayed_at is None
    assert work.attempts == 2


def test_database_errors_are_retried_then_the_work_is_parked(
    project: CreatedProject, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import OperationalError

    settings.INGEST_MAX_RETRIES = 3
    calls: list[int] = []

    def unavailable(items: Any) -> None:
        calls.append(len(items))
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("events.tasks.process_items", unavailable)
    monkeypatch.setattr("events.tasks.backoff", lambda retries: 0)
    items = [event_item(project.project.pk, "m1")]
    for retries in range(3):
        with pytest.raises(Retry):
            process.apply(args=[items], retries=retries)
        assert not FailedWork.objects.exists()
    process.apply(args=[items], retries=3)  # the fourth attempt is the last
    assert len(calls) == 4
    work = FailedWork.objects.get()
    assert work.reason == FailedWork.DATABASE_ERROR
    assert work.attempts == 4
    assert "server closed" in work.detail
