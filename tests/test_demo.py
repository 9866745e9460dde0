"""manage.py seeddemo and its pure data generator."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from atrack.demo import Generator, event_counts
from events.models import Event
from projects.models import Project
from projects.services import CreatedProject, project_create
from sessions_app.models import Attribute, Session

NOW = datetime(2026, 4, 12, 12, 0, tzinfo=UTC)


def seed(project: Project, sessions: int, events: int, *extra: str) -> str:
    out = StringIO()
    call_command(
        "seeddemo",
        "--project", project.slug, "--sessions", str(sessions), "--events", str(events),
        "--batch-size", "7", *extra, stdout=out,
    )  # fmt: skip
    return out.getvalue()


def assert_session_shape(session: Session) -> None:
    assert set(session.url_data) >= {"raw", "href", "path", "query", "query_all"}
    ip = session.ip_data
    assert ip["ip"] == session.ip_address
    assert ip["city"]["country"]["iso_code"] == session.country_code
    assert ip["city"]["country"]["names"]["en"]
    assert ip["city"]["city"]["names"]["en"]
    assert set(ip["city"]["location"]) >= {"latitude", "longitude", "time_zone"}
    assert ip["isp"]["isp"]
    assert isinstance(ip["asn"]["number"], int)
    device = session.device_data
    assert set(device) >= {"os", "client", "device_class", "is_mobile", "is_bot", "bot"}
    assert session.device_class == device["device_class"]
    assert session.is_bot == device["is_bot"]
    assert set(session.first_touch) >= {"source", "medium", "channel", "landing_url", "seen_at_ms"}
    assert session.source
    assert session.channel
    assert session.client_attributes["language"]
    assert "ipAddress" not in session.client_attributes
    assert session.first_seen_at == session.created_at
    assert session.last_seen_at is not None
    assert session.last_seen_at <= session.updated_at


def assert_event_belongs(event: Event, session: Session) -> None:
    assert event.project_id == session.project_id
    assert event.uuid == session.uuid
    assert event.occurred_at >= session.created_at
    assert event.occurred_at < event.received_at <= event.occurred_at + timedelta(seconds=2)
    assert event.created_at == event.updated_at == event.received_at
    assert event.message_id.startswith("seed-")


@pytest.mark.django_db
def test_it_creates_exactly_the_sessions_and_events_asked_for(
    project: CreatedProject, other_project: CreatedProject
) -> None:
    out = seed(project.project, 25, 240)

    assert "Seeded 25 sessions, 240 events" in out
    sessions = {s.pk: s for s in Session.objects.for_project(project.project)}
    events = list(Event.objects.for_project(project.project))
    assert len(sessions) == 25
    assert len(events) == 240
    assert len({e.message_id for e in events}) == 240
    for session in sessions.values():
        assert_session_shape(session)
    for event in events:
        assert_event_belongs(event, sessions[event.session_id])
    assert not Session.objects.for_project(other_project.project).exists()
    assert not Event.objects.for_project(other_project.project).exists()


@pytest.mark.django_db
def test_each_session_gets_a_few_attribute_rows(project: CreatedProject) -> None:
    seed(project.project, 10, 30)

    ids = Session.objects.for_project(project.project).values_list("id", flat=True)
    per_session = Counter(
        Attribute.objects.using("default")
        .filter(session_id__in=list(ids))
        .values_list("session_id", flat=True)
    )
    assert set(per_session) == set(ids)
    assert all(1 <= n <= 4 for n in per_session.values())


@pytest.mark.django_db
def test_running_it_again_with_the_same_seed_adds_new_rows(project: CreatedProject) -> None:
    seed(project.project, 5, 20)
    seed(project.project, 5, 20)

    assert Session.objects.for_project(project.project).count() == 10
    assert Event.objects.for_project(project.project).count() == 40


@pytest.mark.django_db
def test_json_prints_one_summary_line(project: CreatedProject) -> None:
    out = seed(project.project, 3, 9, "--json")

    assert '"sessions": 3' in out
    assert '"events": 9' in out
    assert len(out.strip().splitlines()) == 1


@pytest.mark.django_db
def test_an_unknown_project_is_an_error() -> None:
    with pytest.raises(CommandError, match="No project"):
        call_command("seeddemo", "--project", "nope", "--sessions", "1", "--events", "1")


@pytest.mark.postgres
@pytest.mark.django_db(databases="__all__")
def test_on_postgres_rows_land_only_in_the_project_database(second_postgres_alias: str) -> None:
    project = project_create(name="Sharded", database_alias=second_postgres_alias).project
    seed(project, 30, 300)

    def count(alias: str, table: str) -> int:
        with connections[alias].cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table} WHERE project_id = %s", [project.pk])
            return int(cursor.fetchone()[0])

    assert count(second_postgres_alias, "sessions_app_session") == 30
    assert count(second_postgres_alias, "events_event") == 300
    assert count("default", "sessions_app_session") == 0
    assert count("default", "events_event") == 0
    sessions = {s.pk: s for s in Session.objects.for_project(project)}
    events = list(Event.objects.for_project(project))
    assert len({e.message_id for e in events}) == 300
    for session in sessions.values():
        assert_session_shape(session)
    for event in events:
        assert_event_belongs(event, sessions[event.session_id])
    assert (
        Attribute.objects.using(second_postgres_alias).filter(session_id__in=list(sessions)).count()
        >= 30
    )


@pytest.mark.postgres
@pytest.mark.django_db(databases="__all__", transaction=True)
def test_on_postgres_two_loader_processes_store_every_row_once(second_postgres_alias: str) -> None:
    project = project_create(name="Parallel", database_alias=second_postgres_alias).project
    seed(project, 40, 400, "--workers", "2")

    events = Event.objects.for_project(project)
    assert Session.objects.for_project(project).count() == 40
    assert events.count() == 400
    assert events.values("message_id").distinct().count() == 400
    assert Session.objects.for_project(project).values("uuid").distinct().count() == 40


# The generator alone, without a database.


def test_event_counts_add_up_exactly_and_are_skewed() -> None:
    counts = event_counts(random.Random(1), 1000, 10_000)

    assert len(counts) == 1000
    assert sum(counts) == 10_000
    assert max(counts) > 5 * (10_000 / 1000)


def test_one_session_can_take_all_the_events() -> None:
    assert event_counts(random.Random(1), 1, 100) == [100]


def test_events_without_sessions_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one session"):
        event_counts(random.Random(1), 0, 5)


def test_sessions_start_within_the_days_asked_and_end_before_now() -> None:
    generator = Generator(seed=1, days=7, now=NOW)

    for session in generator.sessions([3] * 300):
        assert NOW - timedelta(days=8) < session.fields["created_at"] <= NOW
        assert all(e.received_at <= NOW for e in session.events)


def test_sessions_mix_the_usual_channels_with_their_click_ids() -> None:
    sessions = list(Generator(seed=1, days=30, now=NOW).sessions([1] * 600))

    channels = Counter(s.fields["channel"] for s in sessions)
    assert {
        "organic_search",
        "paid_search",
        "paid_social",
        "email",
        "ai_assistant",
        "direct",
    } <= set(channels)
    paid_search = [s for s in sessions if s.fields["channel"] == "paid_search"]
    assert all("gclid" in s.fields["click_ids"] for s in paid_search)
    paid_social = [s for s in sessions if s.fields["channel"] == "paid_social"]
    assert all(s.fields["click_ids"]["fbc"].startswith("fb.1.") for s in paid_social)
    assert len({s.fields["country_code"] for s in sessions}) >= 12
    assert any(s.fields["is_bot"] for s in sessions)


def test_a_visit_starts_with_a_page_view_and_page_views_dominate() -> None:
    sessions = list(Generator(seed=2, days=30, now=NOW).sessions([12] * 200))

    assert all(s.events[0].name == "page_view" for s in sessions)
    names = Counter(e.name for s in sessions for e in s.events)
    assert names.most_common(1)[0][0] == "page_view"
    assert {"add_to_cart", "checkout_started", "purchase", "signup_started"} <= set(names)


def test_the_same_seed_gives_the_same_data_but_new_ids() -> None:
    first = next(Generator(seed=5, days=30, now=NOW).sessions([4]))
    second = next(Generator(seed=5, days=30, now=NOW).sessions([4]))

    assert first.fields["created_at"] == second.fields["created_at"]
    assert [e.name for e in first.events] == [e.name for e in second.events]
    assert first.uuid != second.uuid
    assert first.events[0].message_id != second.events[0].message_id
