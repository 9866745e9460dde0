"""The probes: /health always, /ready only when every dependency answers."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client


def test_health_says_ok(client: Client) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db(databases="__all__")
def test_ready_checks_every_database(client: Client, settings: Any) -> None:
    settings.CELERY_BROKER_URL = ""
    response = client.get("/ready")
    assert response.status_code == 200
    assert set(response.json()["checks"]) == {f"database:{alias}" for alias in settings.DATABASES}


@pytest.mark.django_db(databases="__all__")
def test_ready_is_503_naming_the_broker_when_it_is_unreachable(
    client: Client, settings: Any
) -> None:
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/ready")
    assert response.status_code == 503
    assert response.json()["down"] == ["broker"]


@pytest.mark.redis
@pytest.mark.django_db(databases="__all__")
def test_ready_is_200_with_a_live_broker(client: Client, broker_url: str) -> None:
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == "ok"


def test_unknown_routes_answer_json_404(client: Client) -> None:
    response = client.get("/no-such-thing")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_host_not_served_gets_a_json_400_on_api_paths(client: Any, db: None) -> None:
    response = client.post(
        "/event", "{}", content_type="application/json", HTTP_HOST="evil.example"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_host"
