"""Move a project's data plane (sessions, attributes, events) to another database alias
while writes keep arriving. See docs/scaling.md for the design, guarantees and limits.

1. Copy rows up to high-water marks that no open transaction can still fill in; verify.
2. Switch `Project.database_alias`; wait longer than any process caches it
   (`API_KEY_CACHE_SECONDS`) and until the transactions open on the old alias end.
3. Catch up, the old alias now quiet: every session and its attributes compared and
   merged by the rule ingest merges inits by (`sessions_app.services.session_merge`),
   new events by id; a session erased on either side meanwhile stays erased.
4. Verify every old row has its counterpart, then delete the old rows, each batch only
   once its counterparts are confirmed; rows arriving late are caught up again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connections, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Max

from atrack.bulk import insert_rows, model_columns
from events.erasure import sessions_delete
from events.models import Event, FailedWork
from projects.models import Project
from projects.routing import alias_for
from projects.selectors import key_cache
from sessions_app.models import Attribute, Erasure, Session
from sessions_app.services import attributes_merge, attributes_replace, session_merge

SETTLE_MARGIN_SECONDS = 10.0
OPEN_TRANSACTIONS_TIMEOUT = 600.0
DELETE_ROUNDS = 3
SESSION_COLUMNS = model_columns(Session)
TABLES = ("events", "attributes", "sessions")
# Which of a batch of source rows have their counterpart on the target: their ids.
Covered = Callable[[list[dict[str, Any]]], list[int]]


class MoveError(Exception):
    """The move cannot start or cannot be verified; the old rows are kept."""


@dataclass
class Marks:
    """Highest ids seen before the first copy; every row at or below them is committed."""

    session: int = 0
    event: int = 0


@dataclass
class MoveReport:
    source: str
    target: str
    copied: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))
    caught_up: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))
    merged_sessions: int = 0
    erased_sessions: int = 0
    moved_failed_work: int = 0
    verified: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))
    seconds: dict[str, float] = field(default_factory=dict)


def default_settle_seconds() -> float:
    """Longer than any process keeps the old alias in its project cache."""
    return float(settings.API_KEY_CACHE_SECONDS) + SETTLE_MARGIN_SECONDS


def wait_for_open_transactions(alias: str, *, timeout: float = OPEN_TRANSACTIONS_TIMEOUT) -> None:
    """Return once every write transaction open on `alias` now has ended (PostgreSQL).

    Ids are drawn before commit, so a row with a lower id can still appear after a
    higher one was read; once these transactions end, none can.
    """
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return  # SQLite has one writer at a time and its ids follow commits
    time.sleep(0.05)  # an id drawn just now belongs to a transaction id by then
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_snapshot_xmax(pg_current_snapshot())::text")
        horizon = cursor.fetchone()[0]
        deadline = time.monotonic() + timeout
        while True:
            cursor.execute("SELECT pg_snapshot_xmin(pg_current_snapshot()) >= %s::xid8", [horizon])
            if cursor.fetchone()[0]:
                return
            if time.monotonic() > deadline:
                raise MoveError(f"transactions on {alias!r} stayed open over {timeout:.0f} s")
            time.sleep(0.05)


def check_target(*, project: Project, source: str, target: str) -> None:
    """Refuse a move to an unknown, unmigrated or already used alias."""
    if target not in settings.DATABASES:
        raise MoveError(f"Unknown alias {target!r}; set DATABASE_URL_{target.upper()}.")
    if target == source:
        raise MoveError(f"Project {project.slug!r} already lives in {target!r}.")
    executor = MigrationExecutor(connections[target])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise MoveError(f"Alias {target!r} is not migrated: manage.py migrate --database {target}")
    if Session.objects.using(target).filter(project_id=project.pk).exists():
        raise MoveError(f"Alias {target!r} already holds rows of project {project.slug!r}.")


def _values(row: models.Model, columns: list[str]) -> list[Any]:
    return [getattr(row, name) for name in columns]


def _delete_ids(alias: str, model: type[models.Model], ids: list[int], guard: str = "") -> int:
    """Delete by id without Django's collector, which would take rows that arrive late."""
    if not ids:
        return 0
    table = model._meta.db_table
    marks = ", ".join(["%s"] * len(ids))
    try:
        with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE id IN ({marks}){guard}", ids)
            return int(cursor.rowcount)
    except IntegrityError:
        return 0  # a child row arrived meanwhile: the next round copies it first


class ProjectMove:
    """The state of one move; `run` performs it."""

    def __init__(self, *, project: Project, target: str, batch_size: int = 1000) -> None:
        self.project = project
        self.source, self.target = alias_for(project), target
        self.batch_size = batch_size
        self.report = MoveReport(source=self.source, target=target)
        self.marks = Marks()
        # Source ids of sessions copied past the marks (pulled in by a child row).
        self.pulled: set[int] = set()
        self.target_floor = 0  # highest target session id at the switch: all copies
        self.erased_on_target: set[str] = set()

    def run(self, *, settle_seconds: float, log: Callable[[str], None] = print) -> MoveReport:
        check_target(project=self.project, source=self.source, target=self.target)
        steps: list[tuple[str, Callable[[], None]]] = [
            ("copy", self.copy),
            ("switch", self.switch),
            ("settle", lambda: self.settle(settle_seconds)),
            ("catch_up", lambda: self.catch_up(first=True)),
            ("verify", self.verify),
            ("delete", self.delete_old),
        ]
        for name, step in steps:
            log(f"{name}…")
            started = time.monotonic()
            step()
            self.report.seconds[name] = round(time.monotonic() - started, 3)
        return self.report

    # -- helpers ------------------------------------------------------------------------
    def sessions(self, alias: str) -> models.QuerySet[Session]:
        return Session.objects.using(alias).filter(project_id=self.project.pk)

    def events(self, alias: str) -> models.QuerySet[Event]:
        return Event.objects.using(alias).filter(project_id=self.project.pk)

    def attributes(self, alias: str) -> models.QuerySet[Attribute]:
        return Attribute.objects.using(alias).filter(session__project_id=self.project.pk)

    def batches(self, queryset: Any, *, upto: int | None = None, after: int = 0) -> Iterator[Any]:
        """Rows of `queryset` (models or dicts with an id) in id order, a batch at a time."""
        last = after
        bounded = queryset if upto is None else queryset.filter(id__lte=upto)
        while True:
            rows = list(bounded.filter(id__gt=last).order_by("id")[: self.batch_size])
            if not rows:
                return
            yield rows
            last = rows[-1]["id"] if isinstance(rows[-1], dict) else rows[-1].id

    def target_rows(self, uuids: Iterable[Any]) -> dict[str, Session]:
        return {str(s.uuid): s for s in self.sessions(self.target).filter(uuid__in=list(uuids))}

    def target_ids(self, uuids: Iterable[Any]) -> dict[str, int]:
        rows = self.sessions(self.target).filter(uuid__in=list(uuids))
        return {str(u): pk for u, pk in rows.values_list("uuid", "id")}

    def insert_copies(self, rows: list[Any], *, unique: tuple[str, ...] | None = None) -> None:
        """Copy `rows` (all of one model) to the target, each but its id; a row clashing
        on `unique` is skipped."""
        if rows:
            columns = model_columns(type(rows[0]))
            copies = [_values(r, columns) for r in rows]
            insert_rows(
                alias=self.target, model=type(rows[0]), columns=columns, rows=copies, unique=unique
            )

    def insert_sessions(self, rows: list[Session]) -> None:
        self.insert_copies(rows, unique=("project_id", "uuid"))

    def was_copied(self, source_id: int) -> bool:
        return source_id <= self.marks.session or source_id in self.pulled

    # -- 1. copy ------------------------------------------------------------------------
    def copy(self) -> None:
        marks = Marks(
            session=self.sessions(self.source).aggregate(m=Max("id"))["m"] or 0,
            event=self.events(self.source).aggregate(m=Max("id"))["m"] or 0,
        )
        wait_for_open_transactions(self.source)
        self.marks = marks
        for rows in self.batches(self.sessions(self.source), upto=marks.session):
            self.insert_sessions(rows)
            self.report.copied["sessions"] += len(rows)
        self.report.copied["attributes"] = self.copy_attributes()
        self.report.copied["events"] = self.copy_events(upto=marks.event, after=0)
        self.carry_erasures()
        try:
            self.verify(session_upto=marks.session, event_upto=marks.event)
        except MoveError:
            self.sessions(self.target).delete()  # nothing else writes there yet
            raise

    def session_map(self, uuids: set[str], *, pull: bool) -> dict[str, int]:
        """uuid → target session id; with `pull`, missing sessions are copied first."""
        ids = self.target_ids(uuids)
        missing = uuids - set(ids)
        if missing and pull:
            rows = list(self.sessions(self.source).filter(uuid__in=missing))
            self.insert_sessions(rows)
            self.pulled.update(r.id for r in rows)
            ids = self.target_ids(uuids)
        return ids

    def copy_attributes(self) -> int:
        copied = 0
        fields = ("id", "key", "value", "set_at", "session__uuid")
        for batch in self.batches(self.attributes(self.source).values(*fields)):
            ids = self.session_map({str(r["session__uuid"]) for r in batch}, pull=True)
            merges: list[tuple[int, Mapping[str, Any], datetime]] = [
                (ids[str(r["session__uuid"])], {r["key"]: r["value"]}, r["set_at"]) for r in batch
            ]
            with transaction.atomic(using=self.target):
                attributes_merge(alias=self.target, merges=merges)
            copied += len(batch)
        return copied

    def copy_events(self, *, upto: int | None, after: int) -> int:
        """Insert-if-missing by message id; before the switch missing sessions are pulled,
        after it a missing session was erased on the target and its events stay out."""
        examined = 0
        for batch in self.batches(self.events(self.source), upto=upto, after=after):
            ids = self.session_map({str(r.uuid) for r in batch}, pull=upto is not None)
            kept = [r for r in batch if str(r.uuid) in ids]
            for row in kept:
                row.session_id = ids[str(row.uuid)]
            self.insert_copies(kept, unique=("project_id", "message_id"))
            examined += len(batch)
        return examined

    # -- 2. switch ----------------------------------------------------------------------
    def switch(self) -> None:
        self.target_floor = self.sessions(self.target).aggregate(m=Max("id"))["m"] or 0
        Project.objects.filter(pk=self.project.pk).update(database_alias=self.target)
        self.project.database_alias = self.target
        key_cache.clear()

    def settle(self, seconds: float) -> None:
        time.sleep(seconds)
        wait_for_open_transactions(self.source)

    # -- 3. catch up --------------------------------------------------------------------
    def catch_up(self, *, first: bool) -> None:
        for rows in self.batches(self.sessions(self.source)):
            self.reconcile(rows)
        if first:  # later rounds run after deletions, when a missing row means nothing
            self.propagate_erasures()
            self.carry_erasures()
        self.move_failed_work()
        self.report.caught_up["events"] += self.copy_events(upto=None, after=self.marks.event)

    def reconcile(self, rows: list[Session]) -> None:
        """Make the target's copy of each session hold every write the source saw."""
        current = self.target_rows(r.uuid for r in rows)
        missing = [r for r in rows if str(r.uuid) not in current]
        fresh = [r for r in missing if not self.was_copied(r.id)]
        self.erased_on_target |= {str(r.uuid) for r in missing if self.was_copied(r.id)}
        if fresh:
            self.insert_sessions(fresh)
            self.report.caught_up["sessions"] += len(fresh)
            current = self.target_rows(r.uuid for r in rows)
        for row in rows:
            mine = current.get(str(row.uuid))
            if mine is not None and _values(mine, SESSION_COLUMNS) != _values(row, SESSION_COLUMNS):
                self.merge_session(row, mine.pk)
        pairs = {r.id: current[str(r.uuid)].pk for r in rows if str(r.uuid) in current}
        self.reconcile_attributes(pairs)

    def merge_session(self, row: Session, target_id: int) -> None:
        with transaction.atomic(using=self.target):
            if row.attributes_reset_at is not None:  # hides older keys on the target too
                attributes_replace(
                    alias=self.target,
                    session_id=target_id,
                    attributes={},
                    set_at=row.attributes_reset_at,
                )
            mine = Session.objects.using(self.target).select_for_update().get(pk=target_id)
            session_merge(into=mine, other=row)
            mine.save(using=self.target)
        self.report.merged_sessions += 1

    def reconcile_attributes(self, pairs: dict[int, int]) -> None:
        """Merge the source's keys into the target's: the newest `set_at` wins."""
        fields = ("session_id", "key", "value", "set_at")
        target = Attribute.objects.using(self.target).filter(session_id__in=pairs.values())
        have = {(s, k): (v, t) for s, k, v, t in target.values_list(*fields)}
        source = Attribute.objects.using(self.source).filter(session_id__in=pairs)
        merges: list[tuple[int, Mapping[str, Any], datetime]] = [
            (pairs[s], {k: v}, t)
            for s, k, v, t in source.values_list(*fields)
            if have.get((pairs[s], k)) != (v, t)
        ]
        with transaction.atomic(using=self.target):
            attributes_merge(alias=self.target, merges=merges)
        self.report.caught_up["attributes"] += len(merges)

    def propagate_erasures(self) -> None:
        """Copied sessions gone from the source were erased there: erase them here too."""
        copies = self.sessions(self.target).filter(id__lte=self.target_floor)
        for batch in self.batches(copies.values("id", "uuid")):
            found = self.sessions(self.source).filter(uuid__in=[r["uuid"] for r in batch])
            present = {str(u) for u in found.values_list("uuid", flat=True)}
            gone = [r["id"] for r in batch if str(r["uuid"]) not in present]
            sessions_delete(alias=self.target, session_ids=gone)
            self.report.erased_sessions += len(gone)

    def move_failed_work(self) -> None:
        """Parked failed work goes with the project's data: copied, then deleted here (a
        crash in between leaves a row twice; replaying stores its items once all the same)."""
        rows = FailedWork.objects.using(self.source).filter(project_id=self.project.pk)
        while chunk := list(rows.order_by("id")[: self.batch_size]):
            self.insert_copies(chunk)
            FailedWork.objects.using(self.source).filter(pk__in=[r.pk for r in chunk]).delete()
            self.report.moved_failed_work += len(chunk)

    def carry_erasures(self) -> None:
        """The source's erasures hold on the target too (the later one wins), and what
        the target stored for a UUID under an erasure in force is erased there."""
        source = Erasure.objects.using(self.source).filter(project_id=self.project.pk)
        for erasure in source:
            kept, _ = Erasure.objects.using(self.target).get_or_create(
                project_id=erasure.project_id,
                uuid=erasure.uuid,
                defaults={"erased_at": erasure.erased_at, "lifted_at": erasure.lifted_at},
            )
            if kept.erased_at < erasure.erased_at:
                kept.erased_at, kept.lifted_at = erasure.erased_at, erasure.lifted_at
                kept.save(using=self.target, update_fields=["erased_at", "lifted_at"])
            if kept.lifted_at is None:
                for row in self.sessions(self.target).filter(uuid=kept.uuid):
                    sessions_delete(alias=self.target, session_ids=[row.pk])

    # -- 4. verify and delete -----------------------------------------------------------
    def covered_sessions(self, batch: list[dict[str, Any]]) -> list[int]:
        have = self.target_ids(r["uuid"] for r in batch)
        gone = self.erased_on_target
        return [r["id"] for r in batch if str(r["uuid"]) in have or str(r["uuid"]) in gone]

    def covered_events(self, batch: list[dict[str, Any]]) -> list[int]:
        found = self.events(self.target).filter(message_id__in=[r["message_id"] for r in batch])
        have = set(found.values_list("message_id", flat=True))
        gone = self.erased_on_target
        return [r["id"] for r in batch if r["message_id"] in have or str(r["uuid"]) in gone]

    def covered_attributes(self, batch: list[dict[str, Any]]) -> list[int]:
        """Attribute ids whose value (or a newer one, or a later replace) is on the target."""
        sessions = self.target_rows({r["session__uuid"] for r in batch})
        resets = {u: s.attributes_reset_at for u, s in sessions.items()}
        rows = Attribute.objects.using(self.target).filter(
            session_id__in=[s.pk for s in sessions.values()]
        )
        have = {(str(u), k): t for u, k, t in rows.values_list("session__uuid", "key", "set_at")}
        covered = []
        for r in batch:
            uuid, set_at = str(r["session__uuid"]), r["set_at"]
            newer = have.get((uuid, r["key"]))
            reset = resets.get(uuid)
            if (
                uuid in self.erased_on_target
                or (newer is not None and newer >= set_at)
                or (reset is not None and reset > set_at)
            ):
                covered.append(r["id"])
        return covered

    def source_tables(self) -> dict[str, tuple[type[models.Model], Any, Covered]]:
        """Per table: its model, its source rows (the fields the check reads) and the check."""
        attribute_fields = ("id", "key", "set_at", "session__uuid")
        return {
            "sessions": (
                Session,
                self.sessions(self.source).values("id", "uuid"),
                self.covered_sessions,
            ),
            "events": (
                Event,
                self.events(self.source).values("id", "uuid", "message_id"),
                self.covered_events,
            ),
            "attributes": (
                Attribute,
                self.attributes(self.source).values(*attribute_fields),
                self.covered_attributes,
            ),
        }

    def verify(self, *, session_upto: int | None = None, event_upto: int | None = None) -> None:
        """Every source row (up to the bounds) has its counterpart on the target; the
        attributes, which have no marks, only when no bounds are given."""
        bounds = {"sessions": session_upto, "events": event_upto, "attributes": None}
        for table, (_, rows, covered) in self.source_tables().items():
            if table == "attributes" and session_upto is not None:
                continue
            total = missing = 0
            for batch in self.batches(rows, upto=bounds[table]):
                total += len(batch)
                missing += len(batch) - len(covered(batch))
            if missing:
                raise MoveError(f"{missing} of {total} {table} missing on {self.target!r}")
            self.report.verified[table] = total

    def delete_old(self) -> None:
        for _ in range(DELETE_ROUNDS):
            self.delete_covered()
            if not self.rows_left(self.source):
                Erasure.objects.using(self.source).filter(project_id=self.project.pk).delete()
                return
            # A process kept the old alias past the settle time: copy what it wrote.
            wait_for_open_transactions(self.source)
            self.catch_up(first=False)
            self.verify()
        raise MoveError(f"rows keep arriving in {self.source!r}; the old rows are kept")

    def delete_covered(self) -> None:
        tables = self.source_tables()
        for table in TABLES:  # children before their sessions
            model, rows, covered = tables[table]
            guard = _NO_CHILDREN if model is Session else ""
            for batch in self.batches(rows):
                self.report.deleted[table] += _delete_ids(self.source, model, covered(batch), guard)

    def rows_left(self, alias: str) -> int:
        failed = FailedWork.objects.using(alias).filter(project_id=self.project.pk)
        querysets = (self.events(alias), self.attributes(alias), self.sessions(alias), failed)
        return sum(q.count() for q in querysets)


_NO_CHILDREN = (
    f" AND NOT EXISTS (SELECT 1 FROM {Event._meta.db_table} e WHERE e.session_id = "
    f"{Session._meta.db_table}.id) AND NOT EXISTS (SELECT 1 FROM {Attribute._meta.db_table} a "
    f"WHERE a.session_id = {Session._meta.db_table}.id)"
)


def project_move(
    *,
    project: Project,
    target: str,
    settle_seconds: float | None = None,
    batch_size: int = 1000,
    log: Callable[[str], None] = print,
) -> MoveReport:
    """Move `project`'s data to `target` while it keeps receiving writes (see module doc)."""
    settle = default_settle_seconds() if settle_seconds is None else settle_seconds
    move = ProjectMove(project=project, target=target, batch_size=batch_size)
    return move.run(settle_seconds=settle, log=log)
