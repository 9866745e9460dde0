"""SDK batching benchmark: the Go SDK next to the Python SDK, against one live service.

    .venv/bin/python bench/sdk_batching_bench.py [--events 200000] [--python-events N]
        [--database-url postgres://postgres@127.0.0.1:5432/atrack_sdk_bench]
        [--queue redis://127.0.0.1:6379/12] [--web-workers 2] [--threads 8]

It starts the service with the queue configured (sdks/contract/serve.py --queue: granian
with the Docker image's 2 workers x 8 threads, the ingest consumers, PostgreSQL), then, one
after the other on that service:

- Go: `sdks/go/cmd/bench` (built here with Debian's Go): 1,000 sessions, then N events
  through `Track` in batching mode (8 producer goroutines, 16 concurrent /batch senders);
- Python: the same sessions and events through `ATrackClient(batching=True)` (its one
  background sender, batches of 100).

For each: events/s accepted (from the first track until close() returned, every event
answered by the service), the time until every event is stored (`/event/show`'s total
for the run's own event name), and the CPU seconds the web server spent meanwhile (so
events per web CPU second, a figure that holds when other work shares the machine). It
creates the database when it is missing; the queue's Redis database is used as it is. Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "sdks" / "python")]

from atrack_sdk import ATrackClient  # noqa: E402

from tests.sdks.contract import launched  # noqa: E402

GO_SDK = ROOT / "sdks" / "go"
SESSIONS = 1000


def ensure_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    server = url.rsplit("/", 1)[0]
    exists = subprocess.run(
        [
            "psql",
            f"{server}/postgres",
            "-tAc",
            f"SELECT 1 FROM pg_database WHERE datname = '{name}'",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if exists != "1":
        subprocess.run(
            ["psql", f"{server}/postgres", "-c", f'CREATE DATABASE "{name}"'], check=True
        )


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU time of the live processes of process group `pgid`."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
    return total / os.sysconf("SC_CLK_TCK")


def measured(service: dict[str, Any], run: Any, events: int) -> dict[str, Any]:
    """`run(service, events)` with the web server's CPU seconds spent meanwhile."""
    web = int(service["processes"]["web"])
    before = group_cpu_seconds(web)
    result: dict[str, Any] = run(service, events)
    result["web_cpu_seconds"] = group_cpu_seconds(web) - before
    result["events_per_web_cpu_second"] = events / result["web_cpu_seconds"]
    return result


def run_go(service: dict[str, Any], events: int) -> dict[str, Any]:
    env = {**os.environ, "GOTOOLCHAIN": "local", "GOPROXY": "off", "GOFLAGS": "-mod=mod"}
    binary = Path(tempfile.mkdtemp(prefix="atrack-go-bench-")) / "bench"
    subprocess.run(
        ["go", "build", "-o", str(binary), "./cmd/bench"], cwd=GO_SDK, env=env, check=True
    )
    done = subprocess.run(
        [
            str(binary),
            *("-endpoint", service["endpoint"], "-public-key", service["public_key"]),
            *("-secret-key", service["secret_key"], "-events", str(events)),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    if done.returncode != 0:
        raise SystemExit(f"Go bench failed:\n{done.stdout}\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def init_sessions(reader: ATrackClient) -> list[str]:
    uuids = [str(uuid.uuid4()) for _ in range(SESSIONS)]
    for start in range(0, SESSIONS, 100):
        reader.batch([{"type": "init", "uuid": u} for u in uuids[start : start + 100]])
    deadline = time.monotonic() + 120
    for probe in (uuids[0], uuids[-1]):
        while True:
            try:
                reader.session_show(probe)
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    return uuids


def wait_stored(reader: ATrackClient, name: str, want: int, timeout: float = 300) -> int:
    deadline = time.monotonic() + timeout
    while True:
        total = int(reader.event_show(name, per_page=1)["meta"]["total"])
        if total >= want or time.monotonic() > deadline:
            return total
        time.sleep(0.25)


def run_python(service: dict[str, Any], events: int) -> dict[str, Any]:
    reader = ATrackClient(
        public_key=service["public_key"],
        secret_key=service["secret_key"],
        endpoint=service["endpoint"],
    )
    uuids = init_sessions(reader)
    name = f"bench_py_{uuid.uuid4().hex[:8]}"
    errors: list[Exception] = []
    lock = threading.Lock()

    def on_error(error: Exception, _item: dict[str, Any]) -> None:
        with lock:
            errors.append(error)

    sdk = ATrackClient(
        public_key=service["public_key"],
        endpoint=service["endpoint"],
        batching=True,
        batch_size=100,
        flush_interval=0.05,
        max_queue_size=events,
        on_error=on_error,
        shutdown_timeout=600,
    )
    started = time.monotonic()
    for i in range(events):
        sdk.track(
            {
                "uuid": uuids[i % SESSIONS],
                "event": name,
                "attributes": {"n": i, "path": "/pricing", "plan": "pro"},
            }
        )
    sdk.close()
    accepted = time.monotonic() - started
    stored = wait_stored(reader, name, events)
    return {
        "sdk": "python",
        "events": events,
        "sessions": SESSIONS,
        "accepted_seconds": accepted,
        "accepted_per_second": events / accepted,
        "stored_seconds": time.monotonic() - started,
        "stored": stored,
        "errors": len(errors),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--python-events", type=int, help="default: --events")
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/atrack_sdk_bench"
    )
    parser.add_argument("--queue", default="redis://127.0.0.1:6379/12")
    # The Docker image's defaults (docker/entrypoint.sh): 2 workers, 8 threads each.
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--worker-concurrency", type=int, default=2)
    args = parser.parse_args()
    ensure_database(args.database_url)
    serve_args = [
        *("--queue", args.queue, "--database-url", args.database_url),
        *("--web-workers", str(args.web_workers), "--threads", str(args.threads)),
        *("--worker-concurrency", str(args.worker_concurrency)),
    ]
    with launched(*serve_args) as service:
        load_before = os.getloadavg()[0]
        go = measured(service, run_go, args.events)
        python = measured(service, run_python, args.python_events or args.events)
    print(f"load average at start: {load_before:.1f}, at end: {os.getloadavg()[0]:.1f}")
    print(
        f"{'sdk':<8}{'events':>9}{'accepted/s':>12}{'accepted s':>12}{'stored s':>10}"
        f"{'stored':>9}{'errors':>8}{'web CPU s':>11}{'events/web CPU s':>18}"
    )
    for r in (go, python):
        print(
            f"{r['sdk']:<8}{r['events']:>9}{r['accepted_per_second']:>12,.0f}"
            f"{r['accepted_seconds']:>12.1f}{r['stored_seconds']:>10.1f}{r['stored']:>9}"
            f"{r['errors']:>8}{r['web_cpu_seconds']:>11.1f}{r['events_per_web_cpu_second']:>18,.0f}"
        )
    print(json.dumps({"go": go, "python": python}))
    complete = all(r["stored"] == r["events"] and r["errors"] == 0 for r in (go, python))
    return 0 if complete else 1


if __name__ == "__main__":
    sys.exit(main())
