"""What the device model table costs one process: load time, RSS, first-use match times.

    .venv/bin/python bench/device_model_cost.py --matomo DEVICE-DETECTOR --uap-js UA-PARSER-JS \\
        [--intoli USER-AGENTS-JSON]

Gathers the Android user agents of Matomo's fixtures, ua-parser-js's device fixtures and,
when given, the user-agents npm package's dist/user-agents.json in a child process (so the
memory their parsing frees cannot absorb the table's), then loads the table and asks it
for the class of each, timing each call: the first UA of a device pays for the regexes it
compiles. RSS is VmRSS from /proc/self/status (Linux); the full collection is one
gc.collect(), what a cache miss pays when the collector's oldest generation comes due.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.ua_accuracy import matomo_entries
from enrichment import device_models


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def corpus(matomo: Path, uap_js: Path, intoli: Path | None = None) -> list[str]:
    """The distinct Android user agents of the corpora given."""
    entries, bots = matomo_entries(matomo)
    uas = [str(entry["user_agent"]) for entry in entries] + bots
    for path in sorted((uap_js / "test" / "data" / "ua" / "device").glob("*.json")):
        uas += [str(row["ua"]) for row in json.loads(path.read_text())]
    if intoli is not None:
        uas += [str(row["userAgent"]) for row in json.loads(intoli.read_text())]
    return [ua for ua in dict.fromkeys(uas) if "Android" in ua]


def gathered(args: argparse.Namespace) -> list[str]:
    with ProcessPoolExecutor(max_workers=1) as pool:
        return pool.submit(corpus, args.matomo, args.uap_js, args.intoli).result()


def full_collection_ms() -> float:
    start = time.perf_counter()
    gc.collect()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--matomo", type=Path, required=True)
    parser.add_argument("--uap-js", type=Path, required=True)
    parser.add_argument("--intoli", type=Path)
    uas = gathered(parser.parse_args())
    gc.collect()
    base, empty = rss_mb(), full_collection_ms()
    start = time.perf_counter()
    table = device_models.load()
    print(f"table load: {(time.perf_counter() - start) * 1000:,.0f} ms, +{rss_mb() - base:.1f} MB")
    print(f"full collection: {empty:,.1f} ms before the load, {full_collection_ms():,.1f} after")
    times = []
    for ua in uas:
        start = time.perf_counter()
        table.model_class(ua)
        times.append((time.perf_counter() - start) * 1e6)
    times.sort()
    p50, p99 = times[len(times) // 2], times[int(len(times) * 0.99)]
    print(
        f"{len(uas):,} Android UAs, first pass: p50 {p50:,.0f} / p99 {p99:,.0f} / "
        f"max {times[-1]:,.0f} µs, +{rss_mb() - base:.1f} MB"
    )
    start = time.perf_counter()
    table.compile_all()
    print(
        f"every brand compiled: {(time.perf_counter() - start) * 1000:,.0f} ms more, "
        f"+{rss_mb() - base:.1f} MB, full collection {full_collection_ms():,.1f} ms"
    )


if __name__ == "__main__":
    main()
