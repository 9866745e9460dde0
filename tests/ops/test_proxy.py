"""The documented production topology: nginx (Debian's, with docker/nginx.conf.template)
sends the keyed API to the API process and the rest to the whole service, and holds
against slow clients: 200 slow-body connections held open, and /health still answers
within a second. Without the proxy, four such connections (granian's blocking threads
here) stop the WSGI service: the test shows that too. The embedded default
(scripts/serve: ASGI, bodies read on the event loop) holds them alone."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import shutil
import socket
import string
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from atrack.api.urls import keyed as api_routes
from tests.conftest import require
from tests.ingest.stack import free_port, wait_until

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def slow_head(key: str) -> bytes:
    """An /init with a real public key: the service reads its body once the key is known."""
    return (
        b"POST /init HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: 200\r\nx-a-track-key: " + key.encode() + b"\r\n\r\n{"
    )


def health(port: int, timeout: float) -> float | None:
    """Seconds until GET /health answered 200, or None if it did not within `timeout`."""
    started = time.monotonic()
    try:
        ok = request(port, "GET", "/health", timeout=timeout)[0] == 200
    except OSError:
        return None
    return time.monotonic() - started if ok else None


def request(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10,
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


@contextlib.contextmanager
def slow_clients(port: int, count: int, key: str) -> Iterator[list[socket.socket]]:
    """`count` connections that sent their headers and one byte of a 200-byte body."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(slow_head(key))
            sockets.append(sock)
        time.sleep(0.5)  # let the server take them up
        yield sockets
    finally:
        for sock in sockets:
            sock.close()


@dataclass
class Service:
    port: int
    key: str


API = ["--interface", "wsgi", "--blocking-threads", "4", "atrack.wsgi_api:application"]
WEB = ["--interface", "wsgi", "--blocking-threads", "4", "atrack.wsgi:application"]
# As scripts/serve runs the embedded default.
EMBEDDED = [
    "--interface",
    "asginl",
    "--http1-header-read-timeout",
    "10000",
    "atrack.asgi:application",
]


@pytest.fixture
def granian(tmp_path: Path) -> Iterator[Service]:
    """The API process."""
    env, key = prepared(tmp_path)
    with started_granian(tmp_path / "api.log", env, key, API) as service:
        yield service


@pytest.fixture
def web(granian: Service, tmp_path: Path) -> Iterator[Service]:
    """The whole service, on the same database as `granian`."""
    env, _ = prepared(tmp_path, create=False)
    with started_granian(tmp_path / "web.log", env, granian.key, WEB) as service:
        yield service


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[Service]:
    env, key = prepared(tmp_path, BODY_READ_SECONDS="2")
    with started_granian(tmp_path / "embedded.log", env, key, EMBEDDED) as service:
        yield service


def prepared(tmp_path: Path, *, create: bool = True, **settings: str) -> tuple[dict[str, str], str]:
    """The service's environment, on a migrated SQLite database, and a project's public key
    (made when `create`)."""
    require(os.access(BIN / "granian", os.X_OK), "needs granian in the virtualenv")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "CELERY_"))},
        "ATRACK_VAR_DIR": str(tmp_path / "var"),
        "SECRET_KEY": "proxy-test-key",
        "DEBUG": "false",
        **settings,
    }
    if not create:
        return env, ""
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120
    )
    created = subprocess.run(
        [sys.executable, "manage.py", "createproject", "Slow", "--json"],
        cwd=ROOT, env=env, check=True, timeout=120, capture_output=True, text=True,
    )  # fmt: skip
    return env, json.loads(created.stdout.strip().splitlines()[-1])["public_key"]


@contextlib.contextmanager
def started_granian(
    path: Path, env: dict[str, str], key: str, args: list[str]
) -> Iterator[Service]:
    port = free_port()
    log = path.open("wb")
    server = subprocess.Popen(
        [str(BIN / "granian"), "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
         "--no-ws", *args],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        wait_until(lambda: health(port, 1) is not None, timeout=60, what="granian /health")
        yield Service(port, key)
    finally:
        os.killpg(server.pid, 9)
        server.wait(timeout=10)
        log.close()


@pytest.fixture
def nginx(granian: Service, web: Service, tmp_path: Path) -> Iterator[Service]:
    require(os.access(NGINX, os.X_OK), "needs nginx (Debian's nginx-light)")
    port = free_port()
    template = (ROOT / "docker" / "nginx.conf.template").read_text()
    server = string.Template(template).safe_substitute(
        ATRACK_API_UPSTREAM=f"127.0.0.1:{granian.port}",
        ATRACK_WEB_UPSTREAM=f"127.0.0.1:{web.port}",
        LISTEN_PORT=f"127.0.0.1:{port}",
    )
    temp = tmp_path / "nginx"
    temp.mkdir()
    (temp / "server.conf").write_text(server)
    (temp / "nginx.conf").write_text(
        f"daemon off;\npid {temp}/nginx.pid;\nerror_log {temp}/error.log;\nuser root;\n"
        "events { worker_connections 1024; }\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {temp}/body;\n"
        f"  proxy_temp_path {temp}/proxy;\n  fastcgi_temp_path {temp}/fastcgi;\n"
        f"  uwsgi_temp_path {temp}/uwsgi;\n  scgi_temp_path {temp}/scgi;\n"
        f"  include {temp}/server.conf;\n}}\n"
    )
    proxy = subprocess.Popen(
        [NGINX, "-c", str(temp / "nginx.conf"), "-p", str(temp)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        wait_until(lambda: health(port, 1) is not None, timeout=30, what="nginx /health")
        yield Service(port, granian.key)
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)


def api_location() -> str:
    """The regular expression of the proxy's location for the API process."""
    template = (ROOT / "docker" / "nginx.conf.template").read_text()
    found = re.search(r"location ~ (\S+) \{\s*proxy_pass http://atrack_api;", template)
    assert found is not None
    return found.group(1)


def test_the_proxy_sends_exactly_the_keyed_apis_paths_to_the_api_process() -> None:
    pattern = api_location()
    assert all(re.search(pattern, f"/{route.pattern}") for route in api_routes)
    others = ["/health", "/metrics", "/admin/", "/docs", "/openapi.json", "/sdk/atrack.js"]
    assert not any(re.search(pattern, path) for path in [*others, "/event/", "/events"])


def test_the_proxy_routes_the_api_and_the_dashboard_to_their_processes(nginx: Service) -> None:
    body = json.dumps({"uuid": "b19412c6-6a91-4e18-890d-e2269a0d1249", "event": "x"}).encode()
    headers = {"Content-Type": "application/json", "x-a-track-key": nginx.key}
    status, answered, _ = request(nginx.port, "POST", "/event", body, headers)
    assert status in (200, 201)
    assert "x-frame-options" not in answered  # the API process: no dashboard middleware
    status, answered, _ = request(nginx.port, "GET", "/admin/login/")
    assert status == 200
    assert answered["x-frame-options"] == "DENY"  # the whole service's middleware


def test_four_slow_bodies_stop_granian_alone(granian: Service) -> None:
    with slow_clients(granian.port, 4, granian.key):
        assert health(granian.port, timeout=2) is None


def test_behind_the_proxy_two_hundred_slow_bodies_leave_health_answering(
    nginx: Service, granian: Service
) -> None:
    with slow_clients(nginx.port, 200, nginx.key):
        waits = [health(nginx.port, timeout=1) for _ in range(5)]
        assert all(wait is not None and wait < 1 for wait in waits), waits
        assert health(granian.port, timeout=1) is not None  # nginx holds them, not granian


def test_the_proxy_answers_an_oversized_body_in_json(nginx: Service) -> None:
    body = b"x" * (600 * 1024)
    headers = {"Content-Type": "application/json"}
    status, _, content = request(nginx.port, "POST", "/batch", body, headers)
    assert status == 413
    assert b'"payload_too_large"' in content


def test_the_embedded_default_holds_two_hundred_slow_bodies_and_times_them_out(
    embedded: Service,
) -> None:
    with slow_clients(embedded.port, 200, embedded.key) as sockets:
        waits = [health(embedded.port, timeout=1) for _ in range(5)]
        assert all(wait is not None and wait < 1 for wait in waits), waits
        sockets[0].settimeout(5)
        answer = sockets[0].recv(4096)  # BODY_READ_SECONDS is 2 here
    assert answer.startswith(b"HTTP/1.1 408")
    assert b'"request_timeout"' in answer


def test_a_refused_body_is_read_first_so_the_client_gets_the_413(granian: Service) -> None:
    """A client still writing a body the service refuses must read the 413, not a
    broken pipe: the service reads the body (up to 1 MiB) before answering."""
    body = json.dumps({"uuid": "b19412c6-6a91-4e18-890d-e2269a0d1249", "event": "big",
                       "attributes": {"blob": "x" * 400_000}}).encode()  # fmt: skip
    for _ in range(3):
        sock = socket.create_connection(("127.0.0.1", granian.port), timeout=5)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 16384)
        sock.sendall(
            b"POST /event HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"x-a-track-key: " + granian.key.encode() + b"\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body)
        )
        for start in range(0, len(body), 8192):
            sock.sendall(body[start : start + 8192])
        answer = sock.recv(4096)
        sock.close()
        assert answer.startswith(b"HTTP/1.1 413"), answer[:80]
