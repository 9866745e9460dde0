"""Cost of enriching one session, in microseconds: cold caches and warm caches.

    .venv/bin/python bench/enrichment_bench.py [--n 2000]

The device model table (device_models.py) is loaded first and its load time printed apart;
each brand's model regexes still compile at that brand's first UA, inside the figures.
Then the bound on a cache miss: parse_device on rare and hostile user agents (distinct
random product tokens, 1 KiB strings built to make regexes backtrack), p50 / p99 / max.

Cold: every session has a distinct URL (more than urlsplit's 128-entry cache) and a
distinct user agent (more than ua-parser's 2,000-entry cache; our own LRU is cleared).
Warm: the same URL and user agent every time. GeoIP runs on tiny .mmdb files built in a
temp dir, so the geo figure is a lower bound for real 60-100 MB databases.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from enrichment import device, device_models
from enrichment.attribution import classify
from enrichment.geo import GeoDatabases
from enrichment.pipeline import enrich_session
from enrichment.urls import parse_url_context
from tests.enrichment.mmdb_factory import DOC_IP, write_test_databases

UA_TEMPLATES = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.{i}.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.{i} Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.{i}.144 Mobile Safari/537.36",
    "Mozilla/5.0 (compatible; Googlebot/2.{i}; +http://www.google.com/bot.html)",
)
REFERERS = ("https://www.google.co.uk/", "https://l.facebook.com/", "https://chatgpt.com/", "")


def contexts(n: int, distinct: bool) -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        k = i if distinct else 0
        out.append(
            {
                "url": {
                    "href": f"https://a-track.io/p/{k}?utm_source=google&utm_medium=cpc"
                    f"&utm_campaign=c{k}&gclid=g{k}&fbclid=f{k}&ref={k}",
                    "referer": REFERERS[k % len(REFERERS)],
                },
                "client": {
                    "ipAddress": DOC_IP,
                    "userAgent": UA_TEMPLATES[k % len(UA_TEMPLATES)].format(i=k),
                    "locale": "en-US",
                },
            }
        )
    return out


def timed(fn: Callable[[dict[str, Any]], object], items: Sequence[dict[str, Any]]) -> float:
    """Median of 5 runs, microseconds per item."""
    runs = []
    for _ in range(5):
        device._parse_cached.cache_clear()
        start = time.perf_counter()
        for item in items:
            fn(item)
        runs.append((time.perf_counter() - start) / len(items) * 1e6)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    n = parser.parse_args().n
    with tempfile.TemporaryDirectory() as tmp:
        write_test_databases(Path(tmp))
        geo = GeoDatabases(tmp)
        steps: dict[str, Callable[[dict[str, Any]], object]] = {
            "url (parse_url_context)": lambda c: parse_url_context(c["url"]),
            "attribution (classify)": lambda c: classify({}, {}, c["url"]["referer"], ()),
            "geo (lookup, 4 dbs)": lambda c: geo.lookup(c["client"]["ipAddress"]),
            "device (parse_device)": lambda c: device.parse_device(c["client"]["userAgent"]),
            "whole session (enrich_session)": lambda c: enrich_session(
                context=c, previous=None, seen_at_ms=1, geo=geo
            ),
        }
        # Once per process, at the first Android UA; timed apart so the medians exclude it.
        start = time.perf_counter()
        device_models.model_class("Android")
        print(f"device model table: loaded in {time.perf_counter() - start:.2f} s\n")
        # Cold runs need a fresh UA set per run: ua-parser's own cache would remember them.
        print(f"n = {n} sessions per run, median of 5 runs, µs per session\n")
        print("| step | cold | warm |\n|---|---:|---:|")
        for offset, (name, fn) in enumerate(steps.items()):
            cold = timed(fn, contexts_shifted(n, offset))
            warm = timed(fn, contexts(n, distinct=False))
            print(f"| {name} | {cold:,.1f} | {warm:,.1f} |")
        if hasattr(device, "_hinted"):  # client hints exist from this version on
            print(f"\ncache miss on rare user agents (n = {n}): p50 / p99 / max µs")
            print(" / ".join(f"{t:,.0f}" for t in miss_bound(n)))


def rare_user_agents(n: int, seed: int = 1) -> list[str]:
    """Distinct user agents no cache has seen: random apps, odd devices, hostile strings."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

    def word() -> str:
        return "".join(rng.choice(letters) for _ in range(rng.randint(3, 12)))

    shapes = (
        lambda i: f"{word()}/{i}.{rng.randint(0, 99)} ({word()}; {word()} {i}) {word()}/{i}",
        lambda i: (
            f"Mozilla/5.0 (Linux; Android {i % 15}; {word()} {word()}) AppleWebKit/537.36 "
            f"(KHTML, like Gecko) Chrome/{i % 130}.0.0.0 Safari/537.36 {word()}/{i}"
        ),
        lambda i: "Mozilla/5.0 (" + "; ".join(word() for _ in range(60)) + f") {i}",
        lambda i: ("a" * 40 + " bot" + "x" * 20 + "/") * 16 + str(i),
        lambda i: "Mozilla/5.0 (compatible; " + " ".join(word() for _ in range(80)) + f"{i})",
        lambda i: f"{word()} " * 90 + f"Andr0id {i} TV LED UHD SMART " + "Mobile " * 20,
    )
    return [shapes[i % len(shapes)](i)[:1024] for i in range(n)]


def miss_bound(n: int) -> tuple[float, float, float]:
    """p50, p99 and max µs of one parse_device cache miss over `n` rare user agents."""
    for ua in rare_user_agents(50, seed=0):  # first calls build the regex sets lazily
        device.parse_device(ua)
    device._parse_cached.cache_clear()
    times = []
    for ua in rare_user_agents(n, seed=n):
        start = time.perf_counter()
        device.parse_device(ua)
        times.append((time.perf_counter() - start) * 1e6)
    times.sort()
    return times[len(times) // 2], times[int(len(times) * 0.99)], times[-1]


def contexts_shifted(n: int, offset: int) -> list[dict[str, Any]]:
    # Distinct per step and per run (5 runs), so no cache of an earlier run can help.
    base = contexts(n * 5, distinct=True)
    return [
        dict(c, client=dict(c["client"], userAgent=c["client"]["userAgent"] + f" s{offset}"))
        for c in base
    ]


if __name__ == "__main__":
    main()
