"""Shared fixtures: service detection, projects with keys, an API client."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from rest_framework.test import APIClient

from atrack import settings_api
from atrack.api.health import broker_ok
from atrack.chunked import App, ChunkedBodies
from projects.selectors import key_cache
from projects.services import CreatedProject, project_create

# In CI every test that needs a real service must run: a missing service fails it.
REQUIRE_SERVICES = os.environ.get("ATRACK_REQUIRE_SERVICES") == "1"


def require(condition: bool, reason: str) -> None:
    """Skip (locally) or fail (in CI) a test whose real service is missing."""
    if condition:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason)


def postgres_aliases() -> list[str]:
    return [alias for alias, db in settings.DATABASES.items() if "postgresql" in db["ENGINE"]]


@pytest.fixture
def second_postgres_alias() -> str:
    """A PostgreSQL alias other than `default` (default itself on PostgreSQL too)."""
    aliases = postgres_aliases()
    require(
        "default" in aliases and len(aliases) > 1,
        "needs DATABASE_URL and a DATABASE_URL_<ALIAS> on PostgreSQL",
    )
    return next(alias for alias in aliases if alias != "default")


@pytest.fixture
def broker_url() -> str:
    url = settings.CELERY_BROKER_URL
    require(bool(url) and broker_ok(url), "needs a reachable Redis in CELERY_BROKER_URL")
    return str(url)


@pytest.fixture(autouse=True)
def _inline_unless_a_broker_is_asked_for(request: pytest.FixtureRequest, settings: Any) -> None:
    """In-process tests process writes inline; tests that want the broker ask for it."""
    if "broker_url" not in request.fixturenames:
        settings.CELERY_BROKER_URL = ""


@pytest.fixture(autouse=True)
def _fresh_key_cache() -> Iterator[None]:
    key_cache.clear()
    yield
    key_cache.clear()


@pytest.fixture
def project(db: None) -> CreatedProject:
    return project_create(name="Acme Shop")


@pytest.fixture
def other_project(db: None) -> CreatedProject:
    return project_create(name="Other Co")


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def api_process(settings: Any) -> App:
    """What atrack/wsgi_api.py serves, built here under the API process's settings."""
    settings.MIDDLEWARE = settings_api.MIDDLEWARE
    settings.ROOT_URLCONF = settings_api.ROOT_URLCONF
    return ChunkedBodies(WSGIHandler())
