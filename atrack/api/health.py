"""Liveness and readiness probes: plain views, no authentication, JSON bodies."""

from __future__ import annotations

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from kombu import Connection

from atrack.api.contract import Health, Ready, json_response


@require_GET
def health(request: HttpRequest) -> HttpResponse:
    """The process is up."""
    return json_response(Health(status="ok"))


def _database_ok(alias: str) -> bool:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def broker_ok(url: str) -> bool:
    """Whether the broker at `url` answers within the broker socket timeout."""
    timeout = settings.BROKER_SOCKET_TIMEOUT
    try:
        with Connection(
            url, connect_timeout=timeout, transport_options={"socket_timeout": timeout}
        ) as conn:
            conn.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0, timeout=timeout
            )
        return True
    except Exception:
        return False


@require_GET
def ready(request: HttpRequest) -> HttpResponse:
    """Every database alias and the broker answer; otherwise 503 naming what is down."""
    checks = {f"database:{alias}": _database_ok(alias) for alias in settings.DATABASES}
    if settings.CELERY_BROKER_URL:
        checks["broker"] = broker_ok(settings.CELERY_BROKER_URL)
    down = sorted(name for name, ok in checks.items() if not ok)
    body = Ready(
        status="unavailable" if down else "ok",
        checks={name: "ok" if ok else "down" for name, ok in checks.items()},
        down=down,
    )
    return json_response(body, status=503 if down else 200)
