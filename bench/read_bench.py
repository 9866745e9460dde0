"""Read API latency against real PostgreSQL and the production web server.

    .venv/bin/python bench/read_bench.py            # the whole run, ~3-5 minutes
    .venv/bin/python bench/read_bench.py --keep     # ... and keep the database afterwards

What it does: drops and recreates the database `atrack_bench` (createdb -h 127.0.0.1 -U
postgres), migrates it (`manage.py migrateall`), creates a project (`createproject Bench
--json`), seeds it (`seeddemo --sessions 100000 --events 1000000`, timed) plus one session
with exactly 100 events, starts granian (`--interface wsgi --workers 2 --blocking-threads 4
--no-ws atrack.wsgi:application`) on a free port, and measures p50/p95 of:

- POST /event/show {"name": "page_view"}                      (page 1)
- POST /event/show {"name": "page_view", "page": 2000, ...}   (a deep page)
- POST /event/show {"name": "page_view", "from", "to"}        (a one-day window)
- POST /session/show {"uuid": <the session with 100 events>}

first with one client sending requests one after another on a kept-alive connection,
then with a few concurrent clients. Results go to stdout as a Markdown table
(docs/performance.md, "Read API").
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GRANIAN = str(ROOT / ".venv" / "bin" / "granian")
SECRET = "bench-secret-key-not-for-production"


def run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def manage(env: dict[str, str], *args: str) -> str:
    return run([PYTHON, "manage.py", *args], env)


def fresh_database(host: str, user: str, name: str) -> str:
    base = ["-h", host, "-U", user]
    subprocess.run(["dropdb", *base, "--if-exists", name], check=True)
    subprocess.run(["createdb", *base, name], check=True)
    return f"postgres://{user}@{host}:5432/{name}"


def server_env(database_url: str) -> dict[str, str]:
    # Only this database: no other alias from the caller's environment.
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_URL")}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="atrack.settings",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        CELERY_BROKER_URL="",
        DEBUG="0",
    )
    return env


@dataclass
class Seeded:
    slug: str
    secret_key: str
    uuid: str
    summary: dict[str, Any]


def seed(env: dict[str, str], database_url: str, sessions: int, events: int) -> Seeded:
    created = json.loads(manage(env, "createproject", "Bench", "--json"))
    slug = created["project"]
    print(f"seeding {sessions:,} sessions and {events:,} events ...", flush=True)
    out = manage(
        env, "seeddemo", "--project", slug, "--sessions", str(sessions),
        "--events", str(events), "--json",
    )  # fmt: skip
    summary = json.loads(out.strip().splitlines()[-1])
    print(f"  {summary}", flush=True)
    manage(env, "seeddemo", "--project", slug, "--sessions", "1", "--events", "100", "--seed", "2")
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT s.uuid, count(e.id) FROM sessions_app_session s "
            "JOIN projects_project p ON p.id = s.project_id "
            "LEFT JOIN events_event e ON e.session_id = s.id "
            "WHERE p.slug = %s GROUP BY s.id ORDER BY s.id DESC LIMIT 1",
            [slug],
        ).fetchone()
    if row is None or row[1] != 100:
        sys.exit(f"the 100-event session was not found: {row}")
    return Seeded(slug=slug, secret_key=created["secret_key"], uuid=str(row[0]), summary=summary)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    args = [
        GRANIAN, "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
        "--workers", "2", "--blocking-threads", "4", "--no-ws", "atrack.wsgi:application",
    ]  # fmt: skip
    (ROOT / "var").mkdir(exist_ok=True)  # a fresh clone has none until scripts/serve runs
    log = open(ROOT / "var" / "read_bench_granian.log", "wb")  # noqa: SIM115
    server = subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    sys.exit("granian did not come up; see var/read_bench_granian.log")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGTERM)  # our own process group, started above
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


class Client:
    """One kept-alive connection, as an API consumer would hold."""

    def __init__(self, port: int, key: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {"content-type": "application/json", "x-a-track-key": key}

    def post(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any], float]:
        data = json.dumps(body)
        started = time.perf_counter()
        self.conn.request("POST", path, data, self.headers)
        response = self.conn.getresponse()
        raw = response.read()
        elapsed = time.perf_counter() - started
        return response.status, json.loads(raw or b"{}"), elapsed


@dataclass(frozen=True)
class Case:
    label: str
    path: str
    body: dict[str, Any]
    check: Callable[[dict[str, Any]], bool]


def cases(uuid: str, now: datetime) -> list[Case]:
    day = (now - timedelta(days=7)).replace(hour=0, minute=0, second=0, microsecond=0)
    window = {"from": day.isoformat(), "to": (day + timedelta(days=1)).isoformat()}
    return [
        Case(
            "event/show page_view, page 1",
            "/event/show",
            {"name": "page_view"},
            lambda r: len(r["data"]) == 25 and r["meta"]["total"] > 0,
        ),
        Case(
            "event/show page_view, page 2000 (per_page 25)",
            "/event/show",
            {"name": "page_view", "page": 2000, "per_page": 25},
            lambda r: len(r["data"]) == 25 and r["meta"]["current_page"] == 2000,
        ),
        Case(
            "event/show page_view, from/to one day",
            "/event/show",
            {"name": "page_view", **window},
            lambda r: len(r["data"]) == 25,
        ),
        Case(
            "session/show, 100 events",
            "/session/show",
            {"uuid": uuid},
            lambda r: len(r["data"]["events"]) == 100 and r["data"]["session"]["uuid"] == uuid,
        ),
    ]


def check(client: Client, case: Case) -> None:
    status, body, _ = client.post(case.path, case.body)
    if status == 404 and case.path == "/event/show":
        sys.exit(f"{case.path} answers 404: the read endpoints are not there yet")
    if status != 200 or not body.get("success") or not case.check(body):
        sys.exit(f"{case.label}: unexpected answer {status} {json.dumps(body)[:500]}")
    if case.path == "/event/show":
        print(f"  {case.label}: total {body['meta']['total']:,}", flush=True)


def sequential(port: int, key: str, case: Case, requests: int) -> list[float]:
    client = Client(port, key)
    for _ in range(10):  # warm-up: connections, caches
        client.post(case.path, case.body)
    return [client.post(case.path, case.body)[2] for _ in range(requests)]


def concurrent(
    port: int, key: str, case: Case, clients: int, requests: int
) -> tuple[list[float], float]:
    times: list[float] = []
    lock = threading.Lock()

    def work() -> None:
        client = Client(port, key)
        client.post(case.path, case.body)
        mine = [client.post(case.path, case.body)[2] for _ in range(requests)]
        with lock:
            times.extend(mine)

    threads = [threading.Thread(target=work) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times, len(times) / (time.perf_counter() - started)


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


def measure(port: int, key: str, uuid: str, args: argparse.Namespace) -> list[str]:
    lines = [
        f"| request | p50 ms | p95 ms | req/s | p50 ms ({args.clients} clients) "
        f"| p95 ms ({args.clients} clients) | req/s ({args.clients} clients) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for case in cases(uuid, datetime.now(UTC)):
        check(Client(port, key), case)
        seq = sequential(port, key, case, args.requests)
        con, rate = concurrent(port, key, case, args.clients, args.requests // args.clients)
        lines.append(
            f"| {case.label} | {percentile(seq, 50):.1f} | {percentile(seq, 95):.1f} "
            f"| {len(seq) / sum(seq):,.0f} | {percentile(con, 50):.1f} "
            f"| {percentile(con, 95):.1f} | {rate:,.0f} |"
        )
        print(lines[-1], flush=True)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="atrack_bench")
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-user", default="postgres")
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=400, help="Sequential requests a case.")
    parser.add_argument("--clients", type=int, default=4, help="Concurrent clients.")
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    args = parser.parse_args()

    started = time.perf_counter()
    database_url = fresh_database(args.pg_host, args.pg_user, args.database)
    env = server_env(database_url)
    manage(env, "migrateall")
    seeded = seed(env, database_url, args.sessions, args.events)
    port = free_port()
    server = start_server(env, port)
    try:
        table = measure(port, seeded.secret_key, seeded.uuid, args)
    finally:
        stop_server(server)
    summary = seeded.summary
    print(
        f"\nseeddemo: {summary['sessions']:,} sessions, {summary['events']:,} events, "
        f"{summary['attributes']:,} attributes in {summary['seconds']} s "
        f"({summary['rows_per_second']:,} rows/s, {summary['events_per_second']:,} events/s)"
    )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"cores: {os.cpu_count()}; load average {load}; run {time.perf_counter() - started:.0f} s\n"
    )
    print("\n".join(table))
    if not args.keep:
        drop = ["dropdb", "-h", args.pg_host, "-U", args.pg_user, args.database]
        subprocess.run(drop, check=True)


if __name__ == "__main__":
    main()
