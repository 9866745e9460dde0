"""Celery tasks of the ingest pipeline and retention. Each calls one service."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from events.ingest import stream
from events.ingest.draining import drain
from events.services import retention_prune

logger = logging.getLogger(__name__)


def ask_for_drain() -> None:
    """Send a drain task; on failure the next append, or the sweep, asks again."""
    try:
        drain_stream.apply_async(retry=False)
    except Exception:
        logger.warning("could not queue a drain; the sweep will store the work", exc_info=True)
        try:
            stream.forget_nudge()
        except Exception:
            logger.warning("could not clear the drain request", exc_info=True)


def ask_for_helper() -> None:
    """A backlog: ask for one more drain, unless one is asked for already. Each drain
    that meets a backlog asks once, so a backlog spreads over every worker process."""
    try:
        if stream.ask_once():
            ask_for_drain()
    except Exception:
        logger.warning("could not ask for another drain", exc_info=True)


# Acknowledged on receipt: a drain lost with its worker is asked for again by the next
# append once the request expires, and by the sweep; the entries themselves are safe.
@shared_task(name="atrack.ingest.drain", ignore_result=True, acks_late=False)
def drain_stream() -> int:
    """Store queued work for up to INGEST_DRAIN_SECONDS, then hand over to a new drain."""
    stream.forget_nudge()  # from now on, an append asks for another drain
    # Lingering on an empty stream keeps one drain reading through steady traffic,
    # rather than one task (and one message from the web) per handful of items.
    result = drain(
        seconds=settings.INGEST_DRAIN_SECONDS,
        linger=settings.INGEST_LINGER_SECONDS,
        on_backlog=ask_for_helper,
    )
    if result.more:
        ask_for_drain()  # let the worker run other tasks between long drains
    return result.items


@shared_task(name="atrack.ingest.sweep", ignore_result=True, acks_late=False)
def sweep() -> int:
    """Beat: store work whose reader died (pending past the lease) and any not yet read."""
    result = drain(seconds=settings.INGEST_DRAIN_SECONDS, claim=True, on_backlog=ask_for_helper)
    if result.more:
        ask_for_drain()
    stream.forget_idle_consumers(idle=24 * 3600)
    return result.items


@shared_task(name="atrack.retention.prune", ignore_result=True)
def prune_retention() -> dict[str, int]:
    """Daily: delete events older than each project's retention period."""
    return retention_prune(now=timezone.now())
