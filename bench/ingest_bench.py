"""Ingest benchmark: HTTP ingest, worker pipeline, sustained mix and memory, with references.

    .venv/bin/python bench/ingest_bench.py [--duration 10] [--mix-duration 60] [--mix-rates 3000]

It installs wrk (Debian) when missing, recreates the database `atrack_ingest_bench` on the local
PostgreSQL, uses Redis database 12 as the broker (BENCH_DB, BENCH_BROKER and BENCH_PORT
change them), starts the service as production runs it (granian, 2 workers, for the API
process and for the whole service; ingest consumers, `manage.py ingest`) and drives it with
wrk from a second process on loopback. Every figure is printed next to its reference
measured in the same run, so the ratios hold on a noisy machine:

- HTTP ingest: queued /event and /init requests/s and latency on the API process, next to a
  plain Django view returning a small JSON body on the whole service's process (the full
  middleware list) with the same worker count;
- pipeline: work items stored per second by the workers from a pre-filled queue, next to
  the binary COPY rate of the same rows (its events, its new sessions) into copies of
  the same tables; then a queue of events alone on the sessions stored already, next to
  the COPY rate of the event rows;
- sustained mix: init + attributes + 5 events per visitor at a fixed rate for a minute,
  with the queue depth sampled every second and the lag of the last event;
- peak resident memory of an API and a whole-service worker and of an ingest consumer (GeoIP
  databases loaded).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
sys.path.insert(0, str(ROOT))

# Overridable, so that two runs on one machine do not share a database, broker or port.
DB = os.environ.get("BENCH_DB", "atrack_ingest_bench")
PG = "postgres://postgres@127.0.0.1:5432"
BROKER = os.environ.get("BENCH_BROKER", "redis://127.0.0.1:6379/12")
PORT = int(os.environ.get("BENCH_PORT", "8097"))  # the API process; the whole service: PORT + 1
EVENT_BODY = '{"uuid":"%s","event":"page_view","attributes":{"path":"/pricing","n":%d}}'


WARMUP: dict[str, int] = {}


@dataclass
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


def sh(*args: str, env: dict[str, str] | None = None, check: bool = True) -> str:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if check and done.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    print("installing wrk from Debian ...", flush=True)
    sh("apt-get", "update", "-qq")
    sh("apt-get", "install", "-y", "-qq", "wrk")


def service_env(geoip: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "CELERY_"))}
    env.update(
        DATABASE_URL=f"{PG}/{DB}",
        CELERY_BROKER_URL=BROKER,
        SECRET_KEY="bench-secret-key",
        DJANGO_SETTINGS_MODULE="bench.settings",
        GEOIP_PATH=str(geoip),
        # The limit is still counted in Redis on every request; it just never refuses wrk.
        RATE_LIMIT_PER_SECOND="1000000000",
        # Production's log level, with access lines for failed requests only
        # (ACCESS_LOG=errors, as docs/operations.md advises at volume).
        LOG_LEVEL="INFO",
        ACCESS_LOG="errors",
        PYTHONPATH=str(ROOT),
    )
    return env


def prepare(env: dict[str, str]) -> dict[str, str]:
    sh("dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB)
    sh("createdb", "-h", "127.0.0.1", "-U", "postgres", DB)
    sh(str(BIN / "python"), "manage.py", "migrateall", env=env)
    sh(str(BIN / "python"), "-c", f"import redis; redis.Redis.from_url({BROKER!r}).flushdb()")
    keys: dict[str, str] = json.loads(
        sh(str(BIN / "python"), "manage.py", "createproject", "Bench", "--json", env=env)
    )
    return keys


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


def start_web(
    env: dict[str, str], log: Path, threads: int, workers: int, app: str, port: int
) -> subprocess.Popen[bytes]:
    web = start(
        [str(BIN / "granian"), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers), "--blocking-threads", str(threads), "--no-ws", app],
        env, log,
    )  # fmt: skip
    wait_for(lambda: _http_ok("/health", port), 30, app)
    return web


def start_workers(env: dict[str, str], log: Path, concurrency: int) -> subprocess.Popen[bytes]:
    """`manage.py ingest` with `concurrency` consumer processes."""
    worker = start(
        [str(BIN / "python"), "manage.py", "ingest", "--processes", str(concurrency)], env, log
    )
    wait_for(
        lambda: log.read_text(errors="replace").count("ingest consumer") >= concurrency,
        60,
        "the ingest consumers",
    )
    return worker


def _http_ok(path: str, port: int) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def wait_for(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.1)


# --- wrk -----------------------------------------------------------------------------

LUA = """
local tid = 0
local n = 0
local key = "%(key)s"
local delay_ms = %(delay)s
function setup(thread) thread:set("tid", tid); tid = tid + 1 end
local function uuid(i) return string.format("%%08x-0000-4000-8000-%%012d", tid, i) end
function request()
  n = n + 1
  local headers = {["content-type"] = "application/json", ["x-a-track-key"] = key}
  %(body)s
end
%(delay_fn)s
"""
# Open-loop pacing for wrk, which has no rate option: a connection sends, waits for the
# answer, then waits `delay_ms`, so its rate is 1 / (latency + delay). Once a second
# each thread corrects the delay by what it achieved, so the rate holds whatever the
# latency (as long as the server keeps up); wrk's latency figures exclude the delay.
PACING = """
local target, conns = %(target)s, %(conns)s
local window, done, settled = os.time(), 0, false
function response(status, headers, body) done = done + 1 end
function delay()
  local now = os.time()
  if now > window then
    -- The first window is a fraction of a second: skip it. Steps are capped at a factor
    -- of two so that one noisy second cannot swing the rate.
    local achieved = done / (now - window)
    if settled and achieved > 0 then
      local wanted = delay_ms + 1000 * conns * (1 / target - 1 / achieved)
      delay_ms = math.min(delay_ms * 2, math.max(delay_ms / 2, wanted))
    end
    window, done, settled = now, 0, true
  end
  return delay_ms
end
"""
BODIES = {
    "plain": 'return wrk.format("POST", "/bench/plain", headers, \'{"event":"page_view"}\')',
    "event": (
        'return wrk.format("POST", "/event", headers, string.format(\'{"uuid":"%s","event":"page_view",'
        '"attributes":{"path":"/pricing","n":%d}}\', uuid(n % 5000), n))'
    ),
    "init": (
        'return wrk.format("POST", "/init", headers, string.format(\'{"uuid":"%s","context":{"url":'
        '{"href":"https://shop.example/?utm_source=google&utm_medium=cpc&gclid=g%d","referer":'
        '"https://www.google.com/"},"client":{"ipAddress":"50.89.98.90","userAgent":"Mozilla/5.0 '
        "(iPhone; CPU iPhone OS 17_2_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        'Version/17.2 Mobile/15E148 Safari/604.1","locale":"en-US","screenWidth":1179}}}\', '
        "uuid(1000000 + n), n))"
    ),
    # One visitor: init, attributes, then five events, on a fresh UUID every 7 requests.
    "mix": (
        "local step = (n - 1) %% 7\n  local u = uuid(2000000 + math.floor((n - 1) / 7))\n"
        '  if step == 0 then return wrk.format("POST", "/init", headers, string.format(\'{"uuid":"%%s",'
        '"context":{"url":{"href":"https://shop.example/?utm_source=newsletter"},"client":{"ipAddress":'
        '"50.89.98.90","userAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0 Safari/537.36"}}}\', u))\n'
        '  elseif step == 1 then return wrk.format("POST", "/attributes", headers, string.format(\'{"uuid":"%%s",'
        '"attributes":{"plan":"pro","step":%%d}}\', u, n))\n'
        '  else return wrk.format("POST", "/event", headers, string.format(\'{"uuid":"%%s","event":"mix_event",'
        '"attributes":{"step":%%d}}\', u, step)) end'
    ),
}


def wrk(
    kind: str, key: str, seconds: int, connections: int, rate: float | None = None
) -> WrkResult:
    delay = "0"
    delay_fn = ""
    if rate:
        delay = f"{connections * 1000.0 / rate:.3f}"
        per_thread = {"target": rate / 2, "conns": connections / 2}  # wrk -t2
        delay_fn = PACING % per_thread
    body = BODIES[kind] % {} if kind == "mix" else BODIES[kind]
    script = LUA % {"key": key, "delay": delay, "delay_fn": delay_fn, "body": body}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    port = PORT + 1 if kind == "plain" else PORT
    out = sh("wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", handle.name,
             f"http://127.0.0.1:{port}")  # fmt: skip
    return _parse_wrk(out)


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def _parse_wrk(out: str) -> WrkResult:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    # The "Latency Distribution" lines, not the "+/- Stdev" percentages above them.
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.MULTILINE).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    if socket_errors:
        print("  wrk:", socket_errors.group(0), flush=True)
    return WrkResult(rps, p50, p99, requests, int(errors.group(1)) if errors else 0)


# --- database and broker probes ---------------------------------------------------------


def db_counts(project_id: int) -> tuple[int, int]:
    import psycopg

    with psycopg.connect(f"{PG}/{DB}") as conn:
        events = conn.execute(
            "SELECT count(*) FROM events_event WHERE project_id = %s", [project_id]
        ).fetchone()
        inits = conn.execute(
            "SELECT count(*) FROM sessions_app_session WHERE project_id = %s AND first_seen_at IS NOT NULL",
            [project_id],
        ).fetchone()
    return int(events[0]), int(inits[0])  # type: ignore[index]


def queue_depth() -> int:
    import redis

    client = redis.Redis.from_url(BROKER)
    return int(client.xlen("atrack:ingest"))  # entries queued or being stored


@dataclass
class CopyReference:
    events: float  # event rows/s into the events table
    sessions: float  # enriched session rows/s into the sessions table
    mixed: float  # the pipeline's rows (its events and its sessions) per second


def _copy_rate(conn: Any, table: str, where: str, limit: int) -> tuple[int, float]:
    """Binary COPY of up to `limit` stored rows of `table` into a copy of it: (rows, s)."""
    columns = conn.execute(
        "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass "
        "AND attnum > 0 AND NOT attisdropped AND attname <> 'id' ORDER BY attnum",
        [table],
    ).fetchall()
    names = ", ".join(name for name, _ in columns)
    data = conn.execute(f"SELECT {names} FROM {table} WHERE {where} LIMIT %s", [limit]).fetchall()
    conn.execute("DROP TABLE IF EXISTS bench_copy")
    conn.execute(f"CREATE TABLE bench_copy (LIKE {table} INCLUDING ALL)")
    conn.commit()
    started = time.perf_counter()
    with (
        conn.cursor() as cursor,
        cursor.copy(f"COPY bench_copy ({names}) FROM STDIN (FORMAT BINARY)") as copy,
    ):
        copy.set_types([oid for _, oid in columns])
        for row in data:
            copy.write_row(row)
    conn.commit()
    elapsed = time.perf_counter() - started
    conn.execute("DROP TABLE bench_copy")
    conn.commit()
    return len(data), elapsed


def copy_reference(project_id: int, expect: tuple[int, int]) -> CopyReference:
    """Binary COPY of the pipeline's own stored rows, each into a copy of its table: its
    events (with their triggers and indexes) and its new, enriched sessions."""
    import psycopg

    scale = min(1.0, 200_000 / max(1, expect[0]))  # at most 200,000 event rows
    with psycopg.connect(f"{PG}/{DB}") as conn:
        where = f"project_id = {int(project_id)}"
        events, events_s = _copy_rate(conn, "events_event", where, int(expect[0] * scale))
        sessions, sessions_s = _copy_rate(
            conn, "sessions_app_session", where + " AND first_seen_at IS NOT NULL",
            int(expect[1] * scale),
        )  # fmt: skip
    return CopyReference(
        events=events / events_s,
        sessions=sessions / sessions_s,
        mixed=(events + sessions) / (events_s + sessions_s),
    )


def peak_rss_mb(root_pid: int) -> float:
    """The largest VmHWM among the process group's children (the workers)."""
    peaks = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
            stat = (status.parent / "stat").read_text()
        except OSError:
            continue
        pgrp = int(stat[stat.rindex(")") + 2 :].split()[2])
        ppid = int(re.search(r"PPid:\s+(\d+)", text).group(1))  # type: ignore[union-attr]
        hwm = re.search(r"VmHWM:\s+(\d+) kB", text)
        if pgrp == root_pid and ppid != 1 and int(status.parent.name) != root_pid and hwm:
            peaks.append(int(hwm.group(1)) / 1024)
    return max(peaks, default=0.0)


# --- the phases ----------------------------------------------------------------------------


def phase_http(key: str, seconds: int, connections: int) -> dict[str, WrkResult]:
    results = {}
    # The reference is measured before and after the others and averaged: on a shared
    # machine the capacity drifts between measurements.
    for kind in ("plain", "event", "init", "plain_again"):
        script = kind.removesuffix("_again")
        WARMUP[kind] = wrk(script, key, 2, connections).requests  # caches, connections
        results[kind] = wrk(script, key, seconds, connections)
        print(f"  {kind:11s} {results[kind].rps:9.0f} req/s  p50 {results[kind].p50_ms:6.2f} ms  "
              f"p99 {results[kind].p99_ms:6.2f} ms  non-2xx {results[kind].errors}", flush=True)  # fmt: skip
    half = results["event"].rps / 2
    results["event_half"] = wrk("event", key, seconds, connections, rate=half)
    print(f"  event at half rate ({half:.0f}/s): {results['event_half'].rps:.0f} req/s, "
          f"p99 {results['event_half'].p99_ms:.2f} ms", flush=True)  # fmt: skip
    return results


def phase_pipeline(
    env: dict[str, str], logs: Path, project_id: int, expect: tuple[int, int], concurrency: int
) -> tuple[float, float, Any]:
    """Start workers on the pre-filled queue; time until every item is stored."""
    worker = start_workers(env, logs / "worker.log", concurrency)
    started = time.perf_counter()
    wait_for(lambda: db_counts(project_id) >= expect, 900, f"{expect} rows")
    elapsed = time.perf_counter() - started
    return (expect[0] + expect[1]) / elapsed, expect[0] / elapsed, worker


def phase_events_alone(
    env: dict[str, str], logs: Path, project_id: int, key: str, seconds: int, connections: int,
    concurrency: int,
) -> tuple[float, Any]:  # fmt: skip
    """/event requests on the sessions stored already, queued while no worker runs, then
    stored: events per second from the workers' start to the last row."""
    before = db_counts(project_id)[0]
    queued = wrk("event", key, seconds, connections).requests
    worker = start_workers(env, logs / "worker-events.log", concurrency)
    started = time.perf_counter()
    wait_for(lambda: db_counts(project_id)[0] >= before + queued, 900, f"{queued} events")
    return queued / (time.perf_counter() - started), worker


def phase_mix(
    key: str, project_id: int, rate: float, seconds: int, connections: int
) -> dict[str, Any]:
    import threading

    before = db_counts(project_id)[0]
    depths: list[int] = []
    stop_sampling = threading.Event()

    def sample() -> None:
        while not stop_sampling.wait(1.0):
            depths.append(queue_depth())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    result = wrk("mix", key, seconds, connections, rate=rate)
    ended = time.perf_counter()
    expected_events = before + sum(1 for n in range(result.requests) if n % 7 >= 2)
    deadline = time.perf_counter() + 120
    while db_counts(project_id)[0] < expected_events and time.perf_counter() < deadline:
        time.sleep(0.1)
    lag = time.perf_counter() - ended  # 120 s or more means the workers fell behind
    stop_sampling.set()
    tail = depths[len(depths) // 2 :] or [0]
    return {"rate": result.rps, "p99": result.p99_ms, "errors": result.errors, "max_depth": max(depths or [0]),
            "tail_median_depth": statistics.median(tail), "lag": lag}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per HTTP measurement")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument(
        "--web-threads", type=int, default=8, help="granian blocking threads per worker"
    )
    parser.add_argument("--web-workers", type=int, default=2, help="granian worker processes")
    parser.add_argument("--http-only", action="store_true", help="stop after the HTTP figures")
    parser.add_argument("--worker-concurrency", type=int, default=2)
    parser.add_argument("--mix-duration", type=int, default=60)
    parser.add_argument("--mix-rates", default="3000", help="comma-separated requests/s to try")
    args = parser.parse_args()
    ensure_wrk()
    logs = Path(tempfile.mkdtemp(prefix="atrack-bench-"))
    geoip = logs / "geoip"
    from tests.enrichment.mmdb_factory import write_test_databases

    write_test_databases(geoip)
    env = service_env(geoip)
    keys = prepare(env)
    project_id = int(
        sh(
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-tAc",
            "SELECT id FROM projects_project WHERE slug = 'bench'",
            DB,
        )
    )
    sizes = (args.web_threads, args.web_workers)
    api = start_web(env, logs / "api.log", *sizes, "atrack.wsgi_api:application", PORT)
    web = start_web(env, logs / "web.log", *sizes, "atrack.wsgi:application", PORT + 1)
    worker = None
    try:
        print("HTTP ingest (queued; no worker running):", flush=True)
        http = phase_http(keys["public_key"], args.duration, args.connections)
        if args.http_only:
            return
        expect = db_expect(http)
        print(f"Pipeline: {sum(expect)} queued items ...", flush=True)
        items_rate, events_rate, worker = phase_pipeline(
            env, logs, project_id, expect, args.worker_concurrency
        )
        print(f"  {items_rate:,.0f} items/s ({events_rate:,.0f} events/s)", flush=True)
        copy_rate = copy_reference(project_id, expect)
        worker_mb = peak_rss_mb(worker.pid)
        stop(worker)
        print("Pipeline, events alone on stored sessions ...", flush=True)
        alone_rate, worker = phase_events_alone(
            env, logs, project_id, keys["public_key"], args.duration, args.connections,
            args.worker_concurrency,
        )  # fmt: skip
        print(f"  {alone_rate:,.0f} events/s", flush=True)
        mixes = []
        for rate in [float(r) for r in args.mix_rates.split(",") if r]:
            print(f"Sustained mix at {rate:.0f} req/s for {args.mix_duration} s ...", flush=True)
            mixes.append(
                phase_mix(keys["public_key"], project_id, rate, args.mix_duration, args.connections)
            )
        web_mb = peak_rss_mb(api.pid), peak_rss_mb(web.pid)
        worker_mb = max(worker_mb, peak_rss_mb(worker.pid))
    finally:
        stop(api)
        stop(web)
        if worker is not None:
            stop(worker)
    report(http, (items_rate, events_rate, alone_rate), copy_rate, mixes, web_mb, worker_mb)
    print(f"(logs in {logs})")


def db_expect(http: dict[str, WrkResult]) -> tuple[int, int]:
    """Every /event request (warm-ups included) is one event; every /init a new session."""
    return http["event"].requests + http["event_half"].requests + WARMUP["event"], http[
        "init"
    ].requests + WARMUP["init"]


def report(http: dict[str, WrkResult], pipeline: tuple[float, float, float], copy_rate: CopyReference,
           mixes: list[dict[str, Any]], web_mb: tuple[float, float], worker_mb: float) -> None:  # fmt: skip
    items_rate, events_rate, alone_rate = pipeline
    plain = (http["plain"].rps + http["plain_again"].rps) / 2
    print(
        f"\nplain view: {http['plain'].rps:,.0f} req/s before, {http['plain_again'].rps:,.0f} after"
    )
    print("\n| measure | figure | reference | ratio | target |")
    print("|---|---|---|---|---|")
    for kind in ("event", "init"):
        r = http[kind]
        print(f"| queued /{kind} | {r.rps:,.0f} req/s, p50 {r.p50_ms:.2f} ms, p99 {r.p99_ms:.2f} ms | "
              f"plain view {plain:,.0f} req/s (mean) | {r.rps / plain:.2f}x | >= 0.5x |")  # fmt: skip
    half = http["event_half"]
    print(
        f"| /event at half its peak | {half.rps:,.0f} req/s, p99 {half.p99_ms:.2f} ms | | | p99 < 25 ms |"
    )
    print(f"| pipeline (events + new sessions) | {items_rate:,.0f} items/s ({events_rate:,.0f} events/s) | "
          f"binary COPY of the same rows {copy_rate.mixed:,.0f} rows/s | {items_rate / copy_rate.mixed:.3f}x | >= 0.1x |")  # fmt: skip
    print(f"| pipeline, events alone on stored sessions | {alone_rate:,.0f} events/s | "
          f"binary COPY of the event rows {copy_rate.events:,.0f} rows/s | {alone_rate / copy_rate.events:.3f}x | |")  # fmt: skip
    print(f"| (binary COPY of enriched session rows) | | {copy_rate.sessions:,.0f} rows/s | | |")
    for mix in mixes:
        bounded = "bounded" if mix["tail_median_depth"] < 2 * max(1, mix["rate"]) else "growing"
        print(f"| sustained mix | {mix['rate']:,.0f} req/s, p99 {mix['p99']:.1f} ms, queue max {mix['max_depth']} "
              f"({bounded}), last event stored {mix['lag']:.2f} s after the load | | | >= 3,000 req/s, lag <= 2 s |")  # fmt: skip
    print(
        f"| web worker peak RSS | API {web_mb[0]:.0f} MB, whole service {web_mb[1]:.0f} MB | | | < 150 MB |"
    )
    print(f"| ingest consumer peak RSS | {worker_mb:.0f} MB | | | < 250 MB |")


if __name__ == "__main__":
    main()
