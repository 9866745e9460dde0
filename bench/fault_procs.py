"""Processes for the fault matrix: private PostgreSQL clusters, redis-server, web, workers.

Every process starts in its own session (process group), is registered in `STARTED`, and
`kill_all()` SIGKILLs every group still alive, so nothing outlives the run, also after
Ctrl-C. Every wait is bounded.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the virtualenv's bin: granian and celery live beside python
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"
START_TIMEOUT = 60.0


class FaultRunError(RuntimeError):
    """A step of the run could not be done (a process did not start, a wait timed out)."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.1) -> Any:
    """Poll `predicate` until it returns something truthy; raise after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(interval)
    raise FaultRunError(f"timed out after {timeout:.0f} s waiting for {what}")


def group_alive(pgid: int) -> bool:
    """Whether the process group `pgid` still has a member (its zombies are reaped by init)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # a member now runs as another user (postgres): still there
    return True


@dataclass
class Proc:
    """A process started in its own session, its output appended to a log file."""

    name: str
    args: list[str]
    env: dict[str, str]
    log_path: Path
    user: str | None = None
    popen: subprocess.Popen[bytes] | None = None
    log_file: IO[bytes] | None = None
    killed_by_us: bool = False
    log_start: int = 0

    def start(self) -> Proc:
        self.log_start = self.log_path.stat().st_size if self.log_path.exists() else 0
        self.log_file = self.log_path.open("ab")
        self.popen = subprocess.Popen(
            self.args,
            cwd=ROOT if self.user is None else self.log_path.parent,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            user=self.user,
            group=self.user,
        )
        self.killed_by_us = False
        STARTED.append(self)
        return self

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def exit_code(self) -> int | None:
        return None if self.popen is None else self.popen.poll()

    def log(self) -> str:
        """What this start of the process wrote (a restart appends to the same file)."""
        if not self.log_path.exists():
            return ""
        with self.log_path.open("rb") as handle:
            handle.seek(self.log_start)
            return handle.read().decode(errors="replace")

    def signal_group(self, sig: int) -> None:
        if self.popen is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.popen.pid, sig)

    def kill(self) -> None:
        """SIGKILL the whole group (main process and children) and reap it."""
        if self.popen is None:
            return
        self.killed_by_us = True
        self.signal_group(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=10)
        with contextlib.suppress(FaultRunError):
            wait_for(lambda: not group_alive(self.pid), 10, f"every process of {self.name}")
        if self.log_file is not None:
            self.log_file.close()

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM the group; SIGKILL whatever is left after `grace` seconds."""
        if self.alive():
            self.killed_by_us = True
            self.signal_group(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                assert self.popen is not None
                self.popen.wait(timeout=grace)
        self.kill()  # children may outlive their parent: always sweep the group


STARTED: list[Proc] = []


def kill_all() -> None:
    """SIGKILL every process group this run started (idempotent)."""
    while STARTED:
        STARTED.pop().kill()


def _as_postgres() -> str | None:
    """initdb and postgres refuse to run as root: as root, run them as `postgres`."""
    return "postgres" if os.geteuid() == 0 else None


def pg_bin() -> Path | None:
    """The newest PostgreSQL server binaries installed (Debian's layout), if any."""
    found = sorted(Path("/").glob(PG_BIN_GLOB.lstrip("/")), key=lambda p: int(p.parent.name))
    candidates = [p for p in found if (p / "initdb").exists() and (p / "postgres").exists()]
    if candidates:
        return candidates[-1]
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@dataclass
class PgCluster:
    """A throwaway PostgreSQL cluster in a temporary folder, trust auth, on a free port."""

    name: str
    base: Path
    port: int = field(default_factory=free_port)
    proc: Proc | None = None

    @property
    def data_dir(self) -> Path:
        return self.base / f"pg-{self.name}"

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def init(self) -> None:
        binaries = pg_bin()
        if binaries is None:
            raise FaultRunError("no PostgreSQL server binaries (initdb) found")
        self.data_dir.mkdir()
        user = _as_postgres()
        if user:
            shutil.chown(self.data_dir, user, user)
        done = subprocess.run(
            [
                str(binaries / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
                "--locale=C",
            ],
            capture_output=True,
            text=True,
            user=user,
            group=user,
            cwd=self.data_dir,
            check=False,
        )
        if done.returncode:
            raise FaultRunError(f"initdb failed:\n{done.stdout}\n{done.stderr}")
        self.proc = Proc(
            name=f"postgres-{self.name}",
            args=[
                str(binaries / "postgres"),
                "-D",
                str(self.data_dir),
                "-p",
                str(self.port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                f"unix_socket_directories={self.data_dir}",
                "-c",
                "max_connections=200",
                "-c",
                "shared_buffers=32MB",
            ],
            env=dict(os.environ),
            log_path=self.data_dir / "server.log",
            user=user,
        )

    def start(self) -> None:
        assert self.proc is not None
        self.proc.start()
        wait_for(self.ready, START_TIMEOUT, f"PostgreSQL {self.name} to accept connections")

    def ready(self) -> bool:
        import psycopg

        if not self.proc or not self.proc.alive():
            return False
        try:
            with psycopg.connect(self.url("postgres"), connect_timeout=2) as conn:
                conn.execute("SELECT 1")
            return True
        except psycopg.Error:
            return False

    def stop(self) -> None:
        """A fast shutdown (what `pg_ctl stop -m fast` sends): clients are disconnected."""
        assert self.proc is not None
        pid_file = self.data_dir / "postmaster.pid"
        postmaster = int(pid_file.read_text().split()[0]) if pid_file.exists() else self.proc.pid
        with contextlib.suppress(ProcessLookupError):
            os.kill(postmaster, signal.SIGINT)
        wait_for(lambda: not self.proc.alive(), 60, f"PostgreSQL {self.name} to stop")  # type: ignore[union-attr]
        self.proc.kill()

    def create_database(self, database: str) -> str:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{database}"')
        return self.url(database)


@dataclass
class RedisServer:
    """A redis-server of this run alone, persisting to an AOF in its own folder."""

    base: Path
    port: int = field(default_factory=free_port)
    proc: Proc | None = None
    _client: Any = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        folder = self.base / f"redis-{self.port}"
        folder.mkdir(exist_ok=True)
        # As docker compose runs it: AOF, fsync every second, never evict queued work.
        self.proc = Proc(
            name="redis",
            args=[
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(folder),
                "--appendonly",
                "yes",
                "--appendfsync",
                "everysec",
                "--save",
                "",
                "--maxmemory-policy",
                "noeviction",
                "--daemonize",
                "no",
            ],
            env=dict(os.environ),
            log_path=folder / "redis.log",
        ).start()
        wait_for(self.ping, 30, "redis-server to answer")

    def client(self) -> Any:
        """One client for the run's reads (it reconnects by itself after a restart)."""
        import redis

        if self._client is None:
            self._client = redis.Redis(port=self.port, socket_timeout=2, socket_connect_timeout=2)
        return self._client

    def ping(self) -> bool:
        import redis

        try:
            return bool(self.client().ping())
        except redis.RedisError:
            return False


@dataclass
class Web:
    """granian serving the WSGI app, shaped as docker/entrypoint.sh runs it."""

    env: dict[str, str]
    log_dir: Path
    port: int = field(default_factory=free_port)
    proc: Proc | None = None

    def start(self) -> None:
        self.proc = Proc(
            name="web",
            # As docker/entrypoint.sh serves: two workers of eight blocking threads.
            args=[
                str(BIN / "granian"),
                *shlex.split(
                    f"--interface wsgi --host 127.0.0.1 --port {self.port} --workers 2 "
                    "--blocking-threads 8 --no-ws --respawn-failed-workers atrack.wsgi:application"
                ),
            ],
            env=self.env,
            log_path=self.log_dir / "web.log",
        ).start()
        wait_for(self.healthy, START_TIMEOUT, "the web server's /health")

    def healthy(self) -> bool:
        if self.proc is None or not self.proc.alive():
            log = self.proc.log()[-2000:] if self.proc else ""
            raise FaultRunError(f"the web server exited:\n{log}")
        try:
            url = f"http://127.0.0.1:{self.port}/health"
            with urllib.request.urlopen(url, timeout=2) as response:
                return bool(response.status == 200)
        except OSError:
            return False


@dataclass(frozen=True)
class WorkerMode:
    """How queued work is stored: the processes a worker fault kills, and helpers it spares."""

    name: str
    workers: tuple[tuple[str, ...], ...]
    helpers: tuple[tuple[str, ...], ...] = ()
    ready_marker: str | None = None  # a log line that says a worker is ready
    label: str = ""  # how the README spells the commands


def ingest_command_exists() -> bool:
    return any(ROOT.glob("*/management/commands/ingest.py"))


def worker_mode(spec: str, log_dir: Path) -> WorkerMode:
    """`ingest` (the stream consumer), `celery` (worker + beat), `auto`, or a command line."""
    python = str(BIN / "python")
    if spec == "auto":
        spec = "ingest" if ingest_command_exists() else "celery"
    if spec == "ingest":
        # As the README runs it: a supervisor of two consumer processes.
        return WorkerMode(
            name="ingest",
            workers=((python, "manage.py", "ingest", "--processes", "2"),),
            label="python manage.py ingest --processes 2",
        )
    if spec == "celery":
        celery = str(BIN / "celery")
        return WorkerMode(
            name="celery",
            workers=(
                (celery, "-A", "atrack", "worker", "--concurrency", "2", "--loglevel", "INFO"),
            ),
            helpers=(
                (
                    celery,
                    "-A",
                    "atrack",
                    "beat",
                    "--loglevel",
                    "INFO",
                    "--schedule",
                    str(log_dir / "celerybeat-schedule"),
                ),
            ),
            ready_marker=" ready.",
            label="celery -A atrack worker --concurrency 2 + celery -A atrack beat",
        )
    return WorkerMode(name=spec, workers=(tuple(shlex.split(spec)),), label=spec)


@dataclass
class Workers:
    """The processes of a worker mode; `kill()` and `start()` touch the workers, not helpers."""

    mode: WorkerMode
    env: dict[str, str]
    log_dir: Path
    workers: list[Proc] = field(default_factory=list)
    helpers: list[Proc] = field(default_factory=list)

    def start(self, *, wait: bool = True) -> None:
        self.workers = [
            Proc(f"worker{n}", list(args), self.env, self.log_dir / f"worker{n}.log").start()
            for n, args in enumerate(self.mode.workers)
        ]
        if not self.helpers or not all(p.alive() for p in self.helpers):
            self.helpers = [
                Proc(f"helper{n}", list(args), self.env, self.log_dir / f"helper{n}.log").start()
                for n, args in enumerate(self.mode.helpers)
            ]
        if wait:
            wait_for(self.ready, START_TIMEOUT, f"{self.mode.name} workers to be ready")

    def ready(self) -> bool:
        for proc in self.workers:
            if not proc.alive():
                raise FaultRunError(f"{proc.name} exited at start:\n{proc.log()[-2000:]}")
        if self.mode.ready_marker is None:
            # No readiness line known: alive for a second and a half counts as started.
            time.sleep(1.5)
            return all(p.alive() for p in self.workers)
        logs = [p.log() for p in self.workers]
        return all(log.count(self.mode.ready_marker) for log in logs)

    def kill(self) -> None:
        for proc in self.workers:
            proc.kill()

    def stop(self) -> None:
        for proc in self.workers:
            proc.stop()

    def died(self) -> list[str]:
        """Workers and helpers that exited without being told to, with their exit codes."""
        return [
            f"{p.name} exited ({p.exit_code()})"
            for p in [*self.workers, *self.helpers]
            if not p.alive() and not p.killed_by_us
        ]
