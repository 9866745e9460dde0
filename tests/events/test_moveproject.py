"""`manage.py moveproject` between two real PostgreSQL databases, under concurrent writes."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connections
from django.db.models import F
from django.utils import timezone

from atrack.api.payloads import RequestFacts, attributes_item, event_item, init_item
from events.erasure import sessions_delete
from events.ingest.processing import process_items
from events.models import Event
from events.moving import MoveError, ProjectMove
from projects.models import Project
from projects.selectors import ProjectInfo, key_cache
from projects.services import project_create
from sessions_app.models import Attribute, Session
from sessions_app.services import session_merge
from tests.ingest.stack import wait_until

MOVE_DB = pytest.mark.django_db(databases="__all__", transaction=True)


class Writer:
    """Posts inits, attributes and events through the service layer; remembers them."""

    def __init__(self, project_id: int) -> None:
        self.project_id = project_id
        self.uuids: list[str] = []
        self.message_ids: set[str] = set()
        self.attributes: dict[str, dict[str, Any]] = {}  # uuid → expected final map
        self.n = 0

    def facts(self) -> RequestFacts:
        return RequestFacts(
            project_id=self.project_id,
            received_at=timezone.now(),
            ip="203.0.113.9",
            user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
            anonymize_ip=False,
        )

    def write(self, count: int = 1) -> None:
        for _ in range(count):
            self.n += 1
            n = self.n
            # Every third write starts a session; the rest touch older ones.
            if n % 3 == 1 or not self.uuids:
                u = str(uuid.uuid4())
                self.uuids.append(u)
                context = {"url": {"href": f"https://shop.example/?utm_source=s{n}"}}
                process_items([init_item({"uuid": u, "context": context}, self.facts())])
                self.attributes.setdefault(u, {})
            else:
                u = self.uuids[(n * 7) % len(self.uuids)]
            replace = n % 11 == 0
            attrs = {f"k{n % 5}": n, "last": n}
            process_items(
                [
                    attributes_item(
                        {"uuid": u, "attributes": attrs, "replace": replace}, self.facts()
                    )
                ]
            )
            self.attributes[u] = attrs if replace else {**self.attributes[u], **attrs}
            message_id = f"m-{n}"
            body = {"uuid": u, "event": "view", "attributes": {"n": n}, "id": message_id}
            process_items([event_item(body, self.facts())])
            self.message_ids.add(message_id)


def _info(project_id: int) -> ProjectInfo:
    return ProjectInfo.of(Project.objects.get(pk=project_id))


def _rows(alias: str, project_id: int) -> tuple[int, int, int]:
    return (
        Session.objects.using(alias).filter(project_id=project_id).count(),
        Attribute.objects.using(alias).filter(session__project_id=project_id).count(),
        Event.objects.using(alias).filter(project_id=project_id).count(),
    )


def _assert_everything_in_new_alias(writer: Writer, project_id: int, old: str, new: str) -> None:
    info = _info(project_id)
    assert info.database_alias == new
    sessions = Session.objects.for_project(info)
    assert sorted(str(u) for u in sessions.values_list("uuid", flat=True)) == sorted(writer.uuids)
    events = Event.objects.for_project(info)
    message_ids = list(events.values_list("message_id", flat=True))
    assert len(message_ids) == len(set(message_ids)) == len(writer.message_ids)
    assert set(message_ids) == writer.message_ids
    # Session ids were mapped: every event hangs off its own session in the new alias.
    assert not events.exclude(session__uuid=F("uuid")).exists()
    for u, expected in writer.attributes.items():
        got = dict(
            Attribute.objects.using(new)
            .filter(session__uuid=u, session__project_id=project_id)
            .values_list("key", "value")
        )
        assert got == expected, u
    assert _rows(old, project_id) == (0, 0, 0)


@pytest.mark.postgres
@MOVE_DB
def test_moveproject_keeps_every_write_made_during_the_move(
    second_postgres_alias: str, settings: Any
) -> None:
    settings.API_KEY_CACHE_SECONDS = 0.3
    project = project_create(name="Moving Co").project
    writer = Writer(project.pk)
    writer.write(300)  # before the move: 100 sessions, 300 events
    stop = threading.Event()
    errors: list[BaseException] = []

    def keep_writing() -> None:
        try:
            while not stop.is_set():
                writer.write()
        except BaseException as exc:  # surfaced by the test thread
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        started = time.monotonic()
        call_command(
            "moveproject",
            project.slug,
            "--to",
            second_postgres_alias,
            "--settle-seconds",
            "1",
            "--batch-size",
            "100",
            verbosity=0,
        )
        elapsed = time.monotonic() - started
        after = writer.n + 20  # writes after the move land in the new alias
        wait_until(lambda: writer.n >= after or errors, timeout=60, what="writes after the move")
    finally:
        stop.set()
        thread.join()
    assert not errors, errors
    assert writer.n > 300 + 20, "the writer kept writing during the move"
    _assert_everything_in_new_alias(writer, project.pk, "default", second_postgres_alias)
    print(f"moved {writer.n} writes in {elapsed:.2f} s")


@pytest.mark.postgres
@MOVE_DB
def test_erasures_and_parked_work_move_with_the_project(second_postgres_alias: str) -> None:
    from events.erasure import erasure_create
    from events.ingest.processing import park
    from events.models import FailedWork
    from sessions_app.models import Erasure

    project = project_create(name="Suppressed Co").project
    writer = Writer(project.pk)
    writer.write(6)
    erased = writer.uuids[0]
    erasure_create(project=project, uuid=erased)
    item = event_item({"uuid": writer.uuids[1], "event": "late", "id": "p-1"}, writer.facts())
    park([item], FailedWork.DATABASE_ERROR, RuntimeError("down"), 7)
    call_command(
        "moveproject", project.slug, "--to", second_postgres_alias, "--settle-seconds", "0",
        verbosity=0,
    )  # fmt: skip
    assert not Erasure.objects.using("default").filter(project_id=project.pk).exists()
    assert not FailedWork.objects.using("default").filter(project_id=project.pk).exists()
    moved = Erasure.objects.using(second_postgres_alias).get(project_id=project.pk)
    assert str(moved.uuid) == erased
    (work,) = FailedWork.objects.using(second_postgres_alias).filter(project_id=project.pk)
    assert work.payload == [item]
    # The suppression holds on the new database.
    project.refresh_from_db()
    late = event_item({"uuid": erased, "event": "late", "id": "p-2"}, writer.facts())
    assert process_items([late]).erased == {erased}


@pytest.mark.postgres
@MOVE_DB
def test_catch_up_merges_changes_on_both_sides_and_keeps_erasures(
    second_postgres_alias: str, settings: Any
) -> None:
    settings.API_KEY_CACHE_SECONDS = 0.1
    project = project_create(name="Both Sides").project
    writer = Writer(project.pk)
    writer.write(30)
    kept, erased_old, erased_new = writer.uuids[0], writer.uuids[1], writer.uuids[2]
    move = ProjectMove(project=project, target=second_postgres_alias, batch_size=7)
    move.copy()
    # Before the switch the old alias still receives writes.
    writer.write(6)
    old_session = Session.objects.using("default").get(project_id=project.pk, uuid=erased_old)
    sessions_delete(alias="default", session_ids=[old_session.pk])
    writer.uuids.remove(erased_old)
    del writer.attributes[erased_old]
    move.switch()
    key_cache.clear()  # the writer's cached project expires: it now writes to the new alias
    writer.write(6)
    new_session = Session.objects.using(second_postgres_alias).get(
        project_id=project.pk, uuid=erased_new
    )
    sessions_delete(alias=second_postgres_alias, session_ids=[new_session.pk])
    writer.uuids.remove(erased_new)
    del writer.attributes[erased_new]
    move.settle(0)
    move.catch_up(first=True)
    move.verify()
    move.delete_old()
    writer.message_ids = {
        m
        for m in writer.message_ids
        if m in set(Event.objects.using(second_postgres_alias).values_list("message_id", flat=True))
    }
    _assert_everything_in_new_alias(writer, project.pk, "default", second_postgres_alias)
    assert kept in writer.uuids
    assert move.report.erased_sessions == 1
    assert (
        not Event.objects.using(second_postgres_alias)
        .filter(uuid__in=[erased_old, erased_new])
        .exists()
    )


@pytest.mark.postgres
@MOVE_DB
def test_moveproject_refuses_an_unmigrated_or_same_alias(second_postgres_alias: str) -> None:
    project = project_create(name="Stay").project
    with pytest.raises(MoveError, match="already lives"):
        ProjectMove(project=project, target="default").run(settle_seconds=0)
    with pytest.raises(MoveError, match="Unknown alias"):
        ProjectMove(project=project, target="nowhere").run(settle_seconds=0)


def _session(**fields: Any) -> Session:
    base = datetime(2025, 1, 1, tzinfo=timezone.get_fixed_timezone(0))
    defaults: dict[str, Any] = {
        "project_id": 1,
        "uuid": uuid.uuid4(),
        "created_at": base,
        "updated_at": base,
    }
    return Session(**{**defaults, **fields})


def test_session_join_takes_the_last_context_from_the_newer_side() -> None:
    t0 = datetime(2025, 1, 1, tzinfo=timezone.get_fixed_timezone(0))
    mine = _session(
        first_seen_at=t0,
        last_seen_at=t0,
        url_data={"page": "a"},
        user_attributes={"a": 1, "b": 1},
        created_at=t0,
        updated_at=t0,
    )
    other = _session(
        first_seen_at=t0 - timedelta(hours=1),
        first_context={"first": True},
        last_seen_at=t0 + timedelta(hours=1),
        url_data={"page": "b"},
        user_attributes={"b": 2},
        created_at=t0 - timedelta(hours=1),
        updated_at=t0 + timedelta(hours=1),
    )
    session_merge(into=mine, other=other)
    assert mine.first_seen_at == t0 - timedelta(hours=1)
    assert mine.first_context == {"first": True}
    assert mine.url_data == {"page": "b"}
    assert mine.user_attributes == {"a": 1, "b": 2}
    assert mine.updated_at == t0 + timedelta(hours=1)


def test_session_join_keeps_the_newer_side_when_the_other_is_older() -> None:
    t0 = datetime(2025, 1, 1, tzinfo=timezone.get_fixed_timezone(0))
    mine = _session(
        first_seen_at=t0,
        last_seen_at=t0 + timedelta(hours=2),
        url_data={"page": "new"},
        touch_state={"last_touch_at_ms": 5},
    )
    other = _session(
        first_seen_at=t0,
        last_seen_at=t0,
        url_data={"page": "old"},
        touch_state={"last_touch_at_ms": 1},
        source="old",
    )
    session_merge(into=mine, other=other)
    assert mine.url_data == {"page": "new"}
    assert mine.touch_state["last_touch_at_ms"] == 5  # the join adds an empty click state
    assert mine.source == ""
