"""Workers' side of the ingest stream: read entries in bulk, store them, acknowledge them.

An entry is acknowledged once every item in it is stored or parked. Items are stored
per project, in chunks of about `INGEST_BATCH_ITEMS`, one transaction each. A project
whose database fails leaves its entries pending: they come back after the lease, and
after `INGEST_MAX_RETRIES` deliveries their failing items are parked in `FailedWork`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DatabaseError

from atrack.observability import FAILED_WORK
from events.ingest import stream
from events.ingest.processing import UnknownProject, by_project, process_items
from projects.models import FailedWork

logger = logging.getLogger(__name__)


@dataclass
class Drained:
    entries: int = 0
    items: int = 0
    reads: int = 0  # reads that found entries
    more: bool = False  # stopped at the time budget with entries left


def park(
    items: Sequence[Mapping[str, Any]], reason: str, error: BaseException, attempts: int
) -> None:
    """Keep work that cannot be processed in the failed-work store (never drop it)."""
    project_ids = {item.get("project_id") for item in items}
    FAILED_WORK.labels(reason).inc()
    FailedWork.objects.create(
        project_id=project_ids.pop() if len(project_ids) == 1 else None,
        reason=reason,
        detail=f"{type(error).__name__}: {error}"[:5000],
        payload=list(items),
        attempts=attempts,
    )


def drain(
    *,
    seconds: float,
    claim: bool = False,
    linger: float = 0.0,
    on_backlog: Callable[[], None] | None = None,
) -> Drained:
    """Store queued entries for up to `seconds`; with `claim`, first those whose reader
    left them pending past the lease. An empty stream ends the drain once no entry came
    for `linger` seconds. Stops early when storage is unavailable.

    `on_backlog` is called once, when a read comes back full: more entries wait than this
    drain takes at a time, so another worker may as well store some of them meanwhile.
    """
    consumer = stream.consumer_name()
    deadline = time.monotonic() + seconds
    count = settings.INGEST_READ_ENTRIES
    result = Drained()
    readers = []
    if claim:
        lease = settings.INGEST_LEASE_SECONDS
        readers.append(lambda: stream.claim_idle(consumer, lease, count))
    readers.append(lambda: stream.read_new(consumer, count, wait=linger))
    for read in readers:
        at_once = True  # the first read of each kind, and any after a full one
        while True:
            if time.monotonic() > deadline:
                result.more = True
                return result
            if not at_once:
                _gather(deadline)
            entries = read()
            if not entries:
                break
            result.reads += 1
            at_once = len(entries) >= count  # full: a backlog
            if at_once and on_backlog is not None:
                on_backlog()
                on_backlog = None
            if not _store(entries, result):
                return result
    return result


def _gather(deadline: float) -> None:
    """Let entries gather for INGEST_GATHER_SECONDS before the next read, so that steady
    traffic is stored in chunks rather than a few entries at a time. Each chunk costs a
    transaction and a statement per table whatever its size; under the bench's sustained
    mix, reading at once cost the workers and PostgreSQL about three times the CPU per
    item (docs/performance.md)."""
    pause = min(settings.INGEST_GATHER_SECONDS, deadline - time.monotonic())
    if pause > 0:
        time.sleep(pause)


def _store(entries: list[stream.Entry], result: Drained) -> bool:
    """Store and acknowledge `entries`; False when the database failed."""
    for chunk in _chunks(entries, settings.INGEST_BATCH_ITEMS):
        finished, healthy = _store_chunk(chunk)
        stream.done(finished)
        stored = set(finished)
        result.entries += len(stored)
        result.items += sum(len(e.items) for e in chunk if e.id in stored)
        if not healthy:
            return False
    return True


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
            raw: list[Mapping[str, Any]] = [{"unreadable_entry": entry.unreadable}]
            if not _park(raw, FailedWork.PROCESSING_ERROR, error, entry.deliveries):
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
        _process_retrying(items)
        return True
    except UnknownProject as exc:
        return _park(items, FailedWork.UNKNOWN_PROJECT, exc, attempts)
    except DatabaseError as exc:
        if attempts <= settings.INGEST_MAX_RETRIES:
            logger.warning("storing %d items failed (delivery %d): %s", len(items), attempts, exc)
            return False
        return _park(items, FailedWork.DATABASE_ERROR, exc, attempts)
    except Exception as exc:
        logger.exception("ingest batch failed; parked")
        return _park(items, FailedWork.PROCESSING_ERROR, exc, attempts)


def _process_retrying(items: list[Mapping[str, Any]], tries: int = 3) -> None:
    for attempt in range(1, tries + 1):
        try:
            process_items(items)
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
