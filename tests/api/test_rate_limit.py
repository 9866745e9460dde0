"""The per-key rate limit: counted in process, shared through Redis with a broker."""

from __future__ import annotations

import time
from typing import Any

import pytest

from atrack.api.guards import _Counter
from events.ingest.broker import broker_redis


def test_without_a_broker_the_count_is_the_process_own() -> None:
    counter = _Counter()
    while time.time() % 1 > 0.5:  # start early in a second so the window does not roll
        time.sleep(0.05)
    assert [counter.hit(1) for _ in range(5)] == [1, 2, 3, 4, 5]
    assert counter.hit(2) == 1  # another key has its own count


@pytest.mark.redis
def test_two_processes_share_one_count_through_redis(broker_url: str, settings: Any) -> None:
    broker_redis().delete(*broker_redis().keys("atrack:rate:777:*") or ["-"])
    first, second = _Counter(), _Counter()
    first.sync_seconds = second.sync_seconds = 0.0  # sync on every hit, to compare exactly
    while time.time() % 1 > 0.5:  # start early in a second so the window does not roll
        time.sleep(0.05)
    for _ in range(30):
        first.hit(777)
    assert second.hit(777) == 31
    assert first.hit(777) == 32


@pytest.mark.redis
def test_batched_syncing_still_sees_the_other_process(broker_url: str) -> None:
    broker_redis().delete(*broker_redis().keys("atrack:rate:778:*") or ["-"])
    first, second = _Counter(), _Counter()
    while time.time() % 1 > 0.3:
        time.sleep(0.05)
    for _ in range(250):  # past sync_hits, so at least two syncs happen
        first.hit(778)
    time.sleep(first.sync_seconds)
    first.hit(778)  # flushes what is left
    assert second.hit(778) >= 251
