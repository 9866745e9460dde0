"""A plain Redis client on the broker's Redis, for the rate limit and the ledger."""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings

_lock = threading.Lock()
_clients: dict[str, Any] = {}


def broker_redis() -> Any:
    """A redis-py client for `CELERY_BROKER_URL`, or None when the broker is not Redis."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return None
    client = _clients.get(url)
    if client is None:
        import redis

        timeout = settings.BROKER_SOCKET_TIMEOUT
        with _lock:
            client = _clients.setdefault(
                url,
                redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout),
            )
    return client
