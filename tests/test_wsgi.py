"""The WSGI entry points: the API process (atrack/wsgi_api.py) runs the API's short
middleware list and routes, the whole service (atrack/wsgi.py) the full chain."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from atrack.chunked import App
from atrack.wsgi import application
from projects.services import CreatedProject

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """As Django's test client does: the request signals must not close the connection
    that holds the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def call(
    method: str, path: str, body: bytes = b"", app: App = application, **headers: str
) -> tuple[str, dict[str, str], bytes]:
    environ: dict[str, Any] = {"REQUEST_METHOD": method, "PATH_INFO": path}
    setup_testing_defaults(environ)
    environ.update({"wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))})
    environ.update({f"HTTP_{k.upper()}": v for k, v in headers.items()})
    if body:
        environ["CONTENT_TYPE"] = "application/json"
    replies: list[tuple[str, list[tuple[str, str]]]] = []
    chunks = app(environ, lambda status, headers, *_: replies.append((status, headers)))
    content = b"".join(chunks)
    status, header_list = replies[0]
    return status, {k.lower(): v for k, v in header_list}, content


def test_the_api_process_skips_the_dashboard_middleware(
    project: CreatedProject, api_process: App
) -> None:
    body = json.dumps({"uuid": "b19412c6-6a91-4e18-890d-e2269a0d1249", "event": "x"}).encode()
    status, headers, content = call(
        "POST", "/event", body, api_process, x_a_track_key=project.public_key
    )
    assert status.startswith("201") or status.startswith("200"), content
    assert json.loads(content)["success"] is True
    assert headers["x-content-type-options"] == "nosniff"  # security middleware kept
    assert headers["content-length"] == str(len(content))  # common middleware kept
    assert "x-frame-options" not in headers  # the dashboard's chain did not run
    assert "set-cookie" not in headers
    assert "cookie" not in headers.get("vary", "").lower()


def test_the_whole_service_runs_the_full_middleware_for_the_dashboard_and_the_api(
    project: CreatedProject,
) -> None:
    status, headers, _ = call("GET", "/admin/login/")
    assert status.startswith("200")
    assert headers["x-frame-options"] == "DENY"
    assert "csrftoken" in headers.get("set-cookie", "")
    body = json.dumps({"uuid": "b19412c6-6a91-4e18-890d-e2269a0d1249", "event": "x"}).encode()
    status, headers, content = call("POST", "/event", body, x_a_track_key=project.public_key)
    assert status[:3] in ("200", "201"), content
    assert "set-cookie" not in headers


def test_the_api_process_serves_no_dashboard(api_process: App) -> None:
    status, _, content = call("GET", "/admin/login/", app=api_process)
    assert status.startswith("404")
    assert json.loads(content)["success"] is False
    assert call("GET", "/health", app=api_process)[0].startswith("200")


def test_an_unknown_path_gets_the_json_404() -> None:
    status, _, content = call("GET", "/nowhere")
    assert status.startswith("404")
    assert json.loads(content)["success"] is False


def test_api_requests_are_counted_by_endpoint(
    project: CreatedProject, settings: Any, api_process: App
) -> None:
    settings.METRICS_TOKEN = "t"
    body = json.dumps({"uuid": "b19412c6-6a91-4e18-890d-e2269a0d1249", "event": "x"}).encode()

    def event_count() -> float:
        _, _, text = call("GET", "/metrics", app=api_process, authorization="Bearer t")
        return sum(
            float(line.rsplit(" ", 1)[1])
            for line in text.decode().splitlines()
            if line.startswith("atrack_http_requests_total{")
            and 'endpoint="event"' in line
            and 'method="POST"' in line
        )

    before = event_count()
    for _ in range(2):
        status, _, content = call(
            "POST", "/event", body, api_process, x_a_track_key=project.public_key
        )
        assert status[:3] in ("200", "201"), content
    assert event_count() - before == 2


def test_the_allow_header_names_each_routes_methods(
    project: CreatedProject, api_process: App
) -> None:
    key = project.secret_key
    status, headers, _ = call("GET", "/event", app=api_process, x_a_track_key=key)
    assert status.startswith("405")
    assert headers["allow"] == "POST, OPTIONS"
    status, headers, _ = call("DELETE", "/event/show", app=api_process, x_a_track_key=key)
    assert status.startswith("405"), status
    assert headers["allow"] == "POST, OPTIONS"  # reads are POSTs too


def test_the_api_process_logs_failures(caplog: pytest.LogCaptureFixture, api_process: App) -> None:
    with caplog.at_level("INFO", logger="atrack.access"):
        status, _, content = call(
            "POST", "/event", b"{}", api_process, x_a_track_key="atk_pub_unknown"
        )
    assert status.startswith("401"), content
    assert json.loads(content)["error"]["code"] == "invalid_key"
    assert any(r.getMessage() == "POST /event 401" for r in caplog.records)


def test_the_api_process_answers_a_host_not_served_in_json(api_process: App) -> None:
    status, _, content = call("POST", "/event", b"{}", api_process, host="evil.example")
    assert status.startswith("400"), status
    assert json.loads(content)["error"]["code"] == "invalid_host"


def chunked(path: str, body: bytes, key: str) -> tuple[str, bytes]:
    """A request as granian passes a chunked body: de-chunked, with no Content-Length."""
    environ: dict[str, Any] = {"REQUEST_METHOD": "POST", "PATH_INFO": path}
    setup_testing_defaults(environ)
    environ.update(
        {
            "wsgi.input": io.BytesIO(body),
            "CONTENT_TYPE": "application/json",
            "HTTP_TRANSFER_ENCODING": "chunked",
            "HTTP_X_A_TRACK_KEY": key,
        }
    )
    replies: list[str] = []
    content = b"".join(application(environ, lambda status, *_: replies.append(status)))
    return replies[0], content


def test_a_chunked_body_is_read_not_taken_as_empty(project: CreatedProject) -> None:
    uuid = "b19412c6-6a91-4e18-890d-e2269a0d1249"
    status, content = chunked("/init", json.dumps({"uuid": uuid}).encode(), project.public_key)
    assert status.startswith("201"), content
    assert json.loads(content)["uuid"] == uuid


def test_a_chunked_body_over_the_limits_is_413(project: CreatedProject) -> None:
    status, content = chunked("/event", b"x" * (70 * 1024), project.public_key)
    assert status.startswith("413"), content
    status, content = chunked("/batch", b"x" * (600 * 1024), project.public_key)
    assert status.startswith("413"), content
    assert json.loads(content)["error"]["code"] == "payload_too_large"
