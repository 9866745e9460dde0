"""Request ids, JSON log lines and Prometheus metrics.

Request scope (request id, project, key prefix, whether the visitor IP may be logged)
lives in a ContextVar set by the middleware and the key authentication, reset at the end
of the request, so every log line of a request carries it.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client import Counter, Histogram

from atrack.ids import new_id

REQUESTS = Counter("atrack_http_requests_total", "HTTP requests", ["endpoint", "method", "status"])
LATENCY = Histogram(
    "atrack_http_request_seconds",
    "Time to answer an API request",
    ["endpoint"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
EVENTS_STORED = Counter("atrack_events_stored_total", "Event work items stored (repeats included)")
SESSIONS_ENRICHED = Counter("atrack_sessions_enriched_total", "Inits enriched into sessions")
ENRICHMENT = Histogram(
    "atrack_enrichment_seconds",
    "Time to enrich one init",
    buckets=(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05),
)
FAILED_WORK = Counter(
    "atrack_failed_work_total", "Batches parked in the failed-work store", ["reason"]
)

access_log = logging.getLogger("atrack.access")


@functools.lru_cache(maxsize=1024)
def _series(endpoint: str, method: str, status: int) -> tuple[Any, Any]:
    """The request counter and latency histogram of one label set. `labels()` checks its
    arguments and takes a lock on every call; the labelled series never change."""
    return REQUESTS.labels(endpoint, method, str(status)), LATENCY.labels(endpoint)


@dataclass
class Scope:
    request_id: str
    project: str | None = None
    key_prefix: str | None = None
    ip: str | None = None  # only set when the project allows logging visitor IPs
    extra: dict[str, Any] = field(default_factory=dict)


scope: ContextVar[Scope | None] = ContextVar("atrack_scope", default=None)


def note_key(*, project: str, key_prefix: str, ip: str | None, log_ip: bool) -> None:
    """Called once a request's key is known: later log lines carry the project."""
    current = scope.get()
    if current is not None:
        current.project, current.key_prefix = project, key_prefix
        current.ip = ip if log_ip else None


def _access_logged(status: int) -> bool:
    mode = settings.ACCESS_LOG
    return mode == "all" or (mode == "errors" and status >= 400)


class RequestScopeMiddleware:
    """A request id per request (kept from `X-Request-ID`), metrics and one access line."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = str(request.META.get("HTTP_X_REQUEST_ID", ""))[:64]
        current = Scope(request_id=incoming if incoming.isprintable() and incoming else new_id())
        token = scope.set(current)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = current.request_id
            self._record(request, response, time.perf_counter() - started)
            return response
        finally:
            scope.reset(token)

    def _record(self, request: HttpRequest, response: HttpResponse, elapsed: float) -> None:
        match = getattr(request, "resolver_match", None)
        endpoint = match.url_name if match is not None and match.url_name else "other"
        counter, latency = _series(endpoint, request.method or "", response.status_code)
        counter.inc()
        latency.observe(elapsed)
        # Every API request, and any refused request (a 4xx of the dashboard, an unknown
        # route): Django's own 4xx lines are off, since they come without the scope.
        status = response.status_code
        if (endpoint != "other" or status >= 400) and _access_logged(status):
            details = {"status": response.status_code, "duration_ms": round(elapsed * 1000, 2)}
            access_log.info(
                "%s %s %s", request.method, request.path, response.status_code, extra=details
            )


_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}
_KEY = re.compile(r"(atk_(?:pub|sec)_[A-Za-z0-9]{8})[A-Za-z0-9]+")


def redact(text: str) -> str:
    """Keys cut to their stored prefix: no log line ever holds a whole key."""
    return _KEY.sub(r"\1…", text) if "atk_" in text else text


class RequestFilter(logging.Filter):
    """Django's loggers pass the request, whose repr holds the path with its query string
    (where a key may be): keep the method and path only."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = record.__dict__.get("request")
        if request is not None and not isinstance(request, str):
            record.request = f"{getattr(request, 'method', '')} {getattr(request, 'path', '')}"
        return True


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the request scope; never a key, an IP only if allowed."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        current = scope.get()
        if current is not None:
            line["request_id"] = current.request_id
            scoped = {
                "project": current.project,
                "key_prefix": current.key_prefix,
                "ip": current.ip,
            }
            line.update({k: v for k, v in scoped.items() if v})
        extra = record.__dict__.items()
        line.update({k: v for k, v in extra if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return redact(json.dumps(line, default=str, ensure_ascii=False))
