"""The write endpoints as documented, processed inline (no broker in these tests)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.test import Client

from events.models import Event
from projects.services import CreatedProject
from sessions_app.models import Attribute, Session

pytestmark = pytest.mark.django_db
DOC_UUID = "b19412c6-6a91-4e18-890d-e2269a0d1249"
DOC_INIT_REAL_LIFE = {
    "context": {
        "url": {
            "href": "https://a-track.io/pricing?utm_source=google&utm_campaign=spring-launch&campaign_id=cmp_123&gclid=gclid_123&fbclid=fbclid_123",
            "raw": "/pricing?utm_source=google&utm_campaign=spring-launch&campaign_id=cmp_123&gclid=gclid_123&fbclid=fbclid_123",
            "path": "/pricing",
            "query": "?utm_source=google&utm_campaign=spring-launch&campaign_id=cmp_123&gclid=gclid_123&fbclid=fbclid_123",
            "source_url": "https://partner.example.com/blog/first-touch",
            "referer": "https://google.com/",
        },
        "client": {
            "ipAddress": "50.89.98.90",
            "userAgent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2_1 like Mac OS X)",
            "locale": "en-US",
            "timezone": "America/New_York",
        },
    }
}
DOC_INIT = {
    "uuid": "optional-known-uuid",
    "context": {
        "url": {
            "href": "https://a-track.io/pricing?utm_source=google",
            "raw": "/pricing?utm_source=google",
            "path": "/pricing",
            "query": "?utm_source=google",
            "referer": "https://google.com/",
            "source_url": "https://partner.example.com/blog/post",
        },
        "client": {
            "ipAddress": "50.89.98.90",
            "userAgent": "Mozilla/5.0 ...",
            "locale": "en-US",
            "timezone": "America/New_York",
        },
    },
}
DOC_ATTRIBUTES = {
    "uuid": DOC_UUID,
    "attributes": {"plan": "pro", "signup_step": "landing", "custom_flags": {"beta": True}},
}
DOC_EVENT_REAL_LIFE = {
    "uuid": DOC_UUID,
    "event": "checkout_started",
    "attributes": {"cart_value": 129.99, "currency": "USD", "step": "payment"},
}
DOC_EVENT = {
    "uuid": DOC_UUID,
    "event": "checkout_started",
    "attributes": {"cart_value": 129.99, "currency": "USD"},
    "timestamp": "2026-04-12T02:10:00Z",
}


def post(client: Client, path: str, body: Any, key: str, **extra: Any) -> Any:
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    content_type = extra.pop("content_type", "application/json")
    return client.post(path, data, content_type=content_type, HTTP_X_A_TRACK_KEY=key, **extra)


def sessions(project: CreatedProject) -> Any:
    return Session.objects.for_project(project.project)


def test_real_life_flow_init_without_uuid_then_event_with_the_saved_uuid(
    client: Client, project: CreatedProject
) -> None:
    response = post(client, "/init", DOC_INIT_REAL_LIFE, project.public_key)
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"success", "uuid", "queued"}
    assert body["success"] is True
    assert body["queued"] is False
    saved = body["uuid"]
    assert str(uuid.UUID(saved)) == saved
    session = sessions(project).get(uuid=saved)
    assert session.utm_data == {
        "utm_source": "google",
        "utm_campaign": "spring-launch",
        "campaign_id": "cmp_123",
    }
    assert session.click_ids["gclid"] == "gclid_123"
    assert session.click_ids["fbc"].startswith("fb.1.")
    assert session.source == "google"
    assert session.ip_address == "50.89.98.90"
    assert session.device_data["is_mobile"] is True

    event = post(client, "/event", {**DOC_EVENT_REAL_LIFE, "uuid": saved}, project.public_key)
    assert event.status_code == 200
    assert event.json() == {"success": True, "uuid": saved, "queued": False}
    stored = Event.objects.for_project(project.project).get()
    assert stored.name == "checkout_started"
    assert stored.attributes == DOC_EVENT_REAL_LIFE["attributes"]


def test_the_documented_init_example_with_a_placeholder_uuid_is_a_clear_400(
    client: Client, project: CreatedProject
) -> None:
    response = post(client, "/init", DOC_INIT, project.public_key)
    assert response.status_code == 400
    assert "uuid" in response.json()["error"]["fields"]
    assert not sessions(project).exists()


def test_the_documented_init_example_with_a_real_uuid_creates_then_continues(
    client: Client, project: CreatedProject
) -> None:
    body = {**DOC_INIT, "uuid": DOC_UUID.upper()}
    first = post(client, "/init", body, project.public_key)
    assert first.status_code == 201
    assert first.json() == {"success": True, "uuid": DOC_UUID, "queued": False}
    again = post(client, "/init", body, project.public_key)
    assert again.status_code == 200
    assert sessions(project).count() == 1


def test_set_attributes_example_merges_and_overwrites(
    client: Client, project: CreatedProject
) -> None:
    assert post(client, "/attributes", DOC_ATTRIBUTES, project.public_key).status_code == 201
    second = {"uuid": DOC_UUID, "attributes": {"plan": "enterprise", "crm_id": "lead_2048"}}
    response = post(client, "/attributes", second, project.public_key)
    assert response.json() == {"success": True, "uuid": DOC_UUID, "queued": False}
    rows = dict(Attribute.objects.filter(session__uuid=DOC_UUID).values_list("key", "value"))
    assert rows == {
        "plan": "enterprise",
        "signup_step": "landing",
        "custom_flags": {"beta": True},
        "crm_id": "lead_2048",
    }


def test_replace_swaps_the_whole_attribute_map(client: Client, project: CreatedProject) -> None:
    post(client, "/attributes", DOC_ATTRIBUTES, project.public_key)
    body = {"uuid": DOC_UUID, "attributes": {"only": 1}, "replace": True}
    assert post(client, "/attributes", body, project.public_key).status_code == 200
    rows = dict(Attribute.objects.filter(session__uuid=DOC_UUID).values_list("key", "value"))
    assert rows == {"only": 1}


def test_track_event_example_keeps_its_timestamp(client: Client, project: CreatedProject) -> None:
    response = post(client, "/event", DOC_EVENT, project.public_key)
    assert response.status_code == 201  # the UUID was new: the event created the session
    event = Event.objects.for_project(project.project).get()
    assert event.occurred_at.isoformat() == "2026-04-12T02:10:00+00:00"
    assert sessions(project).filter(uuid=DOC_UUID).exists()


def test_sent_at_corrects_the_device_clock(client: Client, project: CreatedProject) -> None:
    body = {**DOC_EVENT, "timestamp": "2020-01-01T00:00:00Z", "sent_at": "2020-01-01T00:00:10Z"}
    post(client, "/event", body, project.public_key)
    event = Event.objects.for_project(project.project).get()
    assert (event.received_at - event.occurred_at).total_seconds() == pytest.approx(10, abs=0.001)


def test_a_repeated_event_id_is_stored_once(client: Client, project: CreatedProject) -> None:
    body = {**DOC_EVENT, "id": "evt-1"}
    post(client, "/event", body, project.public_key)
    post(client, "/event", body, project.public_key)
    assert Event.objects.for_project(project.project).count() == 1


def test_text_plain_json_is_accepted_for_send_beacon(
    client: Client, project: CreatedProject
) -> None:
    response = post(
        client, "/event", DOC_EVENT, project.public_key, content_type="text/plain;charset=UTF-8"
    )
    assert response.status_code == 201


def test_batch_gives_a_result_per_item(client: Client, project: CreatedProject) -> None:
    batch = [
        {"type": "init", "uuid": DOC_UUID},
        {"type": "event", "uuid": DOC_UUID, "event": "a"},
        {"type": "event", "uuid": "nope", "event": "b"},
        {"type": "bogus"},
    ]
    response = post(client, "/batch", {"batch": batch}, project.public_key)
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["success"] for r in results] == [True, True, False, False]
    assert set(results[2]["error"]["fields"]) == {"uuid"}
    assert set(results[3]["error"]["fields"]) == {"type"}
    assert Event.objects.for_project(project.project).count() == 1


def test_project_a_never_writes_into_project_b_session_with_the_same_uuid(
    client: Client, project: CreatedProject, other_project: CreatedProject
) -> None:
    post(client, "/attributes", DOC_ATTRIBUTES, other_project.public_key)
    post(
        client,
        "/attributes",
        {"uuid": DOC_UUID, "attributes": {"plan": "hacked"}},
        project.public_key,
    )
    theirs = Session.objects.for_project(other_project.project).get(uuid=DOC_UUID)
    assert dict(theirs.attribute_rows.values_list("key", "value"))["plan"] == "pro"
    assert sessions(project).get(uuid=DOC_UUID).pk != theirs.pk


def test_cors_preflight_and_allowed_origin(client: Client, project: CreatedProject) -> None:
    project.project.allowed_origins = ["https://shop.example"]
    project.project.save()
    preflight = client.options("/event", HTTP_ORIGIN="https://shop.example")
    assert preflight.status_code == 204
    assert "x-a-track-key" in preflight["Access-Control-Allow-Headers"]
    ok = post(client, "/event", DOC_EVENT, project.public_key, HTTP_ORIGIN="https://shop.example")
    assert ok.status_code == 201
    assert ok["Access-Control-Allow-Origin"] == "https://shop.example"
    refused = post(
        client, "/event", DOC_EVENT, project.public_key, HTTP_ORIGIN="https://evil.example"
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "origin_not_allowed"
    assert "Access-Control-Allow-Origin" not in refused


def test_the_rate_limit_answers_429_with_retry_after(
    client: Client, project: CreatedProject, settings: Any
) -> None:
    settings.RATE_LIMIT_PER_SECOND = 3
    responses = [post(client, "/event", DOC_EVENT, project.public_key) for _ in range(8)]
    limited = [r for r in responses if r.status_code == 429]
    assert limited, [r.status_code for r in responses]
    assert limited[0]["Retry-After"] == "1"
    assert limited[0].json()["error"]["code"] == "rate_limited"


def test_anonymize_ip_zeroes_the_address_before_storage(
    client: Client, project: CreatedProject
) -> None:
    project.project.anonymize_ip = True
    project.project.save()
    post(client, "/init", {"uuid": DOC_UUID, **DOC_INIT_REAL_LIFE}, project.public_key)
    session = sessions(project).get()
    assert session.ip_address == "50.89.98.0"
    assert "50.89.98.90" not in json.dumps(session.last_context)


def test_a_server_side_sdk_user_agent_is_not_taken_for_the_visitors(
    client: Client, project: CreatedProject
) -> None:
    body = {"uuid": DOC_UUID, "context": {"url": {"href": "https://a-track.io/"}}}
    post(client, "/init", body, project.public_key, HTTP_USER_AGENT="atrack-sdk-python/0.1.0")
    session = sessions(project).get()
    assert session.is_bot is False
    assert session.last_context["client"]["userAgent"] is None
    assert session.device_data["device_class"] == "unknown"


def test_a_browser_request_user_agent_stands_in_for_a_missing_one(
    client: Client, project: CreatedProject
) -> None:
    agent = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2_1 like Mac OS X)"
    post(client, "/init", {"uuid": DOC_UUID}, project.public_key, HTTP_USER_AGENT=agent)
    assert sessions(project).get().device_data["is_mobile"] is True
