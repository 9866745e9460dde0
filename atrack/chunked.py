"""Chunked request bodies under WSGI: both entry points (atrack/wsgi.py, wsgi_api.py)
wrap Django in this."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings

from atrack.errors import body_too_large, error_json

App = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class ChunkedBodies:
    """Read a chunked body whole before Django sees it, and refuse one over the largest
    body the service takes with a JSON 413.

    Django reads as many bytes as Content-Length says; granian hands a chunked body over
    de-chunked, with no length, so Django would take it as empty.
    """

    def __init__(self, app: App) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if not _read_chunked(environ, settings.MAX_BATCH_BODY_BYTES):
            body = error_json(body_too_large(settings.MAX_BATCH_BODY_BYTES))
            start_response("413 Payload Too Large", [("Content-Type", "application/json")])
            return [body]
        return self.app(environ, start_response)


def _read_chunked(environ: dict[str, Any], limit: int) -> bool:
    """Give a chunked body its length (False when it is over `limit`)."""
    if (
        environ.get("CONTENT_LENGTH")
        or "chunked" not in str(environ.get("HTTP_TRANSFER_ENCODING", "")).lower()
    ):
        return True
    body = environ["wsgi.input"].read(limit + 1)
    if len(body) > limit:
        return False
    environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
    return True
