"""POST /session/show, /event/show and /session/delete: shapes, pagination, isolation."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from events.models import Event
from projects.selectors import key_cache
from projects.services import CreatedProject
from sessions_app.models import Attribute, Erasure, Session

pytestmark = pytest.mark.django_db
U = "b19412c6-6a91-4e18-890d-e2269a0d1249"
TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
DOC_INIT = {
    "uuid": U,
    "context": {
        "url": {
            "href": "https://a-track.io/pricing?utm_source=google&utm_campaign=spring-launch&campaign_id=cmp_123&custom_param=test&gclid=gclid_123&fbclid=fbclid_123",
            "source_url": "https://partner.example.com/blog/first-touch",
            "referer": "https://google.com/",
        },
        "client": {
            "ipAddress": "50.89.98.90",
            "userAgent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2_1 like Mac OS X)",
            "locale": "en-US",
            "timezone": "America/New_York",
            "screenWidth": 1179,
        },
        "user": {"attributes": {"plan": "pro", "signup_step": "landing"}},
    },
    "custom_data": {"landing_variant": "v2", "widget_position": "hero"},
}


def post(client: Client, path: str, body: Any, key: str) -> Any:
    return client.post(
        path, json.dumps(body), content_type="application/json", HTTP_X_A_TRACK_KEY=key
    )


@pytest.fixture
def visitor(client: Client, project: CreatedProject) -> CreatedProject:
    post(client, "/init", DOC_INIT, project.public_key)
    post(
        client,
        "/attributes",
        {"uuid": U, "attributes": {"crm_id": "lead_2048", "plan": "pro"}},
        project.public_key,
    )
    event = {
        "uuid": U,
        "event": "checkout_started",
        "attributes": {"cart_value": 129.99, "currency": "USD"},
    }
    post(client, "/event", {**event, "timestamp": "2026-04-12T02:10:00Z"}, project.public_key)
    return project


def test_session_show_has_the_documented_shape(client: Client, visitor: CreatedProject) -> None:
    response = post(client, "/session/show", {"uuid": U}, visitor.secret_key)
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    data = body["data"]
    assert set(data) == {"session", "attributes", "events", "meta"}
    session = data["session"]
    documented = {
        "id", "uuid", "url_data", "utm_data", "query_params", "click_ids", "source", "referer",
        "ip_address", "ip_data", "device_data", "client_attributes", "user_attributes",
        "custom_data", "created_at", "updated_at",
    }  # fmt: skip
    assert documented <= set(session)
    assert session["uuid"] == U
    assert session["url_data"]["query_all"]["custom_param"] == "test"
    assert session["url_data"]["source_url"] == "https://partner.example.com/blog/first-touch"
    assert session["utm_data"] == {
        "utm_source": "google",
        "utm_campaign": "spring-launch",
        "campaign_id": "cmp_123",
    }
    assert session["query_params"] == {"custom_param": "test"}
    assert session["click_ids"]["gclid"] == "gclid_123"
    assert re.match(r"^fb\.1\.\d{13}\.fbclid_123$", session["click_ids"]["fbc"])
    assert session["source"] == "google"
    assert session["referer"] == "https://google.com/"
    assert session["ip_address"] == "50.89.98.90"
    assert session["ip_data"]["ip"] == "50.89.98.90"
    assert session["device_data"]["os"] == {"name": "iOS", "version": "17.2"}
    assert session["device_data"]["is_mobile"] is True
    assert session["device_data"]["is_desktop"] is False
    assert session["client_attributes"] == {
        "locale": "en-US",
        "timezone": "America/New_York",
        "screenWidth": 1179,
    }
    assert session["user_attributes"] == {"plan": "pro", "signup_step": "landing"}
    assert session["custom_data"] == {"landing_variant": "v2", "widget_position": "hero"}
    assert TS.match(session["created_at"])
    assert TS.match(session["updated_at"])
    assert data["attributes"] == {"crm_id": "lead_2048", "plan": "pro"}
    [event] = data["events"]
    assert set(event) == {"id", "uuid", "name", "attributes", "occurred_at"}
    assert event["occurred_at"] == "2026-04-12T02:10:00.000000Z"
    assert event["attributes"] == {"cart_value": 129.99, "currency": "USD"}
    assert data["meta"] == {"uuid": U, "events_limit": 100, "events_count": 1, "sort": "desc"}


def test_event_show_has_the_documented_shape(client: Client, visitor: CreatedProject) -> None:
    response = post(client, "/event/show", {"name": "checkout_started"}, visitor.secret_key)
    assert response.status_code == 200
    body = response.json()
    [event] = body["data"]
    assert set(event) == {
        "id", "session_id", "uuid", "name", "attributes", "ip_address", "user_agent",
        "occurred_at", "created_at", "updated_at",
    }  # fmt: skip
    session = Session.objects.for_project(visitor.project).get()
    assert event["session_id"] == session.pk
    assert event["ip_address"] == "50.89.98.90"  # the session's: the event sent none
    assert event["user_agent"] == "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2_1 like Mac OS X)"
    assert all(TS.match(event[k]) for k in ("occurred_at", "created_at", "updated_at"))
    assert body["meta"] == {
        "name": "checkout_started", "sort": "desc", "per_page": 25, "current_page": 1,
        "last_page": 1, "from": 1, "to": 1, "total": 1,
    }  # fmt: skip


def _events(project: CreatedProject, count: int, *, same_time: bool = False) -> list[int]:
    session = Session.objects.using("default").create(project_id=project.project.pk, uuid=U)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [
        Event(
            project_id=project.project.pk, session=session, uuid=session.uuid, name="view",
            occurred_at=base if same_time else base + timedelta(minutes=n), received_at=base,
            message_id=f"m{n}",
        )
        for n in range(count)
    ]  # fmt: skip
    return [e.pk for e in Event.objects.bulk_create(rows)]


def test_pagination_edges(client: Client, project: CreatedProject) -> None:
    _events(project, 30)
    key = project.secret_key
    last = post(client, "/event/show", {"name": "view", "page": 2}, key).json()
    assert len(last["data"]) == 5
    assert (
        last["meta"]["from"],
        last["meta"]["to"],
        last["meta"]["last_page"],
        last["meta"]["total"],
    ) == (26, 30, 2, 30)
    past = post(client, "/event/show", {"name": "view", "page": 3}, key).json()
    assert past["data"] == []
    assert (past["meta"]["from"], past["meta"]["to"], past["meta"]["current_page"]) == (
        None,
        None,
        3,
    )
    empty = post(client, "/event/show", {"name": "nothing"}, key).json()
    assert empty["data"] == []
    assert (empty["meta"]["total"], empty["meta"]["last_page"], empty["meta"]["from"]) == (
        0,
        1,
        None,
    )
    biggest = post(client, "/event/show", {"name": "view", "per_page": 500}, key).json()
    assert len(biggest["data"]) == 30
    assert post(client, "/event/show", {"name": "view", "per_page": 501}, key).status_code == 400


@pytest.mark.parametrize("sort", ["asc", "desc"])
def test_both_sort_orders_break_ties_by_id(
    client: Client, project: CreatedProject, sort: str
) -> None:
    ids = _events(project, 7, same_time=True)
    seen: list[int] = []
    for page in (1, 2, 3):
        body = {"name": "view", "per_page": 3, "page": page, "sort": sort}
        seen += [
            e["id"] for e in post(client, "/event/show", body, project.secret_key).json()["data"]
        ]
    assert seen == (sorted(ids) if sort == "asc" else sorted(ids, reverse=True))
    events = post(
        client, "/session/show", {"uuid": U, "sort": sort, "events_limit": 7}, project.secret_key
    ).json()
    assert [e["id"] for e in events["data"]["events"]] == seen


def test_time_bounds_with_any_offset_are_compared_in_utc(
    client: Client, project: CreatedProject
) -> None:
    _events(project, 10)
    body = {"name": "view", "from": "2025-12-31T06:08:00-17:55", "to": "2026-01-01T00:05:00+00:00"}
    assert post(client, "/event/show", body, project.secret_key).json()["meta"]["total"] == 3


def test_event_show_filters_by_uuid_and_time(client: Client, project: CreatedProject) -> None:
    _events(project, 10)
    body = {"name": "view", "from": "2026-01-01T00:03:00Z", "to": "2026-01-01T00:05:00Z", "uuid": U}
    data = post(client, "/event/show", body, project.secret_key).json()
    assert data["meta"]["total"] == 3
    other = post(
        client,
        "/event/show",
        {"name": "view", "uuid": "c19412c6-6a91-4e18-890d-e2269a0d1249"},
        project.secret_key,
    )
    assert other.json()["meta"]["total"] == 0


def test_session_show_events_limit(client: Client, project: CreatedProject) -> None:
    _events(project, 12)
    body = post(
        client, "/session/show", {"uuid": U, "events_limit": 5, "sort": "asc"}, project.secret_key
    ).json()
    assert [e["occurred_at"][11:16] for e in body["data"]["events"]] == [
        "00:00",
        "00:01",
        "00:02",
        "00:03",
        "00:04",
    ]
    assert body["data"]["meta"]["events_count"] == 5


def test_an_unknown_session_is_404(client: Client, project: CreatedProject) -> None:
    response = post(client, "/session/show", {"uuid": U}, project.secret_key)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("path", ["/session/show", "/event/show", "/session/delete"])
def test_a_public_key_cannot_read_or_erase(
    client: Client, visitor: CreatedProject, path: str
) -> None:
    response = post(client, path, {"uuid": U, "name": "checkout_started"}, visitor.public_key)
    assert response.status_code == 403


def test_public_reads_opens_reads_but_never_erasure(
    client: Client, visitor: CreatedProject
) -> None:
    visitor.project.public_reads = True
    visitor.project.save()
    key_cache.clear()  # other processes see the change within API_KEY_CACHE_SECONDS
    assert post(client, "/session/show", {"uuid": U}, visitor.public_key).status_code == 200
    assert (
        post(client, "/event/show", {"name": "checkout_started"}, visitor.public_key).status_code
        == 200
    )
    assert post(client, "/session/delete", {"uuid": U}, visitor.public_key).status_code == 403


@pytest.mark.parametrize("path", ["/session/show", "/event/show", "/session/delete"])
def test_another_projects_key_gets_nothing_of_this_project(
    client: Client, visitor: CreatedProject, other_project: CreatedProject, path: str
) -> None:
    response = post(client, path, {"uuid": U, "name": "checkout_started"}, other_project.secret_key)
    if path == "/event/show":
        assert response.status_code == 200
        assert response.json()["data"] == []
        assert response.json()["meta"]["total"] == 0
    elif path == "/session/delete":  # an erasure in the other project, of nothing stored
        assert response.status_code == 200
        assert response.json()["deleted"] == {
            "sessions": 0, "attributes": 0, "events": 0, "parked": 0
        }  # fmt: skip
        assert not Erasure.objects.for_project(visitor.project).exists()
    else:
        assert response.status_code == 404
    assert Session.objects.for_project(visitor.project).count() == 1


def test_session_delete_erases_the_session_attributes_and_events(
    client: Client, visitor: CreatedProject
) -> None:
    response = post(client, "/session/delete", {"uuid": U}, visitor.secret_key)
    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "uuid": U,
        "deleted": {"sessions": 1, "attributes": 2, "events": 1, "parked": 0},
    }
    assert not Session.objects.exists()
    assert not Event.objects.exists()
    assert not Attribute.objects.exists()
    again = post(client, "/session/delete", {"uuid": U}, visitor.secret_key)
    assert again.status_code == 200
    assert again.json()["deleted"]["sessions"] == 0
    assert post(client, "/session/show", {"uuid": U}, visitor.secret_key).status_code == 404


READ_BAD = [
    ("/session/show", {}, "uuid"),
    ("/session/show", {"uuid": "x"}, "uuid"),
    ("/session/show", {"uuid": U, "events_limit": 1001}, "events_limit"),
    ("/session/show", {"uuid": U, "events_limit": -1}, "events_limit"),
    ("/session/show", {"uuid": U, "events_limit": "5"}, "events_limit"),
    ("/session/show", {"uuid": U, "sort": "up"}, "sort"),
    ("/event/show", {}, "name"),
    ("/event/show", {"name": ""}, "name"),
    ("/event/show", {"name": 5}, "name"),
    ("/event/show", {"name": "x", "page": 0}, "page"),
    ("/event/show", {"name": "x", "page": 1.5}, "page"),
    ("/event/show", {"name": "x", "per_page": 0}, "per_page"),
    ("/event/show", {"name": "x", "sort": "random"}, "sort"),
    ("/event/show", {"name": "x", "uuid": "nope"}, "uuid"),
    ("/event/show", {"name": "x", "from": "yesterday"}, "from"),
    ("/event/show", {"name": "x", "to": 17}, "to"),
    ("/session/delete", {"uuid": None}, "uuid"),
]


@pytest.mark.parametrize(("path", "body", "field"), READ_BAD)
def test_bad_read_input_is_a_400_naming_the_field_and_changes_nothing(
    client: Client, visitor: CreatedProject, path: str, body: dict[str, Any], field: str
) -> None:
    response = post(client, path, body, visitor.secret_key)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert Session.objects.count() == 1
    assert Event.objects.count() == 1


def test_a_session_written_only_by_an_event_has_every_documented_key(
    client: Client, visitor: CreatedProject
) -> None:
    uuid = "5a0c1a52-8a7e-4bde-9d1e-52c0f3a9e0ff"
    assert (
        post(client, "/event", {"uuid": uuid, "event": "first"}, visitor.public_key).status_code
        == 201
    )
    bare = post(client, "/session/show", {"uuid": uuid}, visitor.secret_key).json()["data"][
        "session"
    ]
    full = post(client, "/session/show", {"uuid": U}, visitor.secret_key).json()["data"]["session"]
    assert set(bare) == set(full)
    assert (
        set(bare["url_data"])
        == set(full["url_data"])
        >= {"raw", "href", "path", "query", "query_all", "source_url"}
    )
    assert bare["url_data"]["href"] is None
    assert bare["source"] is None
    assert bare["first_touch"] is None
    assert set(bare["ip_data"]) >= {"ip", "city", "isp", "asn", "anonymous"}
    assert set(bare["device_data"]) >= {
        "model",
        "os",
        "client",
        "is_mobile",
        "is_desktop",
        "is_bot",
    }
    assert bare["device_data"]["os"] == {"name": None, "version": None}
    for key, value in bare.items():  # one JSON type per key, null where unknown
        other = full[key]
        if value is not None and other is not None:
            assert type(value) is type(other), key
