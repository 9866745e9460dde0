"""Hand work to the durable queue, or process it inline when there is none.

With a broker configured, work is queued unless the caller asks for synchronous
processing. A broker that does not answer trips a short circuit breaker, so requests do
not each wait for its timeout, and the work runs inline: the client still gets success.

Publishing is a group commit: requests that arrive while a publish is in flight are
published together by the next one, as one entry of the ingest stream
(events.ingest.stream). An idle server publishes each request at once (no added wait); a
busy one puts many items in each entry. A request answers only after the entry carrying
its items is in Redis, so an answered write is never only in memory.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DatabaseError

from atrack.errors import ApiError
from events.ingest import stream
from events.ingest.processing import Applied, UnknownProject, store_isolating

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    queued: bool
    created: frozenset[str]
    erased: frozenset[str] = frozenset()  # UUIDs whose writes an erasure suppresses
    # Items (by identity) refused by the attribute limit; known only when not queued.
    over_limit: frozenset[int] = frozenset()


class _Breaker:
    def __init__(self) -> None:
        self.open_until = 0.0

    def is_open(self) -> bool:
        return time.monotonic() < self.open_until

    def trip(self) -> None:
        self.open_until = time.monotonic() + settings.BREAKER_SECONDS


breaker = _Breaker()


def send_to_stream(items: list[dict[str, Any]]) -> set[str] | None:
    """Queue `items` as one stream entry; the UUIDs among them that an erasure suppresses,
    or None (and the breaker tripped) when that fails."""
    try:
        return stream.append(items)
    except Exception:
        logger.warning("queue unavailable; processing inline", exc_info=True)
        breaker.trip()
        return None


class _Signal:
    """A one-way flag that one thread waits on: threading.Event's job, on a bare lock
    (Event.wait goes through a Condition, several locks and Python code per wait, which
    every queued request pays)."""

    __slots__ = ("_lock", "_set")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lock.acquire()  # held while unset
        self._set = False

    def set(self) -> None:
        """Set the flag. The publisher calls it from one thread at a time."""
        if not self._set:
            self._set = True
            self._lock.release()

    def wait(self, timeout: float) -> bool:
        if self._lock.acquire(timeout=timeout):
            self._lock.release()  # stays set for a later wait
            return True
        return False


class _Slot:
    __slots__ = ("done", "erased", "items", "lead")

    def __init__(self, items: list[dict[str, Any]]) -> None:
        self.items = items
        self.done = _Signal()
        self.erased: set[str] | None = None  # None until published
        self.lead = False


class GroupPublisher:
    """Leader/follower group commit of work items into broker messages."""

    def __init__(
        self, send: Callable[[list[dict[str, Any]]], set[str] | None], max_items: int = 500
    ) -> None:
        self._send = send
        self._max_items = max_items
        self._lock = threading.Lock()
        self._pending: list[_Slot] = []
        self._busy = False

    def publish(self, items: list[dict[str, Any]]) -> set[str] | None:
        """Once `items` are in the broker, the UUIDs among them an erasure suppresses;
        None means they must be processed inline."""
        slot = _Slot(items)
        with self._lock:
            self._pending.append(slot)
            follower, self._busy = self._busy, True
        if follower and not self._await_turn(slot):
            return slot.erased
        self._lead()
        return slot.erased

    def _await_turn(self, slot: _Slot) -> bool:
        """Wait until a leader published `slot` (False) or handed it the lead (True)."""
        timeout = settings.BROKER_SOCKET_TIMEOUT * 3 + 1
        if not slot.done.wait(timeout):
            with self._lock:
                if slot in self._pending and not slot.lead:
                    # Give up and go inline; nobody will publish these items now.
                    self._pending.remove(slot)
                    return False
            # Taken by a leader in flight (or just handed the lead): its send is bounded
            # by the broker timeouts. Past that, inline; a late publish is applied once.
            slot.done.wait(timeout)
        return slot.lead

    def _take(self) -> list[_Slot]:
        batch: list[_Slot] = []
        count = 0
        with self._lock:
            while self._pending and (
                not batch or count + len(self._pending[0].items) <= self._max_items
            ):
                count += len(self._pending[0].items)
                batch.append(self._pending.pop(0))
        return batch

    def _lead(self) -> None:
        batch = self._take()
        erased = self._send([item for slot in batch for item in slot.items])
        for slot in batch:
            slot.erased, slot.lead = erased, False
            slot.done.set()
        with self._lock:
            if self._pending:  # hand over: the oldest waiter publishes the next group
                self._pending[0].lead = True
                self._pending[0].done.set()
            else:
                self._busy = False


publisher = GroupPublisher(send_to_stream)


def _publish(items: list[dict[str, Any]]) -> set[str] | None:
    if not settings.CELERY_BROKER_URL or breaker.is_open():
        return None
    return publisher.publish(items)


def run_inline(items: list[dict[str, Any]]) -> Applied:
    """Process now; 503 only when the database cannot take the write either."""
    try:
        return store_isolating(items)
    except UnknownProject as exc:
        raise ApiError(401, "invalid_key", "This key's project no longer exists.") from exc
    except DatabaseError as exc:
        logger.error("inline processing failed: %s", exc)
        raise ApiError(
            503,
            "unavailable",
            "Storage is unavailable; retry shortly.",
            headers={"Retry-After": "5"},
        ) from exc


def submit(items: list[dict[str, Any]], *, synchronous: bool) -> Outcome:
    if not items:
        return Outcome(queued=False, created=frozenset())
    erased = None if synchronous else _publish(items)
    if erased is not None:
        return Outcome(queued=True, created=frozenset(), erased=frozenset(erased))
    applied = run_inline(items)
    return Outcome(
        queued=False,
        created=frozenset(applied.created),
        erased=frozenset(applied.erased),
        over_limit=frozenset(id(item) for item in applied.over_limit),
    )
