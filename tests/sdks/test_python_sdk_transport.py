"""The Python SDK's transport against a scripted local HTTP server: retries, back-off, timeouts."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from atrack_sdk import (
    ATrackClient,
    PayloadTooLargeError,
    RequestTimeoutError,
    ServerError,
    ServiceUnavailableError,
    TransportError,
)

Answer = tuple[int, dict[str, str], Any]  # status, headers, body (or ("sleep", seconds))


class Scripted:
    """A local server answering each request with the next scripted answer."""

    def __init__(self, answers: list[Any]) -> None:
        self.answers = answers
        self.requests: list[dict[str, Any]] = []
        scripted = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"null")
                scripted.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                answer = scripted.answers.pop(0) if scripted.answers else (200, {}, None)
                if answer[0] == "sleep":
                    time.sleep(answer[1])
                    answer = (200, {}, None)
                status, headers, payload = answer
                if payload is None:
                    payload = {"success": True, "uuid": (body or {}).get("uuid"), "queued": False}
                raw = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(raw)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def scripted() -> Iterator[Any]:
    servers: list[Scripted] = []

    def make(*answers: Any) -> Scripted:
        server = Scripted(list(answers))
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.close()


def sdk_for(url: str, slept: list[float], **options: Any) -> ATrackClient:
    sdk = ATrackClient(public_key="atk_pub_test", endpoint=url, **options)
    sdk._sleep = slept.append  # record the back-off instead of waiting
    return sdk


def error(code: str) -> dict[str, Any]:
    return {"success": False, "error": {"code": code, "message": code}}


def test_5xx_is_retried_with_growing_jittered_backoff_and_the_same_event_id(scripted: Any) -> None:
    server = scripted(
        (500, {}, error("server_error")),
        (502, {}, "bad gateway"),
        (503, {}, error("unavailable")),
    )
    slept: list[float] = []
    sdk = sdk_for(server.url, slept, backoff_factor=1.0, max_retries=3)
    assert sdk.track({"event": "e", "uuid": "b19412c6-6a91-4e18-890d-e2269a0d1249"})["success"]
    assert len(server.requests) == 4
    assert len({r["body"]["id"] for r in server.requests}) == 1
    assert len({r["body"]["sent_at"] for r in server.requests}) == 4  # a fresh sent_at each try
    assert 0.5 <= slept[0] <= 1
    assert 1 <= slept[1] <= 2
    assert 2 <= slept[2] <= 4
    headers = {k.lower(): v for k, v in server.requests[0]["headers"].items()}
    assert headers["x-a-track-key"] == "atk_pub_test"
    assert headers["content-type"] == "application/json"
    assert server.requests[0]["path"] == "/event"


def test_retry_after_is_honoured_in_seconds_and_as_a_date(scripted: Any) -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    server = scripted(
        (429, {"Retry-After": "7"}, error("rate_limited")),
        (503, {"Retry-After": later}, error("unavailable")),
    )
    slept: list[float] = []
    sdk_for(server.url, slept).init()
    assert slept[0] == 7
    assert 25 <= slept[1] <= 30


def test_giving_up_raises_the_typed_error(scripted: Any) -> None:
    server = scripted(*[(503, {"Retry-After": "1"}, error("unavailable"))] * 3)
    slept: list[float] = []
    with pytest.raises(ServiceUnavailableError) as caught:
        sdk_for(server.url, slept, max_retries=2).init()
    assert isinstance(caught.value, ServerError)
    assert caught.value.retry_after == 1
    assert len(server.requests) == 3


def test_4xx_is_not_retried(scripted: Any) -> None:
    server = scripted((413, {}, error("payload_too_large")))
    slept: list[float] = []
    with pytest.raises(PayloadTooLargeError):
        sdk_for(server.url, slept).track(
            {"event": "big", "uuid": "b19412c6-6a91-4e18-890d-e2269a0d1249"}
        )
    assert len(server.requests) == 1
    assert slept == []


def test_network_errors_are_retried_then_raised() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed once we leave: connection refused
    slept: list[float] = []
    sdk = sdk_for(f"http://127.0.0.1:{port}", slept, max_retries=2)
    with pytest.raises(TransportError) as caught:
        sdk.init()
    assert caught.value.status is None
    assert len(slept) == 2


def test_a_slow_answer_times_out_and_is_retried(scripted: Any) -> None:
    server = scripted(("sleep", 1.5))
    slept: list[float] = []
    sdk = sdk_for(server.url, slept, timeout=0.3, max_retries=1)
    assert sdk.init()["success"]
    assert len(server.requests) == 2
    assert len(slept) == 1

    stuck = scripted(("sleep", 1.5), ("sleep", 1.5))
    with pytest.raises(RequestTimeoutError):
        sdk_for(stuck.url, [], timeout=0.3, max_retries=1).init()


def test_init_without_uuid_keeps_one_uuid_across_retries(scripted: Any) -> None:
    server = scripted((500, {}, error("server_error")))
    sdk = sdk_for(server.url, [])
    result = sdk.init()
    uuids = {r["body"]["uuid"] for r in server.requests}
    assert len(uuids) == 1
    assert result["uuid"] in uuids


def test_the_endpoint_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ATRACK_ENDPOINT", raising=False)
    with pytest.raises(ValueError, match="endpoint"):
        ATrackClient(public_key="k")
    monkeypatch.setenv("ATRACK_ENDPOINT", "http://127.0.0.1:9/")
    assert ATrackClient(public_key="k").endpoint == "http://127.0.0.1:9"


def test_a_batch_too_large_is_split(scripted: Any) -> None:
    def results(n: int) -> dict[str, Any]:
        items = [{"success": True, "uuid": "u", "queued": False}] * n
        return {"success": True, "queued": False, "results": items}

    server = scripted(
        (413, {}, error("too_many_items")), (200, {}, results(2)), (200, {}, results(2))
    )
    failures: list[Any] = []
    sdk = ATrackClient(
        public_key="k",
        endpoint=server.url,
        batching=True,
        flush_interval=0.2,
        on_error=lambda e, item: failures.append(e),
    )
    for n in range(4):
        sdk.track({"event": f"e{n}", "uuid": "b19412c6-6a91-4e18-890d-e2269a0d1249"})
    assert sdk.flush(timeout=10)
    sdk.close()
    sizes = [len(r["body"]["batch"]) for r in server.requests]
    assert sizes == [4, 2, 2]
    assert failures == []
