"""The in-flight ledger against a real Redis: what counts as lost, and the sweep."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from events.ingest import ledger
from events.ingest.broker import broker_redis

pytestmark = pytest.mark.redis
QUEUE = "atrack-test-queue"


@pytest.fixture
def client(broker_url: str) -> Iterator[Any]:
    redis = broker_redis()
    redis.delete(ledger.ITEMS, ledger.PUBLISHED, QUEUE, ledger.UNACKED)
    yield redis
    redis.delete(ledger.ITEMS, ledger.PUBLISHED, QUEUE, ledger.UNACKED)


def age(client: Any, task_id: str, seconds: float) -> None:
    client.zadd(ledger.PUBLISHED, {task_id: time.time() - seconds})


def test_an_old_entry_nobody_holds_is_lost_once_the_queue_is_empty(client: Any) -> None:
    ledger.record("t-old", [{"n": 1}])
    ledger.record("t-new", [{"n": 2}])
    age(client, "t-old", 100)
    assert ledger.lost(lease=60, queue=QUEUE) == [("t-old", [{"n": 1}])]
    client.lpush(QUEUE, "a waiting message")
    assert ledger.lost(lease=60, queue=QUEUE) == []


def test_an_entry_held_unacknowledged_by_a_worker_is_not_lost(client: Any) -> None:
    ledger.record("t-held", [{"n": 1}])
    age(client, "t-held", 100)
    message = [{"headers": {"id": "t-held"}, "body": "..."}, "", "celery"]
    client.hset(ledger.UNACKED, "tag-1", json.dumps(message))
    assert ledger.lost(lease=60, queue=QUEUE) == []


def test_a_settled_entry_is_gone(client: Any) -> None:
    ledger.record("t-done", [{"n": 1}])
    ledger.settle("t-done")
    age(client, "t-done", 100)
    assert client.hlen(ledger.ITEMS) == 0
    assert ledger.lost(lease=60, queue=QUEUE) == []


def test_touch_restarts_the_lease(client: Any) -> None:
    ledger.record("t", [{"n": 1}])
    age(client, "t", 100)
    ledger.touch("t")
    assert ledger.lost(lease=60, queue=QUEUE) == []
