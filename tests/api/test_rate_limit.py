"""The per-key rate limit: counted in process, shared through Redis with a broker."""

from __future__ import annotations

import time

import pytest

from atrack.api.guards import counter
from events.ingest.broker import broker_redis

# Key ids no real key has: the counter is the process's own, shared with every request.
ALONE, SHARED, BATCHED = -776, -777, -778


def shared_count(key_id: int, second: int) -> int:
    """This second's count in Redis: what every other process adds to and reads."""
    return int(broker_redis().get(f"atrack:rate:{key_id}:{second}") or 0)


def test_without_a_broker_the_count_is_the_process_own() -> None:
    while time.time() % 1 > 0.5:  # start early in a second so the window does not roll
        time.sleep(0.05)
    assert [counter.hit(ALONE) for _ in range(5)] == [1, 2, 3, 4, 5]
    assert counter.hit(ALONE - 1) == 1  # another key has its own count


@pytest.mark.redis
def test_processes_share_one_count_through_redis(
    broker_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    broker_redis().delete(*broker_redis().keys(f"atrack:rate:{SHARED}:*") or ["-"])
    monkeypatch.setattr(counter, "sync_seconds", 0.0)  # sync on every hit, to compare exactly
    while time.time() % 1 > 0.5:  # start early in a second so the window does not roll
        time.sleep(0.05)
    second = int(time.time())
    for _ in range(30):
        counter.hit(SHARED)
    assert shared_count(SHARED, second) == 30  # this process's hits are everyone's
    broker_redis().incrby(f"atrack:rate:{SHARED}:{second}", 5)  # another process's
    assert counter.hit(SHARED) == 36


@pytest.mark.redis
def test_batched_syncing_still_sees_the_other_process(broker_url: str) -> None:
    broker_redis().delete(*broker_redis().keys(f"atrack:rate:{BATCHED}:*") or ["-"])
    while time.time() % 1 > 0.3:
        time.sleep(0.05)
    second = int(time.time())
    for _ in range(250):  # past sync_hits, so at least two syncs happen
        counter.hit(BATCHED)
    broker_redis().incrby(f"atrack:rate:{BATCHED}:{second}", 1)  # another process's
    time.sleep(counter.sync_seconds)
    assert counter.hit(BATCHED) >= 252  # flushes what is left, reads the other's
    assert shared_count(BATCHED, second) == 252
