"""The embedded default's ASGI entry point reads each body whole, under the proxy's
limits, before Django sees it (atrack/asgi.py)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import MutableMapping
from typing import Any

from atrack.asgi import BufferedBodies

Message = MutableMapping[str, Any]


def run(
    guard_seconds: float, messages: list[Message], *, max_bytes: int = 10, hang: bool = False
) -> tuple[list[Message], dict[str, Any]]:
    """Drive BufferedBodies with `messages` from the client; what it sent back, and what
    the inner app saw (its scope's headers and the body it received)."""
    sent: list[Message] = []
    seen: dict[str, Any] = {}

    async def app(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        message = await receive()
        seen.update(headers=dict(scope["headers"]), body=message["body"], more=message["more_body"])
        await send({"type": "http.response.start", "status": 204, "headers": []})

    async def receive() -> Message:
        if messages:
            return messages.pop(0)
        if hang:
            await asyncio.sleep(60)
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    headers = [(b"transfer-encoding", b"chunked"), (b"x-a-track-key", b"k")]
    scope = {"type": "http", "method": "POST", "path": "/event", "headers": headers}
    guard = BufferedBodies(app, max_bytes=max_bytes, seconds=guard_seconds)
    asyncio.run(guard(scope, receive, send))
    return sent, seen


def chunk(body: bytes, more: bool = True) -> Message:
    return {"type": "http.request", "body": body, "more_body": more}


def test_a_chunked_body_reaches_django_whole_with_its_length() -> None:
    sent, seen = run(1, [chunk(b'{"a"'), chunk(b":1}", more=False)])
    assert seen["body"] == b'{"a":1}'
    assert seen["more"] is False
    assert seen["headers"][b"content-length"] == b"7"
    assert b"transfer-encoding" not in seen["headers"]
    assert seen["headers"][b"x-a-track-key"] == b"k"
    assert sent[0]["status"] == 204


def test_a_body_over_the_limit_is_a_json_413_and_django_never_runs() -> None:
    sent, seen = run(1, [chunk(b"x" * 8), chunk(b"x" * 8, more=False)], max_bytes=10)
    assert not seen
    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"])["error"]["code"] == "payload_too_large"


def test_a_body_that_comes_too_slowly_is_a_json_408() -> None:
    sent, seen = run(0.05, [chunk(b"{")], hang=True)
    assert not seen
    assert sent[0]["status"] == 408
    assert json.loads(sent[1]["body"])["error"]["code"] == "request_timeout"


def test_a_client_that_leaves_mid_body_gets_nothing() -> None:
    sent, seen = run(1, [chunk(b"{")])
    assert (sent, seen) == ([], {})
