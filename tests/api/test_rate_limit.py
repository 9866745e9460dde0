"""The per-key rate limit: counted in process, shared through Redis with a broker."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine

from atrack.api.guards import counter
from events.ingest.broker import broker_redis

# Key ids no real key has: the counter is the process's own, shared with every request.
ALONE, SHARED, BATCHED = -776, -777, -778
# The windows are whole seconds of the wall clock: the tests hold it still, mid-second.
MOMENT = datetime(2030, 1, 1, 12, 0, 0, 400_000, tzinfo=UTC)
SECOND = int(MOMENT.timestamp())


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(MOMENT, tick=False) as traveller:
        yield traveller


@pytest.fixture
def shared(broker_url: str) -> Iterator[None]:
    names = [f"atrack:rate:{key_id}:{SECOND + n}" for key_id in (SHARED, BATCHED) for n in (0, 1)]
    broker_redis().delete(*names)
    yield
    broker_redis().delete(*names)


def shared_count(key_id: int) -> int:
    """This second's count in Redis: what every other process adds to and reads."""
    return int(broker_redis().get(f"atrack:rate:{key_id}:{SECOND}") or 0)


def test_without_a_broker_the_count_is_the_process_own(clock: time_machine.Traveller) -> None:
    assert [counter.hit(ALONE) for _ in range(5)] == [1, 2, 3, 4, 5]
    assert counter.hit(ALONE - 1) == 1  # another key has its own count
    clock.shift(1)
    assert counter.hit(ALONE) == 1  # a new second, a new window


@pytest.mark.redis
@pytest.mark.usefixtures("shared")
def test_processes_share_one_count_through_redis(
    clock: time_machine.Traveller, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(counter, "sync_seconds", 0.0)  # sync on every hit, to compare exactly
    for _ in range(30):
        counter.hit(SHARED)
    assert shared_count(SHARED) == 30  # this process's hits are everyone's
    broker_redis().incrby(f"atrack:rate:{SHARED}:{SECOND}", 5)  # another process's
    assert counter.hit(SHARED) == 36


@pytest.mark.redis
@pytest.mark.usefixtures("shared")
def test_batched_syncing_still_sees_the_other_process(
    clock: time_machine.Traveller, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Syncs every sync_hits only: sync_seconds is measured on time.monotonic, which the
    # fake clock does not move, so the test says when it has passed by shortening it.
    monkeypatch.setattr(counter, "sync_seconds", 3600.0)
    for _ in range(250):
        counter.hit(BATCHED)
    assert shared_count(BATCHED) == 201  # the first hit, then every sync_hits; 49 wait here
    broker_redis().incrby(f"atrack:rate:{BATCHED}:{SECOND}", 1)  # another process's
    monkeypatch.setattr(counter, "sync_seconds", 0.0)  # sync_seconds have passed
    assert counter.hit(BATCHED) == 252  # flushes what is left, reads the other's
    assert shared_count(BATCHED) == 252
