"""`manage.py seeddemo`: fill a project with realistic demo sessions and events, fast.

Rows go in through `atrack.bulk`, like ingest's: one statement per table and batch of
sessions, one transaction per batch, from `--workers` forked processes on PostgreSQL
(whose tables are vacuumed and analysed at the end); in this process elsewhere.
"""

from __future__ import annotations

import json
import multiprocessing
import time
from collections.abc import Iterator, Sequence
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections, transaction

from atrack.bulk import insert_rows, model_columns
from atrack.demo import DemoEvent, DemoSession, Generator, event_counts
from events.models import Event
from projects.management import command_project
from projects.models import Project
from projects.routing import alias_for
from sessions_app.models import Attribute, Session


def _event_values(project_id: int, session_id: int, uuid: str, e: DemoEvent) -> tuple[Any, ...]:
    received = e.received_at
    # The order of model_columns(Event).
    return (project_id, session_id, uuid, e.name, e.attributes, e.ip_address, e.user_agent,
            e.occurred_at, received, e.message_id, received, received)  # fmt: skip


class Loader:
    """Sessions, their attribute rows and their events, generated and stored a batch of
    sessions at a time; set up before forking, so the worker processes inherit it."""

    def __init__(self, *, alias: str, generator: Generator, project_id: int) -> None:
        self.alias = alias
        self.generator = generator
        self.project_id = project_id
        self.postgres = connections[alias].vendor == "postgresql"

    def load(self, job: tuple[int, list[int]]) -> tuple[int, int, int]:
        """Generate and store one batch in one transaction: (sessions, events, attributes)."""
        part, counts = job
        self.generator.reseed(part)
        batch = list(self.generator.sessions(counts))
        with transaction.atomic(using=self.alias):
            attributes = self.write(batch)
        return len(batch), sum(counts), attributes

    def write(self, batch: Sequence[DemoSession]) -> int:
        project_id = self.project_id
        if self.postgres:
            with connections[self.alias].cursor() as cursor:
                # Demo rows: losing the last batch on a crash costs nothing, waiting for fsync does.
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        names = list(batch[0].fields)
        created = insert_rows(
            alias=self.alias,
            model=Session,
            columns=["project_id", "uuid", *names],
            rows=[[project_id, s.uuid, *(s.fields[n] for n in names)] for s in batch],
            unique=("project_id", "uuid"),
            returning=("uuid", "id"),
        )
        ids = {str(uuid): pk for uuid, pk in created}
        attributes = [(ids[s.uuid], *row) for s in batch for row in s.attributes]
        events = [
            _event_values(project_id, ids[s.uuid], s.uuid, e) for s in batch for e in s.events
        ]
        for model, rows in ((Attribute, attributes), (Event, events)):
            insert_rows(alias=self.alias, model=model, columns=model_columns(model), rows=rows)
        return len(attributes)

    def analyze(self) -> None:
        """Fresh planner statistics; outside a transaction also the visibility map.

        Without a VACUUM, a freshly loaded table has no page marked all-visible, so no
        index-only scan pays off until autovacuum comes by: reads measured right after
        seeding would be slower than the same reads in production.
        """
        if not self.postgres:
            return
        connection = connections[self.alias]
        tables = ", ".join(m._meta.db_table for m in (Session, Attribute, Event))
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            cursor.execute(f"{command} {tables}")


_loader: Loader | None = None


def _load_in_worker(job: tuple[int, list[int]]) -> tuple[int, int, int]:
    assert _loader is not None
    return _loader.load(job)


def _jobs(counts: list[int], size: int) -> Iterator[tuple[int, list[int]]]:
    for part, start in enumerate(range(0, len(counts), size)):
        yield part, counts[start : start + size]


class Command(BaseCommand):
    help = "Fill a project with realistic demo sessions and events."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", required=True, help="Project slug or id.")
        parser.add_argument("--sessions", type=int, required=True)
        parser.add_argument("--events", type=int, required=True)
        parser.add_argument("--days", type=int, default=30, help="Spread over the last N days.")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same data (new ids).")
        parser.add_argument("--batch-size", type=int, default=2000, help="Sessions a commit.")
        parser.add_argument(
            "--workers", type=int, default=2, help="Loader processes (PostgreSQL only)."
        )
        parser.add_argument("--json", action="store_true", help="End with one JSON summary.")

    def handle(self, *args: Any, **options: Any) -> None:
        project = command_project(options["project"])
        if min(options["sessions"], options["days"], options["batch_size"]) < 1:
            raise CommandError("--sessions, --days and --batch-size must be positive.")
        if options["events"] < 0:
            raise CommandError("--events must not be negative.")
        alias = alias_for(project)
        generator = Generator(seed=options["seed"], days=options["days"])
        counts = event_counts(generator.rng, options["sessions"], options["events"])
        loader = Loader(alias=alias, generator=generator, project_id=project.pk)
        # Inside a transaction (tests) the rows must stay in it: no separate processes.
        in_transaction = any(connection.in_atomic_block for connection in connections.all())
        workers = options["workers"] if loader.postgres and not in_transaction else 1
        started = time.perf_counter()
        attributes = self._fill(loader, _jobs(counts, options["batch_size"]), workers, options)
        loader.analyze()
        self._summary(project, alias, attributes, time.perf_counter() - started, options)

    def _results(
        self, loader: Loader, jobs: Iterator[tuple[int, list[int]]], workers: int
    ) -> Iterator[tuple[int, int, int]]:
        global _loader
        if workers <= 1:
            yield from map(loader.load, jobs)
            return
        # Children must open their own connections: close ours before forking.
        connections.close_all()
        _loader = loader
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield from pool.imap_unordered(_load_in_worker, jobs)

    def _fill(
        self,
        loader: Loader,
        jobs: Iterator[tuple[int, list[int]]],
        workers: int,
        options: dict[str, Any],
    ) -> int:
        started = last_report = time.perf_counter()
        sessions = events = attributes = 0
        for batch_sessions, batch_events, batch_attributes in self._results(loader, jobs, workers):
            sessions += batch_sessions
            events += batch_events
            attributes += batch_attributes
            now = time.perf_counter()
            if options["verbosity"] >= 1 and not options["json"] and now - last_report >= 2:
                last_report = now
                self.stdout.write(
                    f"  {sessions:,}/{options['sessions']:,} sessions, "
                    f"{events:,}/{options['events']:,} events "
                    f"({events / (now - started):,.0f} events/s)"
                )
        return attributes

    def _summary(
        self, project: Project, alias: str, attributes: int, seconds: float, options: dict[str, Any]
    ) -> None:
        sessions, events = options["sessions"], options["events"]
        rows = sessions + events + attributes
        summary = {
            "project": project.slug,
            "database": alias,
            "sessions": sessions,
            "events": events,
            "attributes": attributes,
            "seconds": round(seconds, 2),
            "rows_per_second": round(rows / seconds),
            "events_per_second": round(events / seconds),
        }
        if options["json"]:
            self.stdout.write(json.dumps(summary))
            return
        self.stdout.write(
            f"Seeded {sessions:,} sessions, {events:,} events and {attributes:,} attributes "
            f"into {project.slug} (database {alias}) in {seconds:.1f} s: "
            f"{rows / seconds:,.0f} rows/s, {events / seconds:,.0f} events/s"
        )
