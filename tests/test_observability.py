"""Metrics move with real requests; logs are JSON lines with no key and, when asked, no IP."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from atrack.observability import JsonFormatter, RequestFilter
from projects.services import CreatedProject

pytestmark = pytest.mark.django_db
U = "b19412c6-6a91-4e18-890d-e2269a0d1249"
TOKEN = "metrics-secret"


def scrape(client: Client) -> str:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    return response.content.decode()


def value(text: str, name: str, **labels: str) -> float:
    for line in text.splitlines():
        if line.startswith(name) and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def post_event(client: Client, key: str, **extra: Any) -> Any:
    body = json.dumps({"uuid": U, "event": "signup", "synchronous": True})
    return client.post(
        "/event", body, content_type="application/json", HTTP_X_A_TRACK_KEY=key, **extra
    )


def test_metrics_are_off_without_a_token_and_closed_without_the_right_one(
    client: Client, settings: Any
) -> None:
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    settings.METRICS_TOKEN = TOKEN
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION=TOKEN).status_code == 401  # no scheme
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Token {TOKEN}").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200


def test_counters_move_with_real_requests(
    client: Client, project: CreatedProject, settings: Any
) -> None:
    settings.METRICS_TOKEN = TOKEN
    before = scrape(client)
    for _ in range(3):
        assert post_event(client, project.public_key).status_code in (200, 201)
    post_event(client, "atk_pub_unknown")
    after = scrape(client)
    requests = "atrack_http_requests_total"
    assert (
        value(after, requests, endpoint="event", status="201")
        - value(before, requests, endpoint="event", status="201")
        == 1
    )
    assert (
        value(after, requests, endpoint="event", status="200")
        - value(before, requests, endpoint="event", status="200")
        == 2
    )
    assert (
        value(after, requests, endpoint="event", status="401")
        - value(before, requests, endpoint="event", status="401")
        == 1
    )
    assert (
        value(after, "atrack_events_stored_total") - value(before, "atrack_events_stored_total")
        == 3
    )
    assert value(after, "atrack_http_request_seconds_count", endpoint="event") >= 4
    assert "atrack_failed_work_pending" in after


def _captured(level: int) -> Iterator[io.StringIO]:
    """The root logger's output from `level` up, formatted as the console handler does."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(level)
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_level)


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    yield from _captured(logging.INFO)


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_log_lines_are_json_with_request_id_project_and_key_prefix_never_the_key(
    client: Client, project: CreatedProject, json_log: io.StringIO
) -> None:
    response = post_event(client, project.public_key, HTTP_X_REQUEST_ID="req-42")
    assert response["X-Request-ID"] == "req-42"
    entries = lines(json_log)
    access = [e for e in entries if e["logger"] == "atrack.access"]
    assert access
    assert access[0]["request_id"] == "req-42"
    assert access[0]["project"] == project.project.slug
    assert access[0]["key_prefix"] == project.public_key[:16]
    assert access[0]["status"] in (200, 201)
    assert project.public_key not in json_log.getvalue()
    assert access[0]["ip"] == "127.0.0.1"  # this project does not anonymise


def test_an_anonymising_project_gets_no_ip_in_any_log_line(
    client: Client, project: CreatedProject, json_log: io.StringIO
) -> None:
    project.project.anonymize_ip = True
    project.project.save()
    post_event(client, project.public_key)
    text = json_log.getvalue()
    assert lines(json_log)
    assert not re.search(r"\b127\.0\.0\.1\b", text)
    assert project.public_key not in text


@pytest.mark.parametrize(("mode", "logged"), [("all", [201, 401]), ("errors", [401]), ("off", [])])
def test_access_log_setting_chooses_which_requests_get_a_line(
    client: Client,
    project: CreatedProject,
    json_log: io.StringIO,
    settings: Any,
    mode: str,
    logged: list[int],
) -> None:
    settings.ACCESS_LOG = mode
    post_event(client, project.public_key)
    post_event(client, "atk_pub_unknown")
    access = [e for e in lines(json_log) if e["logger"] == "atrack.access"]
    assert sorted(e["status"] for e in access) == logged


@pytest.fixture
def service_log() -> Iterator[io.StringIO]:
    yield from _captured(logging.DEBUG)


def test_no_refusal_writes_a_key_into_any_log_line(
    client: Client, project: CreatedProject, service_log: io.StringIO, settings: Any
) -> None:
    from projects.services import key_revoke

    public, secret = project.public_key, project.secret_key
    project.project.allowed_origins = ["https://shop.example"]
    project.project.save()
    body = json.dumps({"uuid": "b19412c6-6a91-4e18-890d-e2269a0d1249", "event": "x"})
    refusals = [
        ("post", f"/event/show?key={secret}", body, {"HTTP_X_A_TRACK_KEY": secret}),
        ("post", f"/event?key={public}", "{bad", {"HTTP_X_A_TRACK_KEY": public}),
        ("post", "/session/show", body, {"HTTP_X_A_TRACK_KEY": public}),
        (
            "post",
            "/event",
            body,
            {"HTTP_X_A_TRACK_KEY": public, "HTTP_ORIGIN": "https://evil.example"},
        ),
        ("post", "/event", "x" * 70_000, {"HTTP_X_A_TRACK_KEY": public}),
        ("get", f"/event?key={secret}", None, {"HTTP_X_A_TRACK_KEY": public}),
        ("post", f"/nowhere?key={secret}", body, {}),
        ("get", f"/static/nowhere.js?key={public}", None, {}),
        ("post", "/event", body, {"HTTP_AUTHORIZATION": f"Bearer {secret}x"}),
    ]
    for method, path, data, headers in refusals:
        extra: dict[str, Any] = dict(headers)
        response = client.generic(
            method.upper(), path, data or "", content_type="application/json", **extra
        )
        assert response.status_code >= 400, path
    settings.RATE_LIMIT_PER_SECOND = 1
    for _ in range(3):
        post_event(client, public)
    key_revoke(prefix=public[:16])
    assert post_event(client, public).status_code == 403
    text = service_log.getvalue()
    assert public not in text
    assert secret not in text
    refused = [
        e for e in lines(service_log) if e["logger"] == "atrack.access" and e["status"] >= 400
    ]
    assert {e["status"] for e in refused} >= {400, 401, 403, 404, 405, 413, 429}
    assert all(e.get("request_id") for e in refused)
    keyed = [e for e in refused if e["status"] == 429]
    assert keyed
    assert all(e["key_prefix"] == public[:16] for e in keyed)
    assert all(e["project"] == project.project.slug for e in keyed)


def test_a_stray_key_in_a_message_is_cut_to_its_prefix(service_log: io.StringIO) -> None:
    key = "atk_sec_AbCd1234" + "x" * 32
    logging.getLogger("anything").warning("got %s from a client", key)
    assert key not in service_log.getvalue()
    assert "atk_sec_AbCd1234…" in service_log.getvalue()
