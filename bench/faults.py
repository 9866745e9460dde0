"""Fault matrix: delivery under faults, with real processes, one table row per scenario.

    .venv/bin/python bench/faults.py [--scenarios baseline,worker-kill] [--events 3000]
        [--worker-command auto|ingest|celery|"CMD"] [--json out.json] [--check]

The script creates two throwaway PostgreSQL clusters in a temporary folder (`default`, the
control plane, and `data`, the project's database, which the postgres-stop row stops), and
for each row a redis-server with an AOF (appendfsync everysec, as docker compose runs it),
granian web workers and the workers of `--worker-command`. It sends writes (/init,
/attributes, /event with client event ids) from a few client threads that retry like an
SDK, injects the row's fault when about a third is sent, then waits (bounded) until every
acknowledged write is stored and counts: acknowledged, stored, lost (acknowledged and not
stored), duplicate rows, 5xx responses, and the seconds until all was stored after the
fault ended. Every process it starts is killed at the end, also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import fault_store
from bench.fault_load import Client, Load, LoadResult, Write, plan, session_writes
from bench.fault_procs import (
    BIN,
    ROOT,
    START_TIMEOUT,
    FaultRunError,
    PgCluster,
    RedisServer,
    Web,
    Workers,
    kill_all,
    wait_for,
    worker_mode,
)

STREAM = "atrack:ingest"
FAULT_AT = 0.35  # the fault starts once this share of the writes is sent
ERASE_EVENTS = 200  # queued for each erased session
DEFAULTS = {"events": 3000, "rate": 250.0, "threads": 4, "settle": 120.0, "pg_down": 20.0}


@dataclass
class Row:
    scenario: str
    acknowledged: int = 0
    stored: int = 0
    lost: int = 0
    duplicates: int = 0
    server_errors: int = 0
    conn_errors: int = 0
    not_acknowledged: int = 0
    seconds_to_stored: float | None = None  # after the fault ended; None: not within the bound
    resurrected: int | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Bench:
    """What every row shares: the clusters, the worker mode, the options."""

    base: Path
    control: PgCluster
    data: PgCluster
    worker_spec: str
    extra_env: dict[str, str]
    options: argparse.Namespace

    @property
    def default_url(self) -> str:
        return self.control.url("atrack")

    @property
    def data_url(self) -> str:
        return self.data.url("atrack_data")

    def env(self, broker_url: str) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DATABASE_URL", "CELERY_", "INGEST_"))
        }
        env.update(
            DATABASE_URL=self.default_url,
            DATABASE_URL_DATA=self.data_url,
            CELERY_BROKER_URL=broker_url,
            DJANGO_SETTINGS_MODULE="atrack.settings",
            SECRET_KEY="faults-secret-key",
            DEBUG="false",
            ATRACK_VAR_DIR=str(self.base / "var"),
            # Never refuses this load; still counted in Redis on every request.
            RATE_LIMIT_PER_SECOND="1000000",
            LOG_LEVEL="INFO",
            ACCESS_LOG="errors",
            PYTHONUNBUFFERED="1",
        )
        env.update(self.extra_env)
        return env


def setup(base: Path, options: argparse.Namespace) -> Bench:
    """Start both clusters, create and migrate the databases."""
    extra_env = dict(item.split("=", 1) for item in options.env)
    control, data = PgCluster("control", base), PgCluster("data", base)
    with ThreadPoolExecutor(2) as pool:  # initdb is most of the setup: both at once
        list(pool.map(PgCluster.init, (control, data)))
    for cluster in (control, data):
        cluster.start()
    control.create_database("atrack")
    data.create_database("atrack_data")
    bench = Bench(base, control, data, options.worker_command, extra_env, options)
    manage("migrateall", env=bench.env(""))
    return bench


def manage(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [str(BIN / "python"), "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode:
        raise FaultRunError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


@dataclass
class Stack:
    """One row's processes: its Redis, web server and workers, and its project."""

    bench: Bench
    redis: RedisServer
    web: Web
    workers: Workers
    project_id: int
    public_key: str
    secret_key: str

    def kill(self) -> None:
        """The row is measured: nothing of it needs to shut down cleanly."""
        for proc in [*self.workers.workers, *self.workers.helpers, self.web.proc, self.redis.proc]:
            if proc is not None:
                proc.kill()

    def stream_state(self) -> tuple[int, int, int] | None:
        """Entries in the stream, read-but-unacknowledged ones, and ones no group has read."""
        import redis

        client = self.redis.client()
        try:
            if not client.exists(STREAM):
                return 0, 0, 0
            length = int(client.xlen(STREAM))
            last = client.xinfo_stream(STREAM)["last-generated-id"]
            groups = client.xinfo_groups(STREAM)
        except redis.RedisError:
            return None
        pending = sum(int(g["pending"]) for g in groups)
        unread = sum(1 for g in groups if g["last-delivered-id"] != last) if groups else length
        return length, pending, unread

    def drained(self) -> bool:
        state = self.stream_state()
        return state is not None and state[1] == 0 and (state[0] == 0 or state[2] == 0)


def start_stack(bench: Bench, name: str) -> Stack:
    log_dir = bench.base / name
    log_dir.mkdir()
    redis = RedisServer(log_dir)
    redis.start()
    env = bench.env(redis.url)
    keys = json.loads(
        manage(
            "createproject",
            f"Faults {name} {uuid.uuid4().hex[:6]}",
            "--database",
            "data",
            "--json",
            env=env,
        )
    )
    project_id = project_id_of(bench.default_url, keys["project"])
    workers = Workers(worker_mode(bench.worker_spec, log_dir), env, log_dir)
    workers.start(wait=False)  # starts while the web server does
    web = Web(env, log_dir)
    web.start()
    wait_for(workers.ready, START_TIMEOUT, "the workers to be ready")
    return Stack(bench, redis, web, workers, project_id, keys["public_key"], keys["secret_key"])


def project_id_of(url: str, slug: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT id FROM projects_project WHERE slug = %s", (slug,)).fetchone()
    if row is None:
        raise FaultRunError(f"project {slug} not found")
    return int(row[0])


# --- faults ----------------------------------------------------------------------------
Fault = Callable[[Stack], str]  # injects the fault and ends it; returns a note


def pending_now(stack: Stack) -> int:
    state = stack.stream_state()
    return state[1] if state else 0


def kill_workers(stack: Stack) -> str:
    held = pending_now(stack)
    stack.workers.kill()
    time.sleep(2)  # a supervisor's restart delay
    stack.workers.start(wait=False)
    return f"SIGKILL holding {held} unacknowledged entries; restarted after 2 s"


def kill_workers_holding_entries(stack: Stack) -> str:
    """SIGKILL the workers at a moment they hold read-but-unacknowledged stream entries."""
    deadline = time.monotonic() + 30
    while pending_now(stack) == 0 and time.monotonic() < deadline:
        time.sleep(0.002)
    return kill_workers(stack)


def restart_redis(stack: Stack) -> str:
    assert stack.redis.proc is not None
    stack.redis.proc.kill()
    time.sleep(3)
    stack.redis.start()  # same port, same folder: the AOF written so far
    return "redis-server SIGKILL, restarted with its AOF after 3 s"


def stop_postgres(stack: Stack) -> str:
    down = float(stack.bench.options.pg_down)
    stack.bench.data.stop()
    time.sleep(down)
    stack.bench.data.start()
    return f"the project's PostgreSQL stopped (fast) for {down:.0f} s"


def kill_web(stack: Stack) -> str:
    assert stack.web.proc is not None
    stack.web.proc.kill()
    time.sleep(1)
    stack.web.start()
    return "web SIGKILL, restarted after 1 s"


FAULTS: dict[str, Fault | None] = {
    "baseline": None,
    "worker-kill": kill_workers,
    "worker-kill-pending": kill_workers_holding_entries,
    "redis-restart": restart_redis,
    "postgres-stop": stop_postgres,
    "web-kill": kill_web,
}
SCENARIOS = [*FAULTS, "erase-queued"]


# --- running a row ---------------------------------------------------------------------


def send(stack: Stack, writes: list[Write], fault: Fault | None) -> tuple[LoadResult, float, str]:
    """Send `writes`, injecting `fault` on the way; returns the load, when the fault ended,
    and the fault's note."""
    options = stack.bench.options
    load = Load(stack.web.port, stack.public_key, writes, options.rate, options.threads)
    ended: list[float] = []
    notes: list[str] = []

    def inject() -> None:
        try:
            wait_for(lambda: load.progress() >= FAULT_AT, 600, "the load to reach the fault")
            notes.append(fault(stack))  # type: ignore[misc]
        except Exception as exc:
            notes.append(f"fault failed: {exc}")
        ended.append(time.monotonic())

    injector = threading.Thread(target=inject, daemon=True)
    if fault is not None:
        injector.start()
    result = load.run(timeout=len(writes) / options.rate + 180)
    if fault is not None:
        injector.join(timeout=max(60.0, options.pg_down + 60))
        if injector.is_alive():
            raise FaultRunError("the fault did not end within its bound")
    return result, (ended[0] if ended else result.finished), (notes[0] if notes else "")


def settle(stack: Stack, acked: set[Any], since: float) -> tuple[fault_store.Found, float | None]:
    """Wait (bounded) until every acknowledged write is stored; seconds after `since`."""
    deadline = time.monotonic() + stack.bench.options.settle
    last = fault_store.Found(rows=Counter())
    while True:
        now = fault_store.found(stack.bench.data_url, stack.project_id)
        if now is not None:
            last = now
            if acked <= now.present():
                return now, round(max(0.0, time.monotonic() - since), 2)
        if time.monotonic() > deadline:
            return last, None
        time.sleep(0.25)


def fill(row: Row, stack: Stack, result: LoadResult, acked: set[Any], seen: Any) -> None:
    present = seen.present()
    row.acknowledged = len(acked)
    row.stored = len(acked & present)
    row.lost = len(acked - present)
    row.duplicates = seen.duplicates()
    row.server_errors = result.server_errors()
    row.conn_errors = result.conn_errors()
    row.not_acknowledged = result.refused()
    others = {s: n for s, n in result.status_counts().items() if not 200 <= s < 300}
    if others:
        row.notes.append("non-2xx: " + ", ".join(f"{s}x{n}" for s, n in sorted(others.items())))
    row.notes += stack.workers.died()
    if stack.web.proc and not stack.web.proc.alive() and not stack.web.proc.killed_by_us:
        row.notes.append("web exited")
    state = stack.stream_state()
    if state is None:
        row.notes.append("stream unreadable")
    elif state[0] or state[1]:
        row.notes.append(f"stream left: {state[0]} entries, {state[1]} pending")
    parked = [
        fault_store.parked(u, stack.project_id)
        for u in (stack.bench.default_url, stack.bench.data_url)
    ]
    if sum(p or 0 for p in parked):
        row.notes.append(f"parked as failed work: {sum(p or 0 for p in parked)}")


def run_fault_row(bench: Bench, name: str) -> Row:
    stack = start_stack(bench, name)
    try:
        result, fault_ended, note = send(stack, plan(bench.options.events), FAULTS[name])
        acked = result.acked()
        seen, seconds = settle(stack, acked, fault_ended)
        row = Row(name, seconds_to_stored=seconds, notes=[note] if note else [])
        if seconds is not None:
            # Entries delivered again (read before the fault, acknowledgement lost) must
            # not double anything: count once the stream holds no more work.
            waited = time.monotonic()
            if wait_for_quietly(stack.drained, bench.options.settle):
                seen = fault_store.found(bench.data_url, stack.project_id) or seen
                if time.monotonic() - waited > 1:
                    row.notes.append(f"stream drained {time.monotonic() - waited:.0f} s later")
        fill(row, stack, result, acked, seen)
        return row
    finally:
        stack.kill()


def run_erase_row(bench: Bench, name: str) -> Row:
    """Erase two sessions while their work is queued (workers stopped), then start workers.

    One session was stored before (its erasure answers 200), one exists only in the queue.
    """
    stack = start_stack(bench, name)
    try:
        stored_first = str(uuid.uuid4())
        early = session_writes(stored_first, 5, f"erase-early-{uuid.uuid4().hex[:6]}")
        client = Client(stack.web.port, stack.public_key)
        for write in early:
            client.send(write, time.monotonic() + 30)
        client.close()
        early_keys = {w.key for w in early}
        wait_for(lambda: early_keys <= stored(stack), 60, "the early writes to be stored")
        stack.workers.stop()
        queued_only = str(uuid.uuid4())
        targets = [stored_first, queued_only]
        writes = plan(bench.options.events)
        for target in targets:
            writes += session_writes(target, ERASE_EVENTS, f"erase-{uuid.uuid4().hex[:6]}")[
                (1 if target == stored_first else 0) :
            ]
        result, _, _ = send(stack, writes, None)
        deletes = [erase(stack, target) for target in targets]
        started = time.monotonic()
        stack.workers.start(wait=False)
        target_keys = {w.key for w in writes if w.body.get("uuid") in targets}
        acked = result.acked() - target_keys
        seen, seconds = settle(stack, acked, started)
        wait_for_quietly(stack.drained, bench.options.settle)
        shows = [show(stack, target) for target in targets]
        row = Row(name, seconds_to_stored=seconds)
        fill(row, stack, result, acked, seen)
        row.resurrected = rows_left(stack, targets)
        row.notes.insert(
            0,
            f"delete stored+queued: {deletes[0]}, queue-only: {deletes[1]}; "
            f"show afterwards: {shows[0]}, {shows[1]}",
        )
        return row
    finally:
        stack.kill()


def stored(stack: Stack) -> set[Any]:
    seen = fault_store.found(stack.bench.data_url, stack.project_id)
    return seen.present() if seen else set()


def rows_left(stack: Stack, sessions: list[str]) -> int:
    count = fault_store.rows_of_sessions(stack.bench.data_url, stack.project_id, sessions)
    return -1 if count is None else count


def wait_for_quietly(predicate: Callable[[], Any], timeout: float) -> bool:
    with contextlib.suppress(FaultRunError):
        return bool(wait_for(predicate, timeout, "the stream to drain", interval=0.25))
    return False


def erase(stack: Stack, session: str) -> int:
    status, _ = Client(stack.web.port, stack.secret_key).post("/session/delete", {"uuid": session})
    return status


def show(stack: Stack, session: str) -> int:
    status, _ = Client(stack.web.port, stack.secret_key).post("/session/show", {"uuid": session})
    return status


def run_row(bench: Bench, name: str) -> Row:
    try:
        return run_erase_row(bench, name) if name == "erase-queued" else run_fault_row(bench, name)
    except (FaultRunError, RuntimeError) as exc:
        return Row(name, notes=[f"row failed: {exc}"])


# --- output ----------------------------------------------------------------------------

COLUMNS = [
    "scenario",
    "acknowledged",
    "stored",
    "lost",
    "duplicates",
    "5xx",
    "conn errors",
    "not acked",
    "s to all stored",
    "resurrected",
    "notes",
]


def table(rows: list[Row], settle_bound: float) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for r in rows:
        seconds = (
            f"{r.seconds_to_stored:.1f}"
            if r.seconds_to_stored is not None
            else f"> {settle_bound:.0f}"
        )
        cells = [
            r.scenario,
            r.acknowledged,
            r.stored,
            r.lost,
            r.duplicates,
            r.server_errors,
            r.conn_errors,
            r.not_acknowledged,
            seconds,
            "-" if r.resurrected is None else r.resurrected,
            "; ".join(r.notes),
        ]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines)


def healthy(row: Row) -> bool:
    return (
        row.lost == 0
        and row.duplicates == 0
        and row.seconds_to_stored is not None
        and not row.resurrected
        and not any(n.startswith("row failed") for n in row.notes)
    )


# --- command line ----------------------------------------------------------------------


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--scenarios",
        default=",".join(SCENARIOS),
        help=f"comma-separated rows, of: {', '.join(SCENARIOS)}",
    )
    parser.add_argument("--events", type=int, default=DEFAULTS["events"], help="events per row")
    parser.add_argument("--rate", type=float, default=DEFAULTS["rate"], help="writes per second")
    parser.add_argument("--threads", type=int, default=DEFAULTS["threads"], help="client threads")
    parser.add_argument(
        "--settle",
        type=float,
        default=DEFAULTS["settle"],
        help="seconds to wait for every acknowledged write to be stored",
    )
    parser.add_argument(
        "--pg-down",
        type=float,
        default=DEFAULTS["pg_down"],
        help="seconds the project's PostgreSQL stays stopped",
    )
    parser.add_argument(
        "--worker-command",
        default="auto",
        help="ingest (manage.py ingest --processes 2), celery (worker --concurrency 2 + beat), "
        "auto (ingest when that command exists), or a command line",
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra environment for web and workers (repeatable)",
    )
    parser.add_argument("--json", metavar="PATH", help="also write the rows as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs)")
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit 1 unless every row lost, doubled and resurrected nothing and settled",
    )
    options = parser.parse_args(argv)
    unknown = set(options.scenarios.split(",")) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    if any("=" not in item for item in options.env):
        parser.error("--env takes KEY=VALUE")
    return options


def describe(bench: Bench) -> str:
    mode = worker_mode(bench.worker_spec, bench.base)
    o = bench.options
    return (
        f"Worker mode: {mode.name} ({mode.label}); {o.events} events per row (+ an /init and an "
        f"/attributes per 20 events) at {o.rate:.0f} writes/s from {o.threads} client threads; "
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC"
    )


def run(
    options: argparse.Namespace, base: Path, progress: Callable[[str], None]
) -> tuple[str, list[Row]]:
    """The run's description and its rows."""
    bench = setup(base, options)
    description = describe(bench)
    progress(description)
    rows = []
    for name in options.scenarios.split(","):
        started = time.monotonic()
        rows.append(run_row(bench, name))
        progress(f"{name}: done in {time.monotonic() - started:.0f} s")
    return description, rows


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    options = parse(argv)
    # Ctrl-C and SIGTERM end the run through the finally below, which kills every process.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _interrupt)
    base = Path(tempfile.mkdtemp(prefix="atrack-faults-"))
    base.chmod(0o755)  # the clusters run as `postgres` when we are root
    keep = options.keep
    try:
        description, rows = run(
            options, base, lambda line: print(line, file=sys.stderr, flush=True)
        )
    except (FaultRunError, KeyboardInterrupt) as exc:
        keep = True
        print(f"stopped: {exc!r}; logs in {base}", file=sys.stderr)
        return 2
    finally:
        kill_all()
        if not keep:
            shutil.rmtree(base, ignore_errors=True)
    print(f"{description}\n\n{table(rows, options.settle)}")
    if options.json:
        document = {"description": description, "rows": [asdict(r) for r in rows]}
        Path(options.json).write_text(json.dumps(document, indent=2) + "\n")
    if keep:
        print(f"logs in {base}", file=sys.stderr)
    return 0 if not options.check or all(healthy(r) for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
