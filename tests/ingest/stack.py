"""Real processes for delivery tests: the test's own Redis, a granian web server, Celery workers.

Every process runs in its own session (process group) so that one `os.killpg` reaches it
with all its children, and every process is killed at teardown. Every wait is bounded.
The web server and the workers are pointed at the *test* databases this pytest process uses
(the NAME in `connections[alias].settings_dict` is already the test database's name).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connections

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the virtualenv's bin: granian and celery live beside python
START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(
    predicate: Callable[[], Any],
    *,
    timeout: float,
    interval: float = 0.05,
    what: str | Callable[[], str],
) -> Any:
    """Poll `predicate` until it returns something truthy; fail after `timeout` seconds.

    `what` names what is awaited; a callable is asked at failure time (to report state).
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            described = what() if callable(what) else what
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {described}")
        time.sleep(interval)


def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes of the process group `pgid`, read from /proc."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # exited while we looked
        # pid (comm) state ppid pgrp ...: comm may hold spaces, so split after its ')'
        state, _ppid, pgrp = text[text.rindex(")") + 2 :].split()[:3]
        if int(pgrp) == pgid and state not in ("Z", "X"):
            members.append(int(stat.parent.name))
    return members


def database_url(alias: str) -> str:
    """A DATABASE_URL for `alias` as this test process sees it (the test database)."""
    db = connections[alias].settings_dict
    if "postgresql" not in db["ENGINE"]:
        raise RuntimeError(f"alias {alias!r} is not PostgreSQL: {db['ENGINE']}")
    user = quote(str(db.get("USER") or ""), safe="")
    password = quote(str(db.get("PASSWORD") or ""), safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{quote(str(db['NAME']), safe='')}"


def service_env(broker_url: str, **extra: str) -> dict[str, str]:
    """The environment of a web server or worker: test databases, the test's own broker."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DATABASE_URL") and k != "CELERY_BROKER_URL"
    }
    env["DATABASE_URL"] = database_url("default")
    for alias in settings.DATABASES:
        if alias != "default":
            env[f"DATABASE_URL_{alias.upper()}"] = database_url(alias)
    env.update(
        DJANGO_SETTINGS_MODULE="atrack.settings",
        CELERY_BROKER_URL=broker_url,
        SECRET_KEY="test",
        DEBUG="false",
        PYTHONUNBUFFERED="1",
        # High enough never to refuse these tests, low enough that the Redis-backed counter
        # (and its fallback when Redis is down) stays on the request path.
        RATE_LIMIT_PER_SECOND="100000",
    )
    env.update(extra)
    return env


@dataclass
class Proc:
    """A process started in its own session, its output in a log file."""

    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    log_file: IO[bytes]

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log().splitlines()[-lines:])

    def signal_group(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)

    def kill(self) -> None:
        """SIGKILL the whole process group (main process and children) and reap it."""
        self.signal_group(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=10)
        wait_until(
            lambda: not group_members(self.pid),
            timeout=10,
            what=f"every process of {self.name} to die",
        )

    def stop(self, grace: float = 5.0) -> None:
        """SIGTERM the group; SIGKILL whatever is left after `grace` seconds."""
        if self.alive():
            self.signal_group(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=grace)
        # Children may outlive their parent: always sweep the group.
        self.kill()
        self.log_file.close()


def spawn(name: str, args: list[str], env: dict[str, str], log_dir: Path) -> Proc:
    log_path = log_dir / f"{name}.log"
    log_file = log_path.open("ab")
    popen = subprocess.Popen(
        args,
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return Proc(name=name, popen=popen, log_path=log_path, log_file=log_file)


@dataclass
class OwnRedis:
    """A redis-server of this test alone: stopping it touches nothing else."""

    port: int
    proc: Proc
    dir: Path
    client: redis.Redis = field(init=False)

    def __post_init__(self) -> None:
        self.client = redis.Redis(
            host="127.0.0.1", port=self.port, socket_timeout=2, socket_connect_timeout=2
        )

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        try:
            return bool(self.client.ping())
        except redis.RedisError:
            return False

    def freeze(self) -> None:
        """SIGSTOP: the port still accepts connections but nothing answers (a hung broker)."""
        self.proc.signal_group(signal.SIGSTOP)

    def thaw(self) -> None:
        self.proc.signal_group(signal.SIGCONT)

    def restart(self, down: float) -> None:
        """SIGKILL the server, wait `down` seconds, start it again on the same port and
        append-only file (what it had acknowledged is back, bar the last second)."""
        self.proc.kill()
        self.proc.log_file.close()
        time.sleep(down)
        args = [str(arg) for arg in self.proc.popen.args]  # type: ignore[union-attr]
        self.proc = spawn(self.proc.name, args, dict(os.environ), self.dir)
        wait_until(self.ping, timeout=20, interval=0.05, what="redis-server to answer again")

    def terminate(self) -> None:
        """Stop the server for good: the port refuses connections from now on."""
        self.thaw()
        self.proc.signal_group(signal.SIGTERM)
        try:
            self.proc.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        wait_until(lambda: not self.ping(), timeout=10, what="redis to stop answering")

    # Queued work is in the ingest stream; entries a worker read but has not yet
    # acknowledged are pending in its consumer group.
    def stream_length(self) -> int:
        return int(self.client.xlen("atrack:ingest"))

    def stream_pending(self) -> int:
        try:
            return int(self.client.xpending("atrack:ingest", "atrack")["pending"])
        except redis.ResponseError:  # no group yet: no worker has read anything
            return 0

    def broker_state(self) -> str:
        """The stream and its pending entries, per reader."""
        try:
            readers = self.client.xinfo_consumers("atrack:ingest", "atrack")
            return (
                f"stream={self.stream_length()} pending={self.stream_pending()} readers="
                f"{[(r['name'], r['pending'], r['idle']) for r in readers]}"
            )
        except redis.RedisError as exc:
            return f"redis: {exc}"


@dataclass
class Stack:
    """Starts web servers and workers against the test databases and the test's Redis."""

    redis: OwnRedis
    log_dir: Path
    procs: list[Proc] = field(default_factory=list)

    def env(self, **extra: str) -> dict[str, str]:
        return service_env(self.redis.url, **extra)

    def start_web(self, name: str = "web", **extra_env: str) -> Web:
        port = free_port()
        proc = spawn(
            name,
            [
                str(BIN / "granian"),
                "--interface",
                "wsgi",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "1",
                "--blocking-threads",
                "4",
                "--no-ws",
                "atrack.wsgi:application",
            ],
            self.env(**extra_env),
            self.log_dir,
        )
        self.procs.append(proc)
        web = Web(proc=proc, port=port)

        def healthy() -> bool:
            if not proc.alive():
                pytest.fail(f"{name} exited at start:\n{proc.tail()}")
            try:
                return web.get("/health")[0] == 200
            except OSError:
                return False

        wait_until(healthy, timeout=START_TIMEOUT, interval=0.1, what=f"{name} /health")
        return web

    def start_worker(self, name: str = "worker", *, lease: float | None = None) -> Proc:
        """`manage.py ingest --processes 2`; returns once both consumers started.

        With `lease`, entries left unacknowledged are claimed after that many seconds.
        """
        extra = {"INGEST_LEASE_SECONDS": str(lease)} if lease else {}
        proc = spawn(
            name,
            [sys.executable, "manage.py", "ingest", "--processes", "2"],
            self.env(**extra),
            self.log_dir,
        )
        self.procs.append(proc)

        def ready() -> bool:
            if not proc.alive():
                pytest.fail(f"{name} exited at start:\n{proc.tail()}")
            return proc.log().count("ingest consumer") >= 2

        wait_until(ready, timeout=START_TIMEOUT, interval=0.1, what=f"{name} to be ready")
        return proc

    def stop_all(self) -> None:
        for proc in reversed(self.procs):
            proc.stop()

    def dump_logs(self, lines: int = 40) -> None:
        for proc in [self.redis.proc, *self.procs]:
            print(f"\n----- last lines of {proc.name} ({proc.log_path}) -----\n{proc.tail(lines)}")


class Web:
    """A started web server; `client()` gives a keep-alive HTTP connection to it."""

    def __init__(self, proc: Proc, port: int) -> None:
        self.proc = proc
        self.port = port

    def client(self, key: str = "") -> Client:
        return Client(self.port, key)

    def get(self, path: str) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()


@dataclass
class Reply:
    status: int
    body: dict[str, Any]
    seconds: float


class Client:
    """One keep-alive connection (not thread-safe: one per thread), JSON in and out."""

    def __init__(self, port: int, key: str, timeout: float = 30.0) -> None:
        self.port = port
        self.key = key
        self.timeout = timeout
        self.conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        return self.conn

    def post(self, path: str, body: dict[str, Any]) -> Reply:
        data = json.dumps(body).encode()
        headers = {"Content-Type": "application/json", "x-a-track-key": self.key}
        started = time.monotonic()
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request("POST", path, body=data, headers=headers)
                response = conn.getresponse()
                raw = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A keep-alive connection the server closed: resend once on a new one,
                # as an SDK would (event ids make a resend harmless).
                self.close()
                if attempt == 2:
                    raise
        elapsed = time.monotonic() - started
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = {"raw": raw.decode(errors="replace")}
        return Reply(status=response.status, body=parsed, seconds=elapsed)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    """A redis-server on a free port for this test only; killed at teardown."""
    port = free_port()
    proc = spawn(
        "redis",
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "yes",
            "--appendfsync",
            "everysec",
            "--dir",
            str(tmp_path),
            "--daemonize",
            "no",
        ],
        dict(os.environ),
        tmp_path,
    )
    server = OwnRedis(port=port, proc=proc, dir=tmp_path)
    try:
        wait_until(server.ping, timeout=20, interval=0.05, what="redis-server to answer")
        yield server
    finally:
        # server.proc, not proc: a restart replaces the process.
        server.proc.signal_group(signal.SIGCONT)  # a frozen server cannot act on SIGTERM
        server.proc.stop(grace=2)
        server.client.close()


@pytest.fixture
def stack(own_redis: OwnRedis, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Stack]:
    """Start processes with `stack.start_web()` / `stack.start_worker()`; all die at teardown."""
    failed_before = request.session.testsfailed
    started = Stack(redis=own_redis, log_dir=tmp_path)
    try:
        yield started
    finally:
        started.stop_all()
        if request.session.testsfailed > failed_before:
            started.dump_logs()
