"""Hand work to the durable queue, or process it inline when there is none.

With a broker configured, work is queued unless the caller asks for synchronous
processing. A broker that does not answer trips a short circuit breaker, so requests do
not each wait for its timeout, and the work runs inline: the client still gets success.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DatabaseError

from atrack.errors import ApiError
from events.ingest.processing import UnknownProject, process_items

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    queued: bool
    created: frozenset[str]


class _Breaker:
    def __init__(self) -> None:
        self.open_until = 0.0

    def is_open(self) -> bool:
        return time.monotonic() < self.open_until

    def trip(self) -> None:
        self.open_until = time.monotonic() + settings.BREAKER_SECONDS


breaker = _Breaker()


def _publish(items: list[dict[str, Any]]) -> bool:
    from events.tasks import process

    if not settings.CELERY_BROKER_URL or breaker.is_open():
        return False
    try:
        process.apply_async(args=[items], retry=False)
    except Exception:
        logger.warning("broker unavailable; processing inline", exc_info=True)
        breaker.trip()
        return False
    return True


def run_inline(items: list[dict[str, Any]]) -> frozenset[str]:
    """Process now; 503 only when the database cannot take the write either."""
    try:
        return frozenset(process_items(items))
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
    if not synchronous and _publish(items):
        return Outcome(queued=True, created=frozenset())
    return Outcome(queued=False, created=run_inline(items))
