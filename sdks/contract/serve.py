"""Start a throw-away A-TRACK service for SDK contract tests and benchmarks.

    .venv/bin/python sdks/contract/serve.py [--queue REDIS_URL] [--database-url URL] ...

It migrates a fresh database (SQLite in a temporary folder unless `--database-url`),
creates a project, starts granian (and, with `--queue`, the ingest consumers), a second
granian with a low rate limit, and a fault proxy, then prints ONE JSON line:

    {"endpoint": ..., "public_key": ..., "secret_key": ..., "limited_endpoint": ...,
     "proxy_endpoint": ..., "fault_url": ..., "project": ..., "queue": false, ...}

It serves until its stdin closes (or, with `--no-stdin`, until SIGTERM/SIGINT), then
stops every process it started and removes its temporary folder. sdks/contract/README.md
is the reference.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the virtualenv's bin: granian beside python
START_TIMEOUT = 90.0
# Settings that would point the service at someone else's databases or broker.
INHERITED_OUT = ("DATABASE_URL", "CELERY_BROKER_URL", "INGEST_REDIS_URL", "DJANGO_SETTINGS")


def log(message: str) -> None:
    print(f"serve.py: {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Proc:
    """A child in its own process group, its output in a log file."""

    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    log_file: IO[bytes]

    def alive(self) -> bool:
        return self.popen.poll() is None

    def tail(self, lines: int = 25) -> str:
        text = self.log_path.read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, grace: float = 5.0) -> None:
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=wait)
                if sig == signal.SIGTERM:
                    # The group may hold children that outlive the parent.
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(self.popen.pid, signal.SIGKILL)
                break
        self.log_file.close()


@dataclass
class Launcher:
    args: argparse.Namespace
    tmp: Path
    env: dict[str, str] = field(default_factory=dict)
    procs: list[Proc] = field(default_factory=list)

    def spawn(self, name: str, argv: list[str], **extra: str) -> Proc:
        log_path = self.tmp / f"{name}.log"
        log_file = log_path.open("ab")
        popen = subprocess.Popen(
            argv,
            cwd=ROOT,
            env={**self.env, **extra},
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        proc = Proc(name, popen, log_path, log_file)
        self.procs.append(proc)
        return proc

    def manage(self, *argv: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *argv],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"manage.py {argv[0]} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def web(self, name: str, workers: int, rate_limit: int) -> str:
        port = free_port()
        proc = self.spawn(
            name,
            [
                str(BIN / "granian"),
                *("--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port)),
                *("--workers", str(workers), "--blocking-threads", str(self.args.threads)),
                "--no-ws",
                "atrack.wsgi:application",
            ],
            RATE_LIMIT_PER_SECOND=str(rate_limit),
        )
        url = f"http://127.0.0.1:{port}"
        wait_for(proc, lambda: health(url), f"{name} to answer /health")
        return url

    def worker(self) -> None:
        """The ingest consumers (`manage.py ingest`), which store queued writes."""
        count = self.args.worker_concurrency
        proc = self.spawn(
            "worker",
            [str(BIN / "python"), "manage.py", "ingest", "--processes", str(count)],
            LOG_LEVEL="INFO",  # each consumer says when it started
        )
        wait_for(
            proc,
            lambda: proc.log_path.read_text(errors="replace").count("ingest consumer") >= count,
            "the ingest consumers",
        )

    def stop(self) -> None:
        for proc in reversed(self.procs):
            proc.stop()


def wait_for(proc: Proc, check: Any, what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not check():
        if not proc.alive():
            raise SystemExit(f"{proc.name} exited at start:\n{proc.tail()}")
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}:\n{proc.tail()}")
        time.sleep(0.1)


def health(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/health", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


# ---------------------------------------------------------------- the fault proxy


class Faults:
    """Answers to give instead of forwarding: `{"status", "retry_after", "count"}`."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pending: list[dict[str, Any]] = []

    def add(self, fault: dict[str, Any]) -> None:
        with self.lock:
            self.pending.extend([fault] * int(fault.get("count", 1)))

    def take(self) -> dict[str, Any] | None:
        with self.lock:
            return self.pending.pop(0) if self.pending else None


HOP_HEADERS = {"content-length", "connection", "transfer-encoding", "server", "date"}
FAULT_CODES = {429: "rate_limited", 503: "unavailable"}


def proxy_handler(upstream: str, faults: Faults) -> type[BaseHTTPRequestHandler]:
    host, port = upstream.removeprefix("http://").split(":")
    local = threading.local()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as SDKs use it

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def answer(self, status: int, data: bytes, headers: list[tuple[str, str]]) -> None:
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            body = self.body()
            if self.path == "/__fault":
                faults.add(json.loads(body))
                self.answer(200, b'{"success": true}', [("Content-Type", "application/json")])
                return
            fault = faults.take()
            if fault is not None:
                self.fault(fault)
                return
            self.forward(body)

        do_GET = do_OPTIONS = do_PUT = do_DELETE = do_POST

        def fault(self, fault: dict[str, Any]) -> None:
            status = int(fault.get("status", 503))
            error = {"code": FAULT_CODES.get(status, f"http_{status}"), "message": "Injected."}
            data = json.dumps({"success": False, "error": error}).encode()
            headers = [("Content-Type", "application/json")]
            if fault.get("retry_after") is not None:
                headers.append(("Retry-After", str(fault["retry_after"])))
            self.answer(status, data, headers)

        def forward(self, body: bytes) -> None:
            skip = {"host", "content-length", "connection"}
            headers = {k: v for k, v in self.headers.items() if k.lower() not in skip}
            for attempt in (1, 2):
                conn = getattr(local, "conn", None) or http.client.HTTPConnection(
                    host, int(port), timeout=30
                )
                local.conn = conn
                try:
                    conn.request(self.command, self.path, body=body, headers=headers)
                    response = conn.getresponse()
                    data = response.read()
                    break
                except (http.client.HTTPException, OSError):
                    conn.close()
                    local.conn = None
                    if attempt == 2:
                        self.answer(502, b"", [])
                        return
            passed = [
                (k, v)
                for k, v in response.getheaders()
                # BaseHTTPRequestHandler writes its own Server and Date.
                if k.lower() not in HOP_HEADERS
            ]
            self.answer(response.status, data, passed)

    return Handler


def start_proxy(upstream: str) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), proxy_handler(upstream, Faults()))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="fault-proxy", daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


# ---------------------------------------------------------------- main


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queue", metavar="REDIS_URL", help="broker: queue writes, run a worker")
    parser.add_argument("--database-url", help="default: SQLite in the temporary folder")
    parser.add_argument("--web-workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=4, help="granian blocking threads")
    parser.add_argument("--worker-concurrency", type=int, default=2)
    parser.add_argument("--rate-limit", type=int, default=0, help="requests/s per key; 0: off")
    parser.add_argument("--limited-rate", type=int, default=1, help="the limited server's limit")
    parser.add_argument("--no-stdin", action="store_true", help="serve until SIGTERM only")
    return parser.parse_args(argv)


def environment(args: argparse.Namespace, tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(INHERITED_OUT)}
    env.update(
        DJANGO_SETTINGS_MODULE="atrack.settings",
        ATRACK_VAR_DIR=str(tmp),
        DATABASE_URL=args.database_url or f"sqlite:///{tmp / 'atrack.sqlite3'}",
        SECRET_KEY="contract-only-secret-key",
        DEBUG="false",
        LOG_LEVEL="WARNING",
        ACCESS_LOG="errors",
        PYTHONUNBUFFERED="1",
    )
    if args.queue:
        env["CELERY_BROKER_URL"] = args.queue
    return env


def serve(args: argparse.Namespace, launcher: Launcher) -> dict[str, Any]:
    launcher.manage("migrateall")
    created = json.loads(launcher.manage("createproject", "SDK Contract", "--json"))
    if args.queue:
        launcher.worker()
    endpoint = launcher.web("web", args.web_workers, args.rate_limit)
    limited = launcher.web("limited", 1, args.limited_rate)
    _, proxy = start_proxy(endpoint)
    return {
        "endpoint": endpoint,
        "public_key": created["public_key"],
        "secret_key": created["secret_key"],
        "project": created["project"],
        "limited_endpoint": limited,
        "limited_rate": args.limited_rate,
        "proxy_endpoint": proxy,
        "fault_url": proxy + "/__fault",
        "queue": bool(args.queue),
        "database_url": launcher.env["DATABASE_URL"],
        "var_dir": str(launcher.tmp),
        "pid": os.getpid(),
        # Each child leads its own process group (benchmarks sum their CPU time).
        "processes": {proc.name: proc.popen.pid for proc in launcher.procs},
    }


def stop_on_signal(*_: Any) -> None:
    raise SystemExit(0)  # unwinds into main's `finally`, which stops every child


def wait_for_end(no_stdin: bool) -> None:
    done = threading.Event()
    if not no_stdin:

        def watch_stdin() -> None:
            while sys.stdin.buffer.read(4096):
                pass
            done.set()

        threading.Thread(target=watch_stdin, daemon=True).start()
    while not done.wait(0.5):
        pass


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, stop_on_signal)
    tmp = Path(tempfile.mkdtemp(prefix="atrack-contract-"))
    launcher = Launcher(args, tmp)
    launcher.env = environment(args, tmp)
    try:
        info = serve(args, launcher)
        print(json.dumps(info), flush=True)
        wait_for_end(args.no_stdin)
    finally:
        launcher.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
