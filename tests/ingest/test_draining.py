"""Draining the ingest stream against a real Redis: storing, acknowledging, claiming
entries a dead reader left pending, retrying database errors, parking, replaying."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
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
from events.ingest.draining import drain, park
from events.models import Event
from projects.models import FailedWork
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
    client.delete(stream.STREAM, stream.NUDGE)
    yield client
    client.delete(stream.STREAM, stream.NUDGE)


def pending(client: Any) -> int:
    return int(client.xpending(stream.STREAM, stream.GROUP)["pending"])


def test_queued_entries_are_stored_acknowledged_and_deleted(
    redis: Any, project: CreatedProject, settings: Any
) -> None:
    settings.INGEST_BATCH_ITEMS = 3  # several chunks
    pid = project.project.pk
    for n in range(4):
        stream.append([event_item(pid, f"m{n}-a"), event_item(pid, f"m{n}-b")])
    result = drain(seconds=30)
    assert (result.entries, result.items, result.more) == (4, 8, False)
    assert Event.objects.for_project(project.project).count() == 8
    assert redis.xlen(stream.STREAM) == 0
    assert pending(redis) == 0


def test_the_first_append_asks_for_a_drain_and_later_ones_do_not(redis: Any) -> None:
    assert stream.append([{"n": 1}]) is True
    assert stream.append([{"n": 2}]) is False
    stream.forget_nudge()
    assert stream.append([{"n": 3}]) is True


def test_entries_a_dead_reader_left_pending_are_claimed_and_stored_once(
    redis: Any, project: CreatedProject
) -> None:
    pid = project.project.pk
    stream.append([event_item(pid, "lost-1"), event_item(pid, "lost-2")])
    assert len(stream.read_new("a-worker-that-dies", 10)) == 1
    assert drain(seconds=30).items == 0  # nothing new; the pending entry is not ours
    assert pending(redis) == 1
    assert drain(seconds=30, claim=True).items == 2
    assert Event.objects.for_project(project.project).count() == 2
    assert pending(redis) == 0
    assert redis.xlen(stream.STREAM) == 0


def test_database_errors_leave_the_entry_pending_then_it_is_parked(
    redis: Any, project: CreatedProject, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.INGEST_MAX_RETRIES = 2
    calls: list[int] = []

    def unavailable(items: Any) -> None:
        calls.append(len(items))
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("events.ingest.draining.process_items", unavailable)
    items = [event_item(project.project.pk, "m1")]
    stream.append(items)
    drain(seconds=30)  # delivery 1
    drain(seconds=30, claim=True)  # delivery 2
    assert not FailedWork.objects.exists()
    assert pending(redis) == 1
    drain(seconds=30, claim=True)  # delivery 3: past the retries
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
    from events.ingest import draining

    real = draining.process_items
    failing = other_project.project.pk

    def flaky(items: Any) -> Any:
        if items[0]["project_id"] == failing:
            raise OperationalError("shard down")
        return real(items)

    monkeypatch.setattr("events.ingest.draining.process_items", flaky)
    stream.append([event_item(project.project.pk, "ok-1"), event_item(failing, "later-1")])
    result = drain(seconds=30)
    assert result.entries == 0  # the entry waits for its other project
    assert Event.objects.for_project(project.project).count() == 1
    monkeypatch.setattr("events.ingest.draining.process_items", real)
    drain(seconds=30, claim=True)
    assert Event.objects.for_project(project.project).count() == 1  # stored once
    assert Event.objects.for_project(other_project.project).count() == 1
    assert redis.xlen(stream.STREAM) == 0


def test_work_for_a_deleted_project_is_parked_with_a_typed_reason(
    redis: Any, project: CreatedProject
) -> None:
    items = [event_item(project.project.pk, "m1")]
    project.project.delete()
    stream.append(items)
    drain(seconds=30)
    work = FailedWork.objects.get()
    assert work.reason == FailedWork.UNKNOWN_PROJECT
    assert work.payload == items
    assert redis.xlen(stream.STREAM) == 0


def test_a_drain_stops_at_its_time_budget_and_says_there_is_more(
    redis: Any, project: CreatedProject
) -> None:
    stream.append([event_item(project.project.pk, "m1")])
    result = drain(seconds=-1)
    assert result.more is True
    assert redis.xlen(stream.STREAM) == 1


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


def test_a_deadlock_is_retried_at_once_not_after_the_lease(
    redis: Any, project: CreatedProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    from events.ingest import draining

    real = draining.process_items
    failures = [psycopg.errors.DeadlockDetected("deadlock detected")]

    def deadlocks_once(items: Any) -> Any:
        if failures:
            error = failures.pop()
            raise OperationalError(str(error)) from error
        return real(items)

    monkeypatch.setattr("events.ingest.draining.process_items", deadlocks_once)
    stream.append([event_item(project.project.pk, "d1")])
    assert drain(seconds=30).items == 1
    assert not failures
    assert Event.objects.for_project(project.project).count() == 1
    assert pending(redis) == 0


def test_a_lingering_drain_stores_an_entry_that_arrives_while_it_waits(
    redis: Any, project: CreatedProject
) -> None:
    stream.read_new(stream.consumer_name(), 1)  # make the group exist
    later = threading.Timer(0.3, lambda: stream.append([event_item(project.project.pk, "late-1")]))
    started = time.monotonic()
    later.start()
    result = drain(seconds=30, linger=0.8)
    later.join()
    assert result.items == 1
    # It went on waiting after the entry, then ended once the stream stayed empty.
    assert 1.0 < time.monotonic() - started < 5
    assert Event.objects.for_project(project.project).count() == 1


def test_an_unreadable_entry_is_parked_and_does_not_hold_back_its_chunk(
    redis: Any, project: CreatedProject
) -> None:
    redis.xadd(stream.STREAM, {"items": b"{not json"})
    redis.xadd(stream.STREAM, {"items": b'[{"kind": "event"}]'})  # no project
    stream.append([event_item(project.project.pk, "fine-1")])
    drain(seconds=30)
    assert Event.objects.for_project(project.project).count() == 1
    parked = sorted(w.payload[0]["unreadable_entry"] for w in FailedWork.objects.all())
    assert parked == ['[{"kind": "event"}]', "{not json"]
    assert {w.reason for w in FailedWork.objects.all()} == {FailedWork.PROCESSING_ERROR}
    assert redis.xlen(stream.STREAM) == 0


def test_a_failing_entry_is_claimed_again_with_back_off(
    redis: Any, project: CreatedProject
) -> None:
    consumer = stream.consumer_name()
    stream.append([event_item(project.project.pk, "b1")])
    assert len(stream.read_new("a-worker-that-dies", 10)) == 1  # delivery 1
    assert stream.claim_idle(consumer, 0.4, 10) == []  # not yet a lease old
    time.sleep(0.45)
    (entry,) = stream.claim_idle(consumer, 0.4, 10)  # delivery 2, as its database fails
    assert entry.deliveries == 2
    time.sleep(0.45)
    assert stream.claim_idle(consumer, 0.4, 10) == []  # now due after two leases
    time.sleep(0.4)
    (again,) = stream.claim_idle(consumer, 0.4, 10)
    assert again.deliveries == 3


def test_a_full_read_asks_once_for_another_drain(
    redis: Any, project: CreatedProject, settings: Any
) -> None:
    settings.INGEST_READ_ENTRIES = 2
    pid = project.project.pk
    for n in range(5):  # reads of 2, 2 and 1 entries
        stream.append([event_item(pid, f"b{n}")])
    asked: list[int] = []
    result = drain(seconds=30, on_backlog=lambda: asked.append(1))
    assert (result.items, asked) == (5, [1])


def test_a_read_that_is_not_full_asks_for_no_other_drain(
    redis: Any, project: CreatedProject, settings: Any
) -> None:
    settings.INGEST_READ_ENTRIES = 3
    for n in range(2):
        stream.append([event_item(project.project.pk, f"s{n}")])
    asked: list[int] = []
    assert drain(seconds=30, on_backlog=lambda: asked.append(1)).items == 2
    assert asked == []


def test_only_one_drain_is_asked_for_until_one_starts(redis: Any) -> None:
    assert stream.ask_once() is True
    assert stream.ask_once() is False  # one is asked for and has not started
    stream.forget_nudge()  # it starts
    assert stream.ask_once() is True


def trickle(project_id: int, tag: str, count: int, every: float) -> threading.Thread:
    """Append `count` one-item entries, one every `every` seconds, in the background."""

    def run() -> None:
        for n in range(count):
            stream.append([event_item(project_id, f"{tag}{n}")])
            time.sleep(every)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.parametrize(("gather", "most_reads"), [(0.0, None), (0.25, 6)])
def test_a_trickle_is_stored_in_chunks_when_the_drain_gathers(
    redis: Any, project: CreatedProject, settings: Any, gather: float, most_reads: int | None
) -> None:
    settings.INGEST_GATHER_SECONDS = gather
    stream.read_new(stream.consumer_name(), 1)  # make the group exist
    sender = trickle(project.project.pk, f"t{gather}-", 30, 0.02)  # about 0.6 s of traffic
    result = drain(seconds=30, linger=0.5)
    sender.join()
    assert result.items == 30
    assert Event.objects.for_project(project.project).count() == 30
    if most_reads is None:
        assert result.reads > 10  # reading at once: an entry or two at a time
    else:
        assert result.reads <= most_reads  # 0.6 s of traffic, a read every 0.25 s


def test_a_full_read_is_followed_at_once_and_a_short_one_after_a_pause(
    redis: Any, project: CreatedProject, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from events.ingest import draining

    settings.INGEST_READ_ENTRIES = 2
    settings.INGEST_GATHER_SECONDS = 0.05
    pauses: list[int] = []
    real_gather = draining._gather

    def counting(deadline: float) -> None:
        pauses.append(1)
        real_gather(deadline)

    monkeypatch.setattr(draining, "_gather", counting)
    for n in range(5):  # reads of 2, 2 and 1 entries, then an empty one
        stream.append([event_item(project.project.pk, f"f{n}")])
    result = drain(seconds=30)
    assert (result.items, result.reads) == (5, 3)
    assert pauses == [1]  # only before the read after the short one
