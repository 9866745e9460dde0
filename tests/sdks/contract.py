"""The contract suite's launcher and a runner of its cases with the Python SDK.

sdks/contract/README.md specifies the case format; this is the Python reading of it.
"""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from atrack_sdk import ATrackClient, ATrackError

CONTRACT = Path(__file__).resolve().parents[2] / "sdks" / "contract"
CASES = sorted((CONTRACT / "cases").glob("*.json"))
INVALID_KEY = "atk_pub_0000000000000000000000000000000000000000"
PLACEHOLDER = re.compile(r"\{\{(\w+)(?::([^}]*))?\}\}")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@contextlib.contextmanager
def launched(*args: str, timeout: float = 120) -> Iterator[dict[str, Any]]:
    """Run sdks/contract/serve.py; yield its JSON line; stop it (close stdin) at the end."""
    proc = subprocess.Popen(
        [sys.executable, str(CONTRACT / "serve.py"), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdin is not None
    try:
        line = proc.stdout.readline()
        if not line:
            proc.wait(timeout=timeout)
            raise RuntimeError(f"serve.py exited: {proc.stderr.read() if proc.stderr else ''}")
        yield json.loads(line)
    finally:
        proc.stdin.close()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


class Case:
    """One case file, played step by step with fresh placeholders."""

    def __init__(self, path: Path, service: dict[str, Any]) -> None:
        self.spec = json.loads(path.read_text())
        self.service = service
        self.uuids: dict[str, str] = {}
        self.vars: dict[str, Any] = {}

    def fill(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {self.fill(k): self.fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.fill(v) for v in value]
        if isinstance(value, str):
            return PLACEHOLDER.sub(lambda m: self.placeholder(m[1], m[2]), value)
        return value

    def placeholder(self, name: str, arg: str | None) -> str:
        if name in ("uuid", "UUID"):
            value = self.uuids.setdefault(str(arg), str(uuid.uuid4()))
            return value.upper() if name == "UUID" else value
        if name == "var":
            return str(self.vars[str(arg)])
        if name == "pad":
            return "x" * int(str(arg))
        if name == "invalid_key":
            return INVALID_KEY
        return str(self.service[name])  # public_key, secret_key

    def play(self) -> None:
        for index, raw in enumerate(self.spec["steps"]):
            step = self.fill(raw)
            try:
                self.play_step(step)
            except AssertionError as exc:
                raise AssertionError(f"step {index + 1} ({step['name']}): {exc}") from None

    def play_step(self, step: dict[str, Any]) -> None:
        endpoint = self.service[
            {"service": "endpoint", "limited": "limited_endpoint", "proxy": "proxy_endpoint"}[
                step.get("target", "service")
            ]
        ]
        if "fault" in step:
            post(self.service["fault_url"], json.dumps(step["fault"]).encode(), {})
        expect = step["expect"]
        for _attempt in range(step.get("attempts", 1)):
            started = time.monotonic()
            if "http" in step:
                status, body, headers = self.http(endpoint, step["http"])
            else:
                status, body, headers = self.call(endpoint, step)
            elapsed_ms = (time.monotonic() - started) * 1000
            if status == expect["status"]:
                break
        check(expect, status, body, headers, elapsed_ms, is_call="call" in step)
        for name, path in step.get("save", {}).items():
            self.vars[name] = dig(body, path)

    def http(self, endpoint: str, request: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        raw = request.get("raw_body")
        data = raw.encode() if raw is not None else json.dumps(request.get("body")).encode()
        return post(endpoint + request["path"], data, request.get("headers", {}))

    def call(self, endpoint: str, step: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        key = step.get("key", "both")
        client = ATrackClient(
            public_key=INVALID_KEY if key == "invalid" else self.service["public_key"],
            secret_key=self.service["secret_key"] if key == "both" else None,
            endpoint=endpoint,
            max_retries=step.get("retries", 3),
        )
        op, args = step["call"]["op"], step["call"].get("args", {})
        try:
            if op in ("init", "track"):
                result = getattr(client, op)(args["payload"])
            elif op == "batch":
                result = client.batch(args["items"])
            elif op == "event_show":
                result = client.event_show(args.pop("name"), **args)
            else:  # set_attributes, session_show, delete_session: keyword arguments
                result = getattr(client, op)(**args)
        except ATrackError as error:
            answer = {"code": error.code, "fields": error.fields, "retry_after": error.retry_after}
            return error.status or 0, answer, {}
        return 200, result, {}


def post(url: str, data: bytes, headers: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
    request = urllib.request.Request(url, data=data, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, raw, got = response.status, response.read(), response.headers
    except urllib.error.HTTPError as exc:
        status, raw, got = exc.code, exc.read(), exc.headers
    body = json.loads(raw) if raw else None
    return status, body, {k.lower(): v for k, v in got.items()}


def dig(body: Any, path: str) -> Any:
    for part in path.split("."):
        body = body[int(part)] if isinstance(body, list) else body[part]
    return body


def check(
    expect: dict[str, Any],
    status: int,
    body: Any,
    headers: dict[str, str],
    elapsed_ms: float,
    *,
    is_call: bool,
) -> None:
    wanted = expect["status"]
    if is_call and 200 <= wanted < 300:
        assert status == 200, f"expected success, got {status} {body}"
    else:
        assert status == wanted, f"expected HTTP {wanted}, got {status} {body}"
    if "error" in expect:
        code = body["code"] if is_call else body["error"]["code"]
        assert code == expect["error"], f"expected error {expect['error']}, got {code}"
    for name in expect.get("fields", []):
        fields = (body.get("fields") if is_call else body["error"].get("fields")) or {}
        assert name in fields, f"expected a message for field {name!r}, got {fields}"
    if expect.get("retry_after"):
        assert body["retry_after"] is not None, "expected retry_after on the error"
    for name, pattern in expect.get("headers", {}).items():
        assert name in headers, f"expected header {name}, got {sorted(headers)}"
        match(pattern, headers[name], f"header {name}")
    if "json" in expect:
        match(expect["json"], body, "body")
    assert elapsed_ms >= expect.get("min_elapsed_ms", 0), f"took only {elapsed_ms:.0f} ms"


MATCHERS = {
    "<any>": lambda v: True,
    "<string>": lambda v: isinstance(v, str),
    "<int>": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "<number>": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "<uuid>": lambda v: isinstance(v, str) and bool(UUID.match(v)),
    "<timestamp>": lambda v: isinstance(v, str) and bool(TIMESTAMP.match(v)),
}


def match(expected: Any, actual: Any, where: str) -> None:
    if isinstance(expected, str) and expected in MATCHERS:
        if expected == "<int>" and isinstance(actual, str):
            actual = int(actual) if actual.isdigit() else actual  # header values
        assert MATCHERS[expected](actual), f"{where}: {actual!r} is not {expected}"
    elif isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected an object, got {actual!r}"
        for key, value in expected.items():
            if value == "<absent>":
                assert key not in actual, f"{where}.{key} should be absent"
                continue
            assert key in actual, f"{where}.{key} is missing (have {sorted(actual)})"
            match(value, actual[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{where}: expected an array, got {actual!r}"
        assert len(actual) == len(expected), f"{where}: {len(actual)} items, not {len(expected)}"
        for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
            match(want, got, f"{where}[{index}]")
    elif isinstance(expected, str) and isinstance(actual, str) and where.startswith("header"):
        assert actual.split(";")[0].strip() == expected, f"{where}: {actual!r} != {expected!r}"
    else:
        assert expected == actual, f"{where}: {actual!r} != {expected!r}"
