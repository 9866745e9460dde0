"""ASGI entry point: what `scripts/serve` runs, with no proxy in front of it.

The request body is read on the event loop, under a deadline and a size limit, before
Django sees the request: a slow upload holds a coroutine, never one of the threads that
run views. This is the buffering the reverse proxy gives the production topology
(docs/operations.md, "Deploying safely"); the limits are the proxy's.
"""

from __future__ import annotations

import asyncio
import os
import warnings
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from django.conf import settings
from django.core.asgi import get_asgi_application

from atrack.errors import ApiError, body_too_large, error_json
from atrack.observability import access_log

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atrack.settings")
# Static files are file iterators, which Django's ASGI handler reads in a thread; it
# warns about that on every one, and they are small.
warnings.filterwarnings("ignore", "StreamingHttpResponse must consume synchronous iterators")

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[..., Awaitable[None]]


FRAMING = (b"content-length", b"transfer-encoding")


class BufferedBodies:
    """Read each HTTP body whole (at most `max_bytes`, within `seconds`), then call `app`
    with it as one message; 413 or 408 with a JSON error otherwise."""

    def __init__(self, app: App, *, max_bytes: int, seconds: float) -> None:
        self.app, self.max_bytes, self.seconds = app, max_bytes, seconds

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            body = await asyncio.wait_for(self._read(receive), self.seconds)
        except TimeoutError:
            slow = ApiError(408, "request_timeout", "The request body came too slowly.")
            await _refuse(scope, send, slow)
            return
        except _TooLarge:
            await _refuse(scope, send, body_too_large(self.max_bytes))
            return
        except _Gone:
            return
        # Django then sees the body as a proxy hands it on: whole, with its length.
        headers = [(k, v) for k, v in scope["headers"] if k not in FRAMING]
        scope = {**scope, "headers": [*headers, (b"content-length", b"%d" % len(body))]}
        first = True

        async def replay() -> Message:
            nonlocal first
            if first:
                first = False
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _read(self, receive: Receive) -> bytes:
        parts, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _Gone
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                raise _TooLarge
            parts.append(chunk)
            if not message.get("more_body", False):
                return b"".join(parts)


class _TooLarge(Exception):
    pass


class _Gone(Exception):
    pass


async def _refuse(scope: MutableMapping[str, Any], send: Send, error: ApiError) -> None:
    status = error.status_code
    access_log.info("%s %s %s", scope["method"], scope["path"], status, extra={"status": status})
    body = error_json(error)
    headers = [(b"content-type", b"application/json"), (b"connection", b"close")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


application = BufferedBodies(
    get_asgi_application(),
    max_bytes=settings.MAX_BATCH_BODY_BYTES,
    seconds=settings.BODY_READ_SECONDS,
)
