"""Staff see only their projects: every dashboard URL of another project is refused."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events.models import Event, FailedWork
from projects.models import Membership
from projects.services import project_create
from tests.dashboard.conftest import Seeded, seed
from tests.dashboard.factories import staff

PROJECT_PAGES = ["overview", "sessions", "session", "events", "event", "keys", "settings"]


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("page", PROJECT_PAGES)
def test_a_member_opens_every_page_of_their_project(a: Seeded, page: str) -> None:
    client = _client(staff("ann", a.project))
    response = client.get(a.urls()[page])
    assert response.status_code == 200


@pytest.mark.parametrize("page", ["overview", "sessions", "session", "events", "event", "keys"])
def test_a_member_of_a_cannot_open_b_pages_by_url(a: Seeded, b: Seeded, page: str) -> None:
    client = _client(staff("ann", a.project))
    response = client.get(b.urls()[page])
    assert response.status_code == 404
    assert str(b.session.uuid).encode() not in response.content


def test_a_member_of_a_cannot_open_b_session_list_or_detail(a: Seeded, b: Seeded) -> None:
    client = _client(staff("ann", a.project))
    list_url, detail_url = b.urls()["sessions"], b.urls()["session"]
    assert client.get(list_url).status_code == 404
    assert client.get(detail_url).status_code == 404
    assert client.get(list_url + f"?q={b.session.uuid}").status_code == 404


def test_a_session_id_of_b_under_a_project_url_is_not_found(a: Seeded, b: Seeded) -> None:
    client = _client(staff("ann", a.project))
    url = reverse("admin:sessions_app_session_detail", args=(a.project.slug, b.session.pk))
    assert client.get(url).status_code == 404


def test_a_member_of_a_cannot_open_b_settings(a: Seeded, b: Seeded) -> None:
    client = _client(staff("ann", a.project))
    response = client.get(b.urls()["settings"])
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_a_member_of_a_cannot_post_key_actions_to_b(a: Seeded, b: Seeded) -> None:
    client = _client(staff("ann", a.project, role=Membership.MANAGER))
    response = client.post(b.urls()["keys"], {"action": "create", "kind": "secret"})
    assert response.status_code == 404
    assert b.project.api_keys.count() == 2


def test_the_project_lists_show_only_the_member_projects(a: Seeded, b: Seeded) -> None:
    client = _client(staff("ann", a.project))
    chooser = client.get(reverse("admin:sessions_app_session_changelist"))
    projects = client.get(reverse("admin:projects_project_changelist"))
    for response in (chooser, projects):
        assert response.status_code == 200
        assert a.project.slug.encode() in response.content
        assert b.project.slug.encode() not in response.content


def test_staff_without_membership_see_no_project(a: Seeded) -> None:
    client = _client(staff("nobody"))
    assert client.get(a.urls()["sessions"]).status_code == 404
    index = client.get(reverse("admin:index"))
    assert b"Sessions" not in index.content


def test_a_superuser_opens_every_project(a: Seeded, b: Seeded) -> None:
    admin = User.objects.create_superuser("root", password="pw")
    client = _client(admin)
    for seeded in (a, b):
        for page in PROJECT_PAGES:
            assert client.get(seeded.urls()[page]).status_code == 200, page


def test_anonymous_visitors_are_sent_to_the_login(a: Seeded) -> None:
    response = Client().get(a.urls()["session"])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_failed_work_shows_only_the_member_projects(a: Seeded, b: Seeded) -> None:
    mine = FailedWork.objects.create(project_id=a.project.pk, reason="database_error", payload=[])
    theirs = FailedWork.objects.create(project_id=b.project.pk, reason="database_error", payload=[])
    client = _client(staff("ann", a.project))
    listing = client.get(reverse("admin:events_failedwork_project", args=(a.project.slug,)))
    assert listing.status_code == 200
    detail = reverse("admin:events_failedwork_detail", args=(a.project.slug, mine.pk))
    assert detail.encode() in listing.content
    assert client.get(detail).status_code == 200
    other = reverse("admin:events_failedwork_detail", args=(a.project.slug, theirs.pk))
    assert client.get(other).status_code == 404
    their_list = reverse("admin:events_failedwork_project", args=(b.project.slug,))
    assert client.get(their_list).status_code in (403, 404)


def test_only_managers_replay_failed_work(a: Seeded) -> None:
    from events.ingest.processing import park

    item = {
        "kind": "event", "project_id": a.project.pk, "uuid": "3f0c1a52-8a7e-4bde-9d1e-52c0f3a9e0aa",
        "received_at": "2026-11-29T10:00:00.000000Z", "name": "replayed", "attributes": {},
        "occurred_at": "2026-11-29T10:00:00.000000Z", "ip": None, "user_agent": "",
        "message_id": "replay-1",
    }  # fmt: skip
    park([item], FailedWork.DATABASE_ERROR, RuntimeError("down"), 7)
    work = FailedWork.objects.get(project_id=a.project.pk)
    replay = reverse("admin:events_failedwork_replay", args=(a.project.slug, work.pk))
    viewer = _client(staff("vic", a.project))
    assert viewer.post(replay).status_code == 403
    manager = _client(staff("meg", a.project, role=Membership.MANAGER))
    assert manager.post(replay).status_code == 302
    work.refresh_from_db()
    assert work.replayed_at is not None
    assert Event.objects.filter(project_id=a.project.pk, message_id="replay-1").exists()


@pytest.mark.postgres
@pytest.mark.django_db(databases="__all__")
def test_a_project_on_another_database_is_read_only_from_its_alias(
    second_postgres_alias: str,
) -> None:
    far = seed(project_create(name="Far", database_alias=second_postgres_alias).project)
    client = _client(User.objects.create_superuser("root", password="pw"))
    with (
        CaptureQueriesContext(connections["default"]) as on_default,
        CaptureQueriesContext(connections[second_postgres_alias]) as on_far,
    ):
        for page in ("sessions", "session", "events", "overview"):
            response = client.get(far.urls()[page])
            assert response.status_code == 200
            assert str(far.session.uuid).encode() in response.content or page == "overview"
    data_tables = ("sessions_app_", "events_event")
    assert not [q for q in on_default.captured_queries if any(t in q["sql"] for t in data_tables)]
    assert any("sessions_app_session" in q["sql"] for q in on_far.captured_queries)
