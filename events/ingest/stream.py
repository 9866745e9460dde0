"""The ingest stream: queued work items in a Redis stream, read by workers in bulk.

Web processes append each published group of items as one stream entry (XADD). Workers
read many entries at once through a consumer group (XREADGROUP), store them, then
acknowledge and delete them (XACK + XDEL). Reading an entry and recording it as pending
for its reader is one atomic command, so a worker killed at any point loses nothing: its
entries stay in the group's pending list, and once they have been pending longer than a
lease any worker claims them (XCLAIM) and stores them again. Storing is idempotent, so a
second delivery costs time, never a duplicate row.

A stream rather than a Celery message per group: kombu's Redis transport pops a message
before it records it as unacknowledged (celery#7950), and a message per handful of items
would hold the workers to small transactions.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import socket
import time
from dataclasses import dataclass
from typing import Any

import redis
from django.conf import settings

from atrack import jsons
from events.ingest.broker import broker_redis

logger = logging.getLogger(__name__)

STREAM = "atrack:ingest"
GROUP = "atrack"
# atrack:erased:<project id>:<uuid> is set while writes for that UUID are suppressed: the
# web tier refuses them with no database lookup. The workers' check in the database is
# what guarantees they are never stored; this copy only lets the client know at once.
ERASED = "atrack:erased:{}:{}"


@dataclass(frozen=True)
class Entry:
    id: str
    items: list[dict[str, Any]]
    deliveries: int
    unreadable: str | None = None  # the raw entry, when it holds no work items


def _decode(data: bytes | None) -> tuple[list[dict[str, Any]], str | None]:
    """An entry's work items; or none, and its raw text, when it cannot hold any (so one
    bad entry is parked rather than failing its chunk on every delivery)."""
    try:
        items = json.loads(data) if data is not None else None
    except ValueError:
        items = None
    if isinstance(items, list) and all(
        isinstance(i, dict) and isinstance(i.get("project_id"), int) for i in items
    ):
        return items, None
    return [], (data or b"").decode(errors="replace")


def _client() -> Any:
    client = broker_redis()
    if client is None:
        raise RuntimeError("the ingest stream needs Redis (INGEST_REDIS_URL)")
    return client


def consumer_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# XADD and the erasure look-up in one round trip: KEYS are the stream and then the
# erasure marks of the entry's UUIDs; ARGV[1] the entry's items.
APPEND = """
redis.call('XADD', KEYS[1], '*', 'items', ARGV[1])
return redis.call('MGET', unpack(KEYS, 2))
"""


@functools.cache
def _append_script(client: Any) -> Any:
    return client.register_script(APPEND)


def append(items: list[dict[str, Any]]) -> set[str]:
    """Queue `items` as one entry (raises when Redis fails); the UUIDs among them whose
    writes are suppressed by an erasure (their items are dropped by the workers)."""
    keys = sorted({(item["project_id"], item["uuid"]) for item in items})
    flags = _append_script(_client())(
        keys=[STREAM, *(ERASED.format(*key) for key in keys)], args=[jsons.dumps(items)]
    )
    return {uuid for (_, uuid), flag in zip(keys, flags, strict=True) if flag is not None}


def mark_erased(project_id: int, uuid: str) -> None:
    """Let the web tier refuse `uuid`'s writes at once (best effort: see ERASED)."""
    client = broker_redis()
    if client is None:
        return
    try:
        client.set(ERASED.format(project_id, uuid), 1)
    except Exception:
        logger.warning("could not mark an erasure in Redis; workers still drop its work")


def unmark_erased(project_id: int, uuid: str) -> None:
    client = broker_redis()
    if client is None:
        return
    try:
        client.delete(ERASED.format(project_id, uuid))
    except Exception:
        logger.warning("could not clear an erasure in Redis; writes stay refused until it is")


def _ensure_group(client: Any) -> None:
    try:  # from id 0: entries appended before any worker ever ran are read too
        client.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
    except redis.ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


def _entries(raw: list[Any], deliveries: dict[str, int] | None = None) -> list[Entry]:
    entries = []
    for entry_id, fields in raw:
        key = _text(entry_id)
        items, unreadable = _decode((fields or {}).get(b"items"))
        entries.append(Entry(key, items, (deliveries or {}).get(key, 1), unreadable))
    return entries


def read_new(consumer: str, count: int, wait: float = 0.0) -> list[Entry]:
    """Up to `count` entries no worker has read yet, now pending for `consumer`; with
    `wait`, waits up to that many seconds for the first one to arrive."""
    client = _client()
    # A blocked read must answer within the client's socket timeout.
    block = min(int(wait * 1000), int(settings.BROKER_SOCKET_TIMEOUT * 500)) or None
    try:
        reply = client.xreadgroup(GROUP, consumer, {STREAM: ">"}, count=count, block=block)
    except redis.ResponseError as exc:
        if "NOGROUP" not in str(exc):
            raise
        _ensure_group(client)
        reply = client.xreadgroup(GROUP, consumer, {STREAM: ">"}, count=count, block=block)
    return _entries(reply[0][1]) if reply else []


# A delivery that failed waits twice as long as the one before, up to this many leases.
MAX_BACKOFF = 8


def claim_idle(consumer: str, lease: float, count: int) -> list[Entry]:
    """Entries left pending unacknowledged (their reader died, or their database failed),
    now claimed by `consumer`; `deliveries` counts this one. An entry is due after `lease`
    seconds once delivered, twice that after two deliveries, and so on up to
    MAX_BACKOFF leases: a database outage is retried with back-off."""
    client = _client()
    idle = int(lease * 1000)
    try:
        pending = client.xpending_range(STREAM, GROUP, "-", "+", count, idle=idle)
    except redis.ResponseError as exc:
        if "NOGROUP" not in str(exc):
            raise
        _ensure_group(client)
        return []
    due = [p for p in pending if int(p["time_since_delivered"]) >= idle * _backoff(p)]
    if not due:
        return []
    deliveries = {_text(p["message_id"]): int(p["times_delivered"]) + 1 for p in due}
    claimed = client.xclaim(STREAM, GROUP, consumer, idle, list(deliveries))
    return _entries(claimed, deliveries)


def _backoff(pending: dict[str, Any]) -> int:
    return int(min(2 ** (int(pending["times_delivered"]) - 1), MAX_BACKOFF))


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def done(entry_ids: list[str]) -> None:
    """The entries are stored or parked: acknowledge and delete them."""
    if not entry_ids:
        return
    pipe = _client().pipeline(transaction=True)
    pipe.xack(STREAM, GROUP, *entry_ids)
    pipe.xdel(STREAM, *entry_ids)
    pipe.execute()


def depth() -> tuple[int, float]:
    """Entries queued or being stored, and the age in seconds of the oldest."""
    client = _client()
    length = int(client.xlen(STREAM))
    first = client.xrange(STREAM, count=1)
    if not first:
        return length, 0.0
    millis = int(_text(first[0][0]).split("-")[0])
    return length, max(0.0, time.time() - millis / 1000)


def forget_idle_consumers(idle: float) -> int:
    """Remove readers idle for `idle` seconds that hold nothing (exited processes)."""
    client = _client()
    removed = 0
    for info in client.xinfo_consumers(STREAM, GROUP):
        if int(info["pending"]) == 0 and int(info["idle"]) > idle * 1000:
            client.xgroup_delconsumer(STREAM, GROUP, _text(info["name"]))
            removed += 1
    return removed
