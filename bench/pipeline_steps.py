"""Where a worker's time goes: the bench's work items stored in one process, by phase.

    .venv/bin/python bench/pipeline_steps.py [--items 10000] [--keep]

Recreates the database `atrack_pipeline_bench`, builds work items as the web would
(events on 10,000 sessions round-robin, then inits of new sessions, then more events),
stores them 1,000 per transaction with the code the drains use (`process_items`), and
prints per phase the items per second and the time of each SQL statement per item.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB = "atrack_pipeline_bench"
PSQL = ["-h", "127.0.0.1", "-U", "postgres"]
UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1"
)


def prepare() -> None:
    geoip = Path(tempfile.mkdtemp(prefix="atrack-geoip-"))
    from tests.enrichment.mmdb_factory import write_test_databases

    write_test_databases(geoip)
    os.environ.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DB}",
        SECRET_KEY="bench-secret-key",
        DJANGO_SETTINGS_MODULE="atrack.settings",
        GEOIP_PATH=str(geoip),
        LOG_LEVEL="WARNING",
    )
    os.environ.pop("CELERY_BROKER_URL", None)
    subprocess.run(["dropdb", *PSQL, "--if-exists", DB], check=True)
    subprocess.run(["createdb", *PSQL, DB], check=True)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrateall"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([*manage, "createproject", "Steps"], check=True, stdout=subprocess.DEVNULL)


def work(project_id: int, count: int) -> dict[str, list[dict[str, Any]]]:
    from atrack.api.payloads import RequestFacts, event_item, init_item

    def facts() -> RequestFacts:
        now = datetime.now(UTC)
        return RequestFacts(
            project_id=project_id, received_at=now, ip="50.89.98.90", user_agent="wrk",
            anonymize_ip=False,
        )  # fmt: skip

    def uuid(thread: int, n: int) -> str:
        return f"{thread:08x}-0000-4000-8000-{n:012d}"

    def event(n: int) -> dict[str, Any]:
        body = {"uuid": uuid(n % 2, n % 5000), "event": "page_view", "attributes": {"n": n}}
        return event_item(body, facts())

    def init(n: int) -> dict[str, Any]:
        url = {"href": f"https://shop.example/?utm_source=google&utm_medium=cpc&gclid=g{n}",
               "referer": "https://www.google.com/"}  # fmt: skip
        client = {"ipAddress": "50.89.98.90", "userAgent": UA, "locale": "en-US"}
        body = {"uuid": uuid(n % 2, 1_000_000 + n), "context": {"url": url, "client": client}}
        return init_item(body, facts())

    phases = {
        "events, sessions created": [event(n) for n in range(count)],
        "inits, new sessions": [init(n) for n in range(count)],
        "events, sessions known": [event(n) for n in range(count, 2 * count)],
    }
    return json.loads(json.dumps(phases))  # as the stream hands them over


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=10_000, help="items per phase")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    prepare()
    import django

    django.setup()
    from atrack import bulk
    from events.ingest.processing import process_items
    from projects.models import Project

    spent: collections.Counter[str] = collections.Counter()
    execute = bulk._execute

    def timed(alias: str, sql: str, params: list[Any], *, fetch: bool) -> Any:
        started = time.perf_counter()
        try:
            return execute(alias, sql, params, fetch=fetch)
        finally:
            spent[" ".join(sql.split()[:3])] += time.perf_counter() - started

    bulk._execute = timed  # type: ignore[assignment]
    for phase, items in work(Project.objects.get(slug="steps").pk, args.items).items():
        spent.clear()
        started = time.perf_counter()
        for start in range(0, len(items), 1000):
            process_items(items[start : start + 1000])
        elapsed = time.perf_counter() - started
        print(
            f"{phase}: {len(items) / elapsed:,.0f} items/s, {elapsed / len(items) * 1e6:.0f} µs an item"
        )
        for statement, seconds in spent.most_common():
            print(f"    {statement[:50]:50s} {seconds / len(items) * 1e6:6.1f} µs an item")
    if not args.keep:
        from django.db import connections

        connections.close_all()
        subprocess.run(["dropdb", *PSQL, "--if-exists", DB], check=True)


if __name__ == "__main__":
    main()
