"""The ingest consumer against a real Redis: storing, acknowledging, claiming entries a
dead reader left pending, retrying database errors, parking, isolating a bad item,
riding out a Redis that goes away, replaying parked work."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from io import StringIO
from typing import Any

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError
from django.utils import timezone

from atrack.times import iso
from events.ingest import stream
from events.ingest.broker import broker_redis
from events.ingest.consumer import Consumer
from events.ingest.processing import park
from events.models import Event, FailedWork
from projects.services import CreatedProject

pytestmark = [pytest.mark.redis, pytest.mark.django_db]


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


@pytest.fixture
def redis(broker_url: str, settings: Any) -> Iterator[Any]:
    settings.INGEST_LEASE_SECONDS = 0.0  # claim pending entries at once
    client = broker_redis()
    client.delete(stream.STREAM)
    yield client
    client.delete(stream.STREAM)


def pending(client: Any) -> int:
    return int(client.xpending(stream.STREAM, stream.GROUP)["pending"])


class Clock:
    """Records the consumer's pauses instead of sleeping through them."""

    def __init__(self) -> None:
        self.pauses: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.pauses.append(seconds)


def consumer(name: str | None = None, sleep: Callable[[float], None] | None = None) -> Consumer:
    made = Consumer(name, sleep=sleep or Clock())
    made.read_wait = 0.0  # never block on an empty stream in a test
    return made


def drain(reader: Consumer, steps: int = 5) -> int:
    return sum(reader.step() for _ in range(steps))


def test_queued_entries_are_stored_acknowledged_and_deleted(
    redis: Any, project: CreatedProject, settings: Any
) -> None:
    settings.INGEST_BATCH_ITEMS = 3  # several chunks
    pid = project.project.pk
    for n in range(4):
        stream.append([event_item(pid, f"m{n}-a"), event_item(pid, f"m{n}-b")])
    reader = consumer()
    assert drain(reader) == 4
    assert (reader.stored.entries, reader.stored.items) == (4, 8)
    assert Event.objects.for_project(project.project).count() == 8
    assert redis.xlen(stream.STREAM) == 0
    assert pending(redis) == 0


def test_entries_a_dead_reader_left_pending_are_claimed_and_stored_once(
    redis: Any, project: CreatedProject
) -> None:
    pid = project.project.pk
    stream.append([event_item(pid, "lost-1"), event_item(pid, "lost-2")])
    assert len(stream.read_new("a-worker-that-dies", 10)) == 1
    reader = consumer()
    assert reader.step() == 1  # the lease is 0: claimed on the first step
    assert Event.objects.for_project(project.project).count() == 2
    assert pending(redis) == 0
    assert redis.xlen(stream.STREAM) == 0


def test_database_errors_leave_the_entry_pending_then_it_is_parked(
    redis: Any, project: CreatedProject, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.INGEST_MAX_RETRIES = 2
    calls: list[int] = []

    def unavailable(items: Any, attempts: int) -> None:
        calls.append(len(items))
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("events.ingest.consumer.store_isolating", unavailable)
    items = [event_item(project.project.pk, "m1")]
    stream.append(items)
    reader = consumer()
    reader.step()  # delivery 1
    reader.step()  # delivery 2 (claimed again: the lease is 0)
    assert not FailedWork.objects.exists()
    assert pending(redis) == 1
    reader.step()  # delivery 3: past the retries
    assert len(calls) == 3
    work = FailedWork.objects.get()
    assert (work.reason, work.attempts, work.payload) == (FailedWork.DATABASE_ERROR, 3, items)
    assert "server closed" in work.detail
    assert redis.xlen(stream.STREAM) == 0


def test_one_failing_project_does_not_hold_back_another_in_the_same_entry(
    redis: Any,
    project: CreatedProject,
    other_project: CreatedProject,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from events.ingest import consumer as module

    real = module.store_isolating
    failing = other_project.project.pk

    def flaky(items: Any, attempts: int) -> Any:
        if items[0]["project_id"] == failing:
            raise OperationalError("shard down")
        return real(items, attempts=attempts)

    monkeypatch.setattr(module, "store_isolating", flaky)
    stream.append([event_item(project.project.pk, "ok-1"), event_item(failing, "later-1")])
    reader = consumer()
    assert reader.step() == 0  # the entry waits for its other project
    assert Event.objects.for_project(project.project).count() == 1
    monkeypatch.setattr(module, "store_isolating", real)
    reader.step()
    assert Event.objects.for_project(project.project).count() == 1  # stored once
    assert Event.objects.for_project(other_project.project).count() == 1
    assert redis.xlen(stream.STREAM) == 0


def test_one_bad_item_is_parked_and_the_rest_of_its_chunk_stored(
    redis: Any, project: CreatedProject
) -> None:
    pid = project.project.pk
    bad = {**event_item(pid, "bad-1"), "occurred_at": "not a time"}
    stream.append([event_item(pid, "good-1"), bad, event_item(pid, "good-2")])
    assert consumer().step() == 1
    names = set(Event.objects.for_project(project.project).values_list("message_id", flat=True))
    assert names == {"good-1", "good-2"}
    work = FailedWork.objects.get()
    assert (work.reason, work.payload) == (FailedWork.PROCESSING_ERROR, [bad])
    assert redis.xlen(stream.STREAM) == 0


def test_work_for_a_deleted_project_goes_with_its_data(
    redis: Any, project: CreatedProject, caplog: pytest.LogCaptureFixture
) -> None:
    items = [event_item(project.project.pk, "m1")]
    project.project.delete()
    stream.append(items)
    consumer().step()
    assert not FailedWork.objects.exists()
    assert not Event.objects.exists()
    assert "dropped 1 queued items of deleted project" in caplog.text
    assert redis.xlen(stream.STREAM) == 0


@pytest.mark.django_db(databases="__all__")
def test_parked_work_lives_with_its_project_one_row_per_session(
    project: CreatedProject, second_postgres_alias: str
) -> None:
    from projects.selectors import key_cache

    project.project.database_alias = second_postgres_alias
    project.project.save()
    key_cache.clear()
    first, second = event_item(project.project.pk, "a"), event_item(project.project.pk, "b")
    assert park([first, second, first], FailedWork.DATABASE_ERROR, RuntimeError("x"), 7) == 3
    rows = FailedWork.objects.using(second_postgres_alias).filter(project_id=project.project.pk)
    assert sorted(len(r.payload) for r in rows) == [1, 2]
    assert {str(r.uuid) for r in rows} == {first["uuid"], second["uuid"]}
    assert not FailedWork.objects.using("default").exists()


def test_a_redis_that_goes_away_is_waited_for_with_back_off_and_read_again(
    redis: Any, project: CreatedProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    import redis as redis_py

    stream.append([event_item(project.project.pk, "after-1")])
    real_read = stream.read_new
    outages = [redis_py.ConnectionError("Connection refused")] * 3

    def flaky_read(*args: Any, **kwargs: Any) -> Any:
        if outages:
            raise outages.pop()
        return real_read(*args, **kwargs)

    monkeypatch.setattr(stream, "read_new", flaky_read)
    clock = Clock()

    def stop_when_stored(seconds: float) -> None:
        clock(seconds)
        if Event.objects.for_project(project.project).exists() or len(clock.pauses) > 10:
            reader.stop()

    reader = consumer(sleep=stop_when_stored)
    monkeypatch.setattr("events.ingest.consumer.signal.signal", lambda *a: None)
    # The loop closes obsolete connections between steps; the test's own is in a transaction.
    monkeypatch.setattr("events.ingest.consumer.close_old_connections", lambda: None)
    reader.run()
    assert clock.pauses[:3] == [0.5, 1.0, 2.0]
    assert Event.objects.for_project(project.project).count() == 1


@pytest.mark.django_db(databases="__all__")
def test_replayfailed_stores_parked_work_once_and_marks_it(project: CreatedProject) -> None:
    items = [event_item(project.project.pk, "m1"), event_item(project.project.pk, "m2")]
    park(items, FailedWork.DATABASE_ERROR, RuntimeError("db down"), attempts=7)
    out = StringIO()
    call_command("replayfailed", stdout=out)
    assert "Replayed 2" in out.getvalue()  # a row per session
    assert Event.objects.for_project(project.project).count() == 2
    assert all(work.replayed_at is not None for work in FailedWork.objects.all())
    call_command("replayfailed", stdout=StringIO())
    assert Event.objects.for_project(project.project).count() == 2


@pytest.mark.django_db(databases="__all__")
def test_replayfailed_keeps_work_that_still_fails(
    project: CreatedProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    park([event_item(project.project.pk, "m1")], FailedWork.DATABASE_ERROR, RuntimeError("x"), 1)

    def down(items: Any) -> None:
        raise OperationalError("still down")

    monkeypatch.setattr("events.failed.process_items", down)
    with pytest.raises(CommandError):
        call_command("replayfailed", stdout=StringIO(), stderr=StringIO())
    work = FailedWork.objects.get()
    assert work.replayed_at is None
    assert work.attempts == 2
    assert "still down" in work.detail


@pytest.mark.django_db(databases="__all__")
def test_replayfailed_wants_a_project_for_ids(project: CreatedProject) -> None:
    with pytest.raises(CommandError, match="--project"):
        call_command("replayfailed", "1", stdout=StringIO())


def test_a_deadlock_is_retried_at_once_not_after_the_lease(
    redis: Any, project: CreatedProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    from events.ingest import consumer as module

    real = module.store_isolating
    failures = [psycopg.errors.DeadlockDetected("deadlock detected")]

    def deadlocks_once(items: Any, attempts: int) -> Any:
        if failures:
            error = failures.pop()
            raise OperationalError(str(error)) from error
        return real(items, attempts=attempts)

    monkeypatch.setattr(module, "store_isolating", deadlocks_once)
    stream.append([event_item(project.project.pk, "d1")])
    reader = consumer()
    reader.step()
    assert reader.stored.items == 1
    assert not failures
    assert Event.objects.for_project(project.project).count() == 1
    assert pending(redis) == 0


def test_an_unreadable_entry_is_parked_and_does_not_hold_back_its_chunk(
    redis: Any, project: CreatedProject
) -> None:
    redis.xadd(stream.STREAM, {"items": b"{not json"})
    redis.xadd(stream.STREAM, {"items": b'[{"kind": "event"}]'})  # no project
    stream.append([event_item(project.project.pk, "fine-1")])
    consumer().step()
    assert Event.objects.for_project(project.project).count() == 1
    parked = sorted(w.payload[0]["unreadable_entry"] for w in FailedWork.objects.all())
    assert parked == ['[{"kind": "event"}]', "{not json"]
    assert {w.reason for w in FailedWork.objects.all()} == {FailedWork.UNREADABLE}
    assert redis.xlen(stream.STREAM) == 0


def test_a_failing_entry_is_claimed_again_with_back_off(
    redis: Any, project: CreatedProject
) -> None:
    name = stream.consumer_name()
    stream.append([event_item(project.project.pk, "b1")])
    assert len(stream.read_new("a-worker-that-dies", 10)) == 1  # delivery 1
    assert stream.claim_idle(name, 0.4, 10) == []  # not yet a lease old
    # Idle times are Redis's own clock, which no fake clock here moves: real waits.
    time.sleep(0.45)
    (entry,) = stream.claim_idle(name, 0.4, 10)  # delivery 2, as its database fails
    assert entry.deliveries == 2
    time.sleep(0.45)
    assert stream.claim_idle(name, 0.4, 10) == []  # now due after two leases
    time.sleep(0.4)
    (again,) = stream.claim_idle(name, 0.4, 10)
    assert again.deliveries == 3


def test_a_short_read_is_followed_by_a_pause_to_gather_and_a_full_one_is_not(
    redis: Any, project: CreatedProject, settings: Any
) -> None:
    settings.INGEST_READ_ENTRIES = 2
    settings.INGEST_GATHER_SECONDS = 0.25
    for n in range(3):
        stream.append([event_item(project.project.pk, f"f{n}")])
    clock = Clock()
    reader = consumer(sleep=clock)
    reader.step()  # a full read of 2: no pause
    assert clock.pauses == []
    reader.step()  # a short read of 1: a pause
    assert clock.pauses == [0.25]
    reader.step()  # nothing read: no pause either
    assert clock.pauses == [0.25]
    assert Event.objects.for_project(project.project).count() == 3


def test_the_ingest_command_refuses_to_run_without_a_broker(settings: Any) -> None:
    settings.CELERY_BROKER_URL = ""
    with pytest.raises(CommandError, match="No broker"):
        call_command("ingest")
