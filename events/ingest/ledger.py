"""The in-flight ledger of queued ingest work, in the broker's Redis.

Kombu's Redis transport takes a message off the queue (BRPOP) before it records it as
unacknowledged, so a worker killed between the two loses that message for good
(celery#7950, celery#4354); no setting closes the gap. So every queued message is
recorded here before it is published and settled once its work is stored or parked. The
`atrack.ingest.sweep` task (run by beat) publishes again an entry that is older than the
lease while the queue is empty and no worker holds its message: the only state in which
a live message cannot exist. Processing is idempotent, so a needless re-publish costs
time, never a duplicate row.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from events.ingest.broker import broker_redis

logger = logging.getLogger(__name__)

ITEMS = "atrack:inflight"  # hash: task id -> JSON list of work items
PUBLISHED = "atrack:inflight:at"  # sorted set: task id -> time of its last publish
UNACKED = "unacked"  # kombu's hash of delivered, unacknowledged messages


def record(task_id: str, items: list[dict[str, Any]]) -> None:
    """Note `items` as in flight under `task_id` (raises when Redis is down)."""
    client = broker_redis()
    if client is None:
        return
    pipe = client.pipeline(transaction=True)
    pipe.hset(ITEMS, task_id, json.dumps(items, separators=(",", ":")))
    pipe.zadd(PUBLISHED, {task_id: time.time()})
    pipe.execute()


def settle(task_id: str | None) -> None:
    """The work of `task_id` is stored or parked; a failure here only costs a re-publish."""
    client = broker_redis()
    if client is None or not task_id:
        return
    try:
        pipe = client.pipeline(transaction=True)
        pipe.hdel(ITEMS, task_id)
        pipe.zrem(PUBLISHED, task_id)
        pipe.execute()
    except Exception:
        logger.warning("could not settle %s in the in-flight ledger", task_id, exc_info=True)


def _held_task_ids(client: Any) -> set[str]:
    held = set()
    for raw in client.hvals(UNACKED):
        try:
            held.add(str(json.loads(raw)[0]["headers"]["id"]))
        except (ValueError, KeyError, IndexError, TypeError):
            continue
    return held


def lost(*, lease: float, queue: str, limit: int = 1000) -> list[tuple[str, list[dict[str, Any]]]]:
    """Entries whose message can no longer exist: old, queue empty, held by no worker."""
    client = broker_redis()
    if client is None or client.llen(queue):
        return []
    raw_ids = client.zrangebyscore(PUBLISHED, 0, time.time() - lease, start=0, num=limit)
    ids = [i.decode() if isinstance(i, bytes) else str(i) for i in raw_ids]
    held = _held_task_ids(client) if ids else set()
    ids = [i for i in ids if i not in held]
    if not ids:
        return []
    payloads = client.hmget(ITEMS, ids)
    return [(i, json.loads(p)) for i, p in zip(ids, payloads, strict=True) if p is not None]


def touch(task_id: str) -> None:
    client = broker_redis()
    if client is not None:
        client.zadd(PUBLISHED, {task_id: time.time()}, xx=True)
