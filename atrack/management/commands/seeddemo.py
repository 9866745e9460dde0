"""`manage.py seeddemo`: fill a project with realistic demo sessions and events, fast.

On PostgreSQL rows go in with COPY (session ids reserved from the sequence first, so
events can point at them without a round trip), from `--workers` forked processes, one
transaction per batch of sessions, and the tables are vacuumed and analysed at the end;
elsewhere with `bulk_create`, in this process.
"""

from __future__ import annotations

import json
import multiprocessing
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections, models, transaction

from atrack.demo import DemoEvent, DemoSession, Generator, event_counts
from atrack.demo import encode_json as _encode
from events.models import Event
from projects.models import Project
from projects.routing import alias_for
from projects.selectors import project_get
from sessions_app.models import Attribute, Session

SESSION_COLUMNS = (
    "id", "project_id", "uuid", "first_context", "last_context", "first_seen_at",
    "last_seen_at", "url_data", "utm_data", "query_params", "click_ids", "source", "medium",
    "channel", "referer", "first_touch", "touch_state", "ip_address", "ip_data",
    "device_data", "client_attributes", "user_attributes", "custom_data", "country_code",
    "device_class", "is_bot", "created_at", "updated_at",
)  # fmt: skip
ATTRIBUTE_COLUMNS = ("session_id", "key", "value", "set_at")
EVENT_COLUMNS = (
    "project_id", "session_id", "uuid", "name", "attributes", "ip_address", "user_agent",
    "occurred_at", "received_at", "message_id", "created_at", "updated_at",
)  # fmt: skip


class Table:
    """COPY into `names` (values given, JSON already encoded) plus any other column of
    the model at its default, so a column added later does not break the seeder."""

    def __init__(self, model: type[models.Model], names: Sequence[str]) -> None:
        fields = {f.attname: f for f in model._meta.concrete_fields}
        rest = [f for f in fields.values() if f.attname not in names and not f.primary_key]
        columns = [f'"{fields[name].column}"' for name in names] + [f'"{f.column}"' for f in rest]
        self.table = model._meta.db_table
        self.json = tuple(isinstance(fields[name], models.JSONField) for name in names)
        self.defaults = tuple(_db_value(f, f.get_default()) for f in rest)
        self.sql = f'COPY "{self.table}" ({", ".join(columns)}) FROM STDIN'

    def encoded(self, values: Sequence[Any]) -> tuple[Any, ...]:
        """`values` with the JSON columns encoded, plus the defaults."""
        return (
            *(
                _encode(v) if is_json and v is not None else v
                for v, is_json in zip(values, self.json, strict=True)
            ),
            *self.defaults,
        )


def _db_value(field: models.Field, value: Any) -> Any:
    # Django stores None in a JSON column as SQL NULL; so do we.
    return _encode(value) if isinstance(field, models.JSONField) and value is not None else value


def _session_values(pk: int | None, project_id: int, s: DemoSession) -> list[Any]:
    values = {**s.fields, "id": pk, "project_id": project_id, "uuid": s.uuid}
    return [values[name] for name in SESSION_COLUMNS]


def _event_values(project_id: int, session_id: int, uuid: str, e: DemoEvent) -> tuple[Any, ...]:
    received = e.received_at
    return (project_id, session_id, uuid, e.name, e.attributes, e.ip_address, e.user_agent,
            e.occurred_at, received, e.message_id, received, received)  # fmt: skip


class PostgresWriter:
    """COPY sessions (with reserved ids), their attribute rows and their events."""

    def __init__(self, alias: str) -> None:
        self.alias = alias
        self.sessions = Table(Session, SESSION_COLUMNS)
        self.attributes = Table(Attribute, ATTRIBUTE_COLUMNS)
        self.events = Table(Event, EVENT_COLUMNS)

    def write(self, project_id: int, batch: Sequence[DemoSession]) -> int:
        with connections[self.alias].cursor() as cursor:
            # Demo rows: losing the last batch on a crash costs nothing, waiting for fsync does.
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [self.sessions.table, len(batch)],
            )
            ids = [row[0] for row in cursor.fetchall()]
            pairs = list(zip(ids, batch, strict=True))
            with cursor.cursor.copy(self.sessions.sql) as copy:
                for pk, s in pairs:
                    copy.write_row(self.sessions.encoded(_session_values(pk, project_id, s)))
            attributes = 0
            with cursor.cursor.copy(self.attributes.sql) as copy:
                for pk, s in pairs:
                    for key, value, set_at in s.attributes:
                        copy.write_row((pk, key, _encode(value), set_at, *self.attributes.defaults))
                        attributes += 1
            with cursor.cursor.copy(self.events.sql) as copy:
                extra = self.events.defaults
                for pk, s in pairs:
                    for e in s.events:
                        row = _event_values(project_id, pk, s.uuid, e)
                        copy.write_row((*row[:4], e.attributes_json, *row[5:], *extra))
        return attributes

    def analyze(self) -> None:
        """Fresh planner statistics; outside a transaction also the visibility map.

        Without a VACUUM, a freshly loaded table has no page marked all-visible, so no
        index-only scan pays off until autovacuum comes by: reads measured right after
        seeding would be slower than the same reads in production.
        """
        connection = connections[self.alias]
        tables = ", ".join(t.table for t in (self.sessions, self.attributes, self.events))
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            cursor.execute(f"{command} {tables}")


class OrmWriter:
    """bulk_create in batches: for SQLite, where there is no COPY."""

    def __init__(self, alias: str) -> None:
        self.alias = alias

    def write(self, project_id: int, batch: Sequence[DemoSession]) -> int:
        db = self.alias
        sessions = [
            Session(**dict(zip(SESSION_COLUMNS, _session_values(None, project_id, s), strict=True)))
            for s in batch
        ]
        Session.objects.using(db).bulk_create(sessions, batch_size=500)
        pairs = list(zip(sessions, batch, strict=True))
        attributes = [
            Attribute(session_id=row.pk, key=key, value=value, set_at=set_at)
            for row, s in pairs
            for key, value, set_at in s.attributes
        ]
        Attribute.objects.using(db).bulk_create(attributes, batch_size=500)
        events = [
            Event(
                **dict(
                    zip(EVENT_COLUMNS, _event_values(project_id, row.pk, s.uuid, e), strict=True)
                )
            )
            for row, s in pairs
            for e in s.events
        ]
        Event.objects.using(db).bulk_create(events, batch_size=500)
        return len(attributes)

    def analyze(self) -> None:
        pass


@dataclass
class Loader:
    """Everything a worker needs; set before forking, so children inherit it."""

    writer: PostgresWriter | OrmWriter
    generator: Generator
    project_id: int

    def load(self, job: tuple[int, list[int]]) -> tuple[int, int, int]:
        """Generate and store one batch in one transaction: (sessions, events, attributes)."""
        part, counts = job
        self.generator.reseed(part)
        batch = list(self.generator.sessions(counts))
        with transaction.atomic(using=self.writer.alias):
            attributes = self.writer.write(self.project_id, batch)
        return len(batch), sum(counts), attributes


_loader: Loader | None = None


def _load_in_worker(job: tuple[int, list[int]]) -> tuple[int, int, int]:
    assert _loader is not None
    return _loader.load(job)


def _jobs(counts: list[int], size: int) -> Iterator[tuple[int, list[int]]]:
    for part, start in enumerate(range(0, len(counts), size)):
        yield part, counts[start : start + size]


class Command(BaseCommand):
    help = "Fill a project with realistic demo sessions and events (COPY on PostgreSQL)."

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
        project = self._project(options["project"])
        if min(options["sessions"], options["days"], options["batch_size"]) < 1:
            raise CommandError("--sessions, --days and --batch-size must be positive.")
        if options["events"] < 0:
            raise CommandError("--events must not be negative.")
        alias = alias_for(project)
        postgres = connections[alias].vendor == "postgresql"
        writer = PostgresWriter(alias) if postgres else OrmWriter(alias)
        generator = Generator(seed=options["seed"], days=options["days"])
        counts = event_counts(generator.rng, options["sessions"], options["events"])
        loader = Loader(writer=writer, generator=generator, project_id=project.pk)
        # Inside a transaction (tests) the rows must stay in it: no separate processes.
        workers = options["workers"] if postgres and not self._in_transaction() else 1
        started = time.perf_counter()
        attributes = self._fill(loader, _jobs(counts, options["batch_size"]), workers, options)
        writer.analyze()
        self._summary(project, alias, attributes, time.perf_counter() - started, options)

    def _project(self, slug_or_id: str) -> Project:
        try:
            return project_get(slug_or_id=slug_or_id)
        except Project.DoesNotExist as exc:
            raise CommandError(f"No project {slug_or_id!r}.") from exc

    @staticmethod
    def _in_transaction() -> bool:
        return any(connection.in_atomic_block for connection in connections.all())

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
