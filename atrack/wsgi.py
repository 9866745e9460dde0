"""WSGI entry point (granian serves it in production).

Requests to the keyed API go to a handler that runs only `API_MIDDLEWARE` (request
scope, security headers, Content-Length) and resolves against the API's routes alone
(`atrack.api.urls`); everything else, the staff dashboard included,
runs the full `MIDDLEWARE` (static files, sessions, CSRF, auth, messages, frame options).
The API needs none of those: it authenticates by key, answers JSON and sets no cookie.
Measured on /event under wrk: the skipped middleware was about a tenth of the request's
CPU. The API's handler also does without Django's request signals (see ApiHandler).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from collections.abc import Callable, Iterable
from typing import Any

import django
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler, get_script_name
from django.db import close_old_connections
from django.http import HttpRequest, HttpResponseBase
from django.urls import ResolverMatch, get_resolver, set_script_prefix
from django.utils.log import log_response

from atrack.errors import error_body

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atrack.settings")

StartResponse = Callable[..., Any]


def _handler(middleware: list[str], kind: type[WSGIHandler] = WSGIHandler) -> WSGIHandler:
    """A handler whose middleware chain is `middleware` (Django reads the setting once,
    when the handler is built)."""
    full = settings.MIDDLEWARE
    settings.MIDDLEWARE = middleware
    try:
        return kind()
    finally:
        settings.MIDDLEWARE = full


class ApiHandler(WSGIHandler):
    """Django's WSGI handler without the request signals.

    Around each request Django sends request_started and request_finished. Their
    receivers (reset_queries, close_old_connections twice, close_caches, reset_urlconf)
    walk every database and cache alias through thread-local lookups. With them
    cleared, a queued /event took 318-389 µs of CPU instead of 360-537 µs
    (docs/performance.md), although an API request seldom opens a connection.

    This handler does, once, when the response is closed, what matters here: it closes
    connections past CONN_MAX_AGE or broken (which also makes CONN_HEALTH_CHECKS check a
    kept one before its next use). The check at the start is not needed, because the
    request that last used a connection checked it at its end. reset_queries only
    matters with DEBUG, and the cache backend (in-memory) has nothing to close.

    It resolves against the API's own routes itself, from a dict of the few paths it
    serves, and leaves the thread's URL conf alone: Django sets it to ROOT_URLCONF before
    each request and back to the default after, and nothing in this project sets
    another (no `request.urlconf`), so both are the same. Each is a thread-local write
    through asgiref, about 5% of a queued /event's instructions together.
    """

    routes = "atrack.api.urls"
    _middleware_chain: Callable[[HttpRequest], Any]  # set by load_middleware

    def __init__(self) -> None:
        super().__init__()
        self._matches: dict[str, ResolverMatch] = {}  # the API's few paths

    def get_response(self, request: HttpRequest) -> HttpResponseBase:
        # BaseHandler.get_response without its set_urlconf(ROOT_URLCONF): nothing on
        # this path sets another URL conf, so the thread's stays the default.
        response: Any = self._middleware_chain(request)
        response._resource_closers.append(request.close)
        if response.status_code >= 400:
            log_response(
                "%s: %s", response.reason_phrase, request.path, response=response, request=request
            )
        return response

    def resolve_request(self, request: HttpRequest) -> ResolverMatch:
        path = request.path_info
        match = self._matches.get(path)
        if match is None:
            match = get_resolver(self.routes).resolve(path)
            if len(self._matches) < 64:
                self._matches[path] = match
        request.resolver_match = match
        return match

    def __call__(  # type: ignore[override]  # a WSGI body, not Django's response
        self, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        set_script_prefix(get_script_name(environ))
        response = self.get_response(self.request_class(environ))
        status = f"{response.status_code} {response.reason_phrase}"
        # The (name, value) pairs as ResponseHeaders stores them: its items() goes
        # through the generic Mapping view, a lookup per header.
        headers = list(response.headers._store.values())
        headers += [("Set-Cookie", c.output(header="")) for c in response.cookies.values()]
        start_response(status, headers)
        return _Finishing(response)


class _Finishing:
    """A response body whose close() finishes the request without request_finished."""

    __slots__ = ("response",)

    def __init__(self, response: HttpResponseBase) -> None:
        self.response = response

    def __iter__(self) -> Any:
        return iter(self.response)

    def close(self) -> None:
        # HttpResponseBase.close() without its signal: close what the body holds open.
        closers = getattr(self.response, "_resource_closers", [])
        for closer in closers:
            with contextlib.suppress(Exception):
                closer()
        closers.clear()
        self.response.closed = True
        close_old_connections()


class Application:
    """Send the keyed API's paths to the lean handler, the rest to the full one."""

    def __init__(self) -> None:
        django.setup(set_prefix=False)
        from atrack.api.urls import urlpatterns

        self.api_paths = frozenset(f"/{pattern.pattern}" for pattern in urlpatterns)
        self.api = _handler(settings.API_MIDDLEWARE, ApiHandler)
        self.full = _handler(settings.MIDDLEWARE)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if not _read_chunked(environ, settings.MAX_BATCH_BODY_BYTES):
            limit = settings.MAX_BATCH_BODY_BYTES // 1024
            body = json.dumps(error_body("payload_too_large", f"The body is over {limit} KiB."))
            start_response("413 Payload Too Large", [("Content-Type", "application/json")])
            return [body.encode()]
        lean = environ.get("PATH_INFO", "") in self.api_paths
        return (self.api if lean else self.full)(environ, start_response)


def _read_chunked(environ: dict[str, Any], limit: int) -> bool:
    """Read a chunked body whole, so that Django, which reads as many bytes as
    Content-Length says, sees it (granian hands it over de-chunked, with no length);
    False when it is over `limit`."""
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


application = Application()
