"""The ingest consumer: a loop that reads the stream in bulk, stores, acknowledges.

Run by `manage.py ingest` (one or more per host). It is a plain loop, like a cron-less
`sendalerts`: block on the stream for new entries, store them, and every quarter lease
claim entries that another consumer read and never acknowledged (it died, or its
database failed). A Redis that goes away (restarted, failed over) is waited for and
reconnected to, with back-off; SIGTERM ends the loop after the chunk in hand.

An entry is acknowledged once every item in it is stored or parked. Items are stored
per project, in chunks of about `INGEST_BATCH_ITEMS`, one transaction each. A project
whose database fails leaves its entries pending: they come back after the lease, and
after `INGEST_MAX_RETRIES` deliveries their failing items are parked in `FailedWork`.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections

from events.ingest import stream
from events.ingest.processing import (
    UnknownProject,
    by_project,
    drop_unknown,
    park,
    park_unreadable,
    store_isolating,
)
from events.models import FailedWork

logger = logging.getLogger(__name__)


@dataclass
class Stored:
    entries: int = 0
    items: int = 0


class Consumer:
    """One reader of the ingest stream's consumer group."""

    def __init__(self, name: str | None = None, *, sleep: Callable[[float], None] = time.sleep):
        self.name = name or stream.consumer_name()
        self.stopping = False
        self.stored = Stored()
        self._sleep = sleep
        self._claimed_at = float("-inf")
        self.read_wait = 1.0  # seconds a read blocks on an empty stream

    def stop(self, *_: Any) -> None:
        self.stopping = True

    def run(self) -> None:
        """Consume until stop(); SIGTERM and SIGINT call it."""
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        logger.info("ingest consumer %s started", self.name)
        failures = 0
        while not self.stopping:
            try:
                self.step()
                failures = 0
                close_old_connections()  # honour CONN_MAX_AGE, drop broken connections
            except Exception as exc:
                failures += 1
                pause = min(0.5 * 2 ** (failures - 1), 5.0)
                logger.warning("ingest stream unavailable (%s); again in %.1f s", exc, pause)
                self._sleep(pause)
        logger.info("ingest consumer %s stopped", self.name)

    def step(self) -> int:
        """Claim what is overdue (every quarter lease), then read and store new entries;
        the number of entries stored."""
        count = settings.INGEST_READ_ENTRIES
        lease = settings.INGEST_LEASE_SECONDS
        done = 0
        if time.monotonic() - self._claimed_at >= lease / 4:
            self._claimed_at = time.monotonic()
            done += self.store(stream.claim_idle(self.name, lease, count))
            stream.forget_idle_consumers(idle=24 * 3600)  # exited ones, holding nothing
        entries = stream.read_new(self.name, count, wait=self.read_wait)
        done += self.store(entries)
        if entries and len(entries) < count:
            self._gather()
        return done

    def _gather(self) -> None:
        """Let entries gather for INGEST_GATHER_SECONDS after a read that did not fill up,
        so that steady traffic is stored in chunks rather than a few entries at a time:
        each chunk costs a transaction and a statement per table whatever its size."""
        if settings.INGEST_GATHER_SECONDS > 0 and not self.stopping:
            self._sleep(settings.INGEST_GATHER_SECONDS)

    def store(self, entries: list[stream.Entry]) -> int:
        """Store and acknowledge `entries`; stops at the first chunk whose database failed
        (its entries stay pending and come back after the lease)."""
        stored = 0
        for chunk in _chunks(entries, settings.INGEST_BATCH_ITEMS):
            finished, healthy = _store_chunk(chunk)
            stream.done(finished)
            done = set(finished)
            stored += len(done)
            self.stored.entries += len(done)
            self.stored.items += sum(len(e.items) for e in chunk if e.id in done)
            if not healthy:
                break
        return stored


def _chunks(entries: list[stream.Entry], size: int) -> Iterator[list[stream.Entry]]:
    chunk: list[stream.Entry] = []
    count = 0
    for entry in entries:
        chunk.append(entry)
        count += len(entry.items)
        if count >= size:
            yield chunk
            chunk, count = [], 0
    if chunk:
        yield chunk


def _store_chunk(entries: list[stream.Entry]) -> tuple[list[str], bool]:
    """Store each project's items; the ids of entries wholly stored or parked, and
    whether the database answered."""
    owner = {id(item): entry.id for entry in entries for item in entry.items}
    deliveries = {entry.id: entry.deliveries for entry in entries}
    unfinished: set[str] = set()
    healthy = True
    for entry in entries:
        if entry.unreadable is not None:
            error = ValueError(f"stream entry {entry.id} holds no work items")
            try:
                park_unreadable(entry.unreadable, error, entry.deliveries)
            except DatabaseError:
                logger.warning("the failed-work store is unavailable; the entry stays queued")
                unfinished.add(entry.id)
                healthy = False
    for group in by_project(item for entry in entries for item in entry.items).values():
        held = {owner[id(item)] for item in group}
        if not _store_group(group, max(deliveries[entry_id] for entry_id in held)):
            unfinished |= held
            healthy = False
    return [e.id for e in entries if e.id not in unfinished], healthy


# Deadlock and serialization failures: the transaction was rolled back and may simply be
# run again at once.
TRANSIENT = {"40P01", "40001"}


def _store_group(items: list[Mapping[str, Any]], attempts: int) -> bool:
    """Store one project's items, or park them; False leaves them for a later delivery."""
    try:
        _store_retrying(items, attempts)
        return True
    except UnknownProject as exc:
        drop_unknown(int(exc.args[0]), len(items))
        return True
    except DatabaseError as exc:
        if attempts <= settings.INGEST_MAX_RETRIES:
            logger.warning("storing %d items failed (delivery %d): %s", len(items), attempts, exc)
            return False
        return _park(items, FailedWork.DATABASE_ERROR, exc, attempts)


def _store_retrying(items: list[Mapping[str, Any]], attempts: int, tries: int = 3) -> None:
    for attempt in range(1, tries + 1):
        try:
            applied = store_isolating(items, attempts=attempts)
            if applied.over_limit:
                limit = settings.MAX_SESSION_ATTRIBUTES
                error = ValueError(f"the session would hold more than {limit} attributes")
                park(applied.over_limit, FailedWork.ATTRIBUTE_LIMIT, error, attempts)
            return
        except DatabaseError as exc:
            if attempt == tries or getattr(exc.__cause__, "sqlstate", None) not in TRANSIENT:
                raise
            logger.info("transient database error (%s); storing again", exc.__cause__)
            time.sleep(0.01 * attempt)


def _park(items: list[Mapping[str, Any]], reason: str, error: BaseException, attempts: int) -> bool:
    try:
        park(items, reason, error, attempts)
        return True
    except DatabaseError:
        logger.warning("the failed-work store is unavailable too; work stays queued")
        return False
