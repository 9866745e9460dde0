"""The HTTP edge of ingest: body parsing with limits, CORS and the per-key rate limit."""

from __future__ import annotations

import threading
import time
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from atrack.clients import public_address
from atrack.errors import body_too_large
from events.ingest.broker import broker_redis
from events.ingest.queue import breaker
from projects.selectors import KeyInfo
from projects.windows import AddressWindow

# A refused body up to this size is read and dropped before the 413 goes out: a client
# still writing its body when the server closes gets a broken pipe, not the answer.
DRAIN_BYTES = 1024 * 1024


def content_length_guard(request: Request, limit: int) -> None:
    """Refuse a declared body over `limit` without parsing it."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        if length <= DRAIN_BYTES:
            while request.read(64 * 1024):
                pass
        raise body_too_large(limit)


def _origin_of(value: str) -> str:
    parts = urlsplit(value.strip().lower())
    return (
        f"{parts.scheme}://{parts.netloc}"
        if parts.scheme and parts.netloc
        else value.strip().lower()
    )


def origin_allowed(origin: str, allowed: tuple[str, ...]) -> bool:
    """An empty list allows any origin; `https://*.acme.example` allows its subdomains."""
    if not allowed:
        return True
    origin = _origin_of(origin)
    for entry in allowed:
        entry = _origin_of(entry)
        if entry == origin or entry == "*":
            return True
        scheme, _, host = entry.partition("://*.")
        if host and origin.startswith(scheme + "://") and origin.endswith("." + host):
            return True
    return False


PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "content-type, x-a-track-key, authorization",
    "Access-Control-Max-Age": "86400",
}


class KeyRateLimit(BaseThrottle):
    """Requests per second per key (in Redis when a broker is configured, else in
    process) and per client address (in each process: a key is public, so one address
    must not spend a project's whole budget)."""

    def allow_request(self, request: Request, view: Any) -> bool:
        info = request.auth
        if not _address_allowed(request, info):
            return False
        limit = settings.RATE_LIMIT_PER_SECOND
        if limit <= 0 or not isinstance(info, KeyInfo):
            return True
        return counter.hit(info.id) <= limit

    def wait(self) -> float:
        return 1.0


addresses = AddressWindow()


def _address_allowed(request: Request, info: Any) -> bool:
    """The per-address limit: public-key requests from public addresses. A secret key
    is no stranger's to spend, and private or loopback addresses are the deployment's
    own (a proxy not listed in TRUSTED_PROXIES must not throttle every visitor)."""
    limit = settings.RATE_LIMIT_PER_ADDRESS
    if limit <= 0 or (isinstance(info, KeyInfo) and info.is_secret):
        return True
    address = public_address(request.META)
    return not address or addresses.hit(address) <= limit


class _Window:
    __slots__ = ("second", "shared", "synced_at", "unsynced")

    def __init__(self, second: int) -> None:
        self.second = second
        self.unsynced = 0  # hits counted here, not yet added to the shared count
        self.shared = 0  # the shared count of this second as of the last sync
        self.synced_at = float("-inf")


class _Counter:
    """A fixed one-second window per key, shared through Redis when there is a broker.

    Each process adds its hits to the shared count at most every `sync_seconds` (or every
    `sync_hits`), not on every request: a round trip per request would cost more than the
    rest of the request. The price is that other processes' last few milliseconds of hits
    are seen late, so a burst may overshoot the limit by that much.
    """

    sync_seconds = 0.05
    sync_hits = 100

    def __init__(self) -> None:
        self._windows: dict[int, _Window] = {}
        self._lock = threading.Lock()

    def hit(self, key_id: int) -> int:
        """Count one request of `key_id`; the count of this second so far, everywhere."""
        second, now = int(time.time()), time.monotonic()
        with self._lock:
            window = self._windows.get(key_id)
            if window is None or window.second != second:
                window = self._windows[key_id] = _Window(second)
            window.unsynced += 1
            if now - window.synced_at < self.sync_seconds and window.unsynced < self.sync_hits:
                return window.shared + window.unsynced
            delta, window.unsynced, window.synced_at = window.unsynced, 0, now
        total = self._shared_add(key_id, second, delta)
        with self._lock:
            window.shared = window.shared + delta if total is None else max(window.shared, total)
            return window.shared + window.unsynced

    def _shared_add(self, key_id: int, second: int, delta: int) -> int | None:
        client = broker_redis()
        if client is None or breaker.is_open():
            return None
        name = f"atrack:rate:{key_id}:{second}"
        try:
            pipe = client.pipeline(transaction=False)
            pipe.incrby(name, delta)
            pipe.expire(name, 2)
            return int(pipe.execute()[0])
        except Exception:
            breaker.trip()  # Redis is down: count in process until it is back
            return None


counter = _Counter()
