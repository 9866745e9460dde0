"""The fault matrix's short rows (bench/faults.py), with real processes, as CI tests.

Each row starts its own PostgreSQL clusters, redis-server, granian and workers (the
script's `--worker-command auto`: the ingest consumer when it exists, else Celery), sends
330 writes and checks that every acknowledged write is stored exactly once.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import faults
from bench.fault_procs import BIN, kill_all, pg_bin
from tests.conftest import require

EVENTS = 300  # + an /init and an /attributes per 20 events: 330 writes
WRITES = EVENTS + 2 * (EVENTS // 20)


@pytest.fixture(scope="module")
def bench() -> Iterator[faults.Bench]:
    require(pg_bin() is not None, "needs PostgreSQL's server binaries (initdb, postgres)")
    require(shutil.which("redis-server") is not None, "needs redis-server on PATH")
    require(
        os.access(BIN / "granian", os.X_OK),
        "needs granian in the virtualenv",
    )
    # The lease is short so that entries of a killed worker come back within the test.
    options = faults.parse(
        [
            "--events",
            str(EVENTS),
            "--rate",
            "150",
            "--settle",
            "45",
            "--env",
            "INGEST_LEASE_SECONDS=6",
        ]
    )
    # Not pytest's tmp_path: its parent is private to us, and the clusters run as `postgres`.
    base = Path(tempfile.mkdtemp(prefix="atrack-faults-test-"))
    base.chmod(0o755)
    try:
        yield faults.setup(base, options)
    finally:
        kill_all()
        shutil.rmtree(base, ignore_errors=True)


def assert_nothing_lost_or_doubled(row: faults.Row) -> None:
    assert not [n for n in row.notes if n.startswith("row failed") or "exited" in n], row
    assert row.acknowledged == WRITES, row
    assert row.stored == WRITES, row
    assert row.lost == 0, row
    assert row.duplicates == 0, row
    assert row.seconds_to_stored is not None, row


def test_without_a_fault_every_write_is_acknowledged_and_stored_once(bench: faults.Bench) -> None:
    row = faults.run_row(bench, "baseline")
    assert_nothing_lost_or_doubled(row)
    assert row.server_errors == 0, row
    assert row.conn_errors == 0, row


def test_workers_killed_holding_read_entries_lose_and_double_nothing(
    bench: faults.Bench,
) -> None:
    row = faults.run_row(bench, "worker-kill-pending")
    assert_nothing_lost_or_doubled(row)
    assert row.server_errors == 0, row
    # The kill happened while entries were read and not yet acknowledged.
    assert any("SIGKILL holding" in n and "holding 0 " not in n for n in row.notes), row
