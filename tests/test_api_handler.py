"""The API process keeps Django's connection hygiene: a request that used the database
closes a connection past its CONN_MAX_AGE when its response is closed."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest
from django.db import connections

from atrack.chunked import App
from projects.services import CreatedProject, project_create
from tests.conftest import postgres_aliases, require

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def project_db() -> CreatedProject:
    # SQLite's in-memory test database ignores close(), so only PostgreSQL can show it.
    require("default" in postgres_aliases(), "needs DATABASE_URL on PostgreSQL")
    return project_create(name="Handler Co")


@pytest.fixture
def max_age_zero() -> Iterator[None]:
    """Connections opened meanwhile are obsolete at once (the test's own is open already)."""
    config = connections.settings["default"]
    old = config["CONN_MAX_AGE"]
    config["CONN_MAX_AGE"] = 0
    yield
    config["CONN_MAX_AGE"] = old


def post_in_a_thread(
    app: App, path: str, body: dict[str, Any], key: str, *, close: bool
) -> dict[str, Any]:
    """Serve one request in a new thread (a connection of its own), as granian would."""
    seen: dict[str, Any] = {}

    def serve() -> None:
        raw = json.dumps(body).encode()
        environ: dict[str, Any] = {"REQUEST_METHOD": "POST", "PATH_INFO": path}
        setup_testing_defaults(environ)
        environ.update(
            {"wsgi.input": io.BytesIO(raw), "CONTENT_LENGTH": str(len(raw)),
             "CONTENT_TYPE": "application/json", "HTTP_X_A_TRACK_KEY": key}
        )  # fmt: skip
        statuses: list[str] = []
        chunks = app(environ, lambda status, headers, *_: statuses.append(status))
        seen["body"] = json.loads(b"".join(chunks))
        seen["status"] = statuses[0]
        seen["open_before_close"] = connections["default"].connection is not None
        if close:
            chunks.close()  # type: ignore[attr-defined]
        seen["open_after"] = connections["default"].connection is not None
        connections.close_all()

    thread = threading.Thread(target=serve)
    thread.start()
    thread.join(30)
    return seen


EVENT = {"uuid": "b19412c6-6a91-4e18-890d-e2269a0d1249", "event": "x", "synchronous": True}


def test_closing_the_response_closes_an_obsolete_connection(
    project_db: CreatedProject, max_age_zero: None, api_process: App
) -> None:
    seen = post_in_a_thread(api_process, "/event", EVENT, project_db.public_key, close=True)
    assert seen["status"].startswith("201"), seen
    assert seen["body"]["success"] is True
    assert seen["open_before_close"] is True  # the synchronous write used the database
    assert seen["open_after"] is False


def test_a_connection_within_its_max_age_is_kept(
    project_db: CreatedProject, api_process: App
) -> None:
    seen = post_in_a_thread(api_process, "/event", EVENT, project_db.public_key, close=True)
    assert seen["status"].startswith("201"), seen
    assert seen["open_after"] is True  # CONN_MAX_AGE 600: reused by the next request
