"""A plain Redis client for the ingest stream and the rate limit (the broker's Redis by default)."""

from __future__ import annotations

import threading
from typing import Any

import redis
from django.conf import settings
from redis.backoff import NoBackoff
from redis.retry import Retry

_lock = threading.Lock()
_clients: dict[str, Any] = {}


def broker_redis() -> Any:
    """A redis-py client for INGEST_REDIS_URL or else the broker; None when that is not Redis."""
    url = settings.INGEST_REDIS_URL or settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return None
    client = _clients.get(url)
    if client is None:
        timeout = settings.BROKER_SOCKET_TIMEOUT
        # A command whose connection broke (Redis restarted since the pool's check) goes
        # once more on a fresh one.
        retry = Retry(NoBackoff(), 1)
        with _lock:
            client = _clients.setdefault(
                url,
                redis.Redis.from_url(
                    url, socket_timeout=timeout, socket_connect_timeout=timeout, retry=retry
                ),
            )
    return client
