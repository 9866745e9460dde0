"""Every bad request gets the documented JSON error and stores nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from atrack.api.guards import DRAIN_BYTES
from events.models import Event
from projects.services import CreatedProject
from sessions_app.models import Attribute, Session

pytestmark = pytest.mark.django_db
U = "b19412c6-6a91-4e18-890d-e2269a0d1249"
JSON = "application/json"

CASES = [
    # (path, raw body, content type, status, error code, field)
    ("/init", "{not json", JSON, 400, "malformed_json", None),
    ("/init", "[1, 2]", JSON, 400, "invalid_payload", None),
    ("/init", '"text"', JSON, 400, "invalid_payload", None),
    ("/init", json.dumps({"uuid": "not-a-uuid"}), JSON, 400, "invalid_payload", "uuid"),
    ("/init", json.dumps({"uuid": 12}), JSON, 400, "invalid_payload", "uuid"),
    ("/init", json.dumps({"uuid": "{" + U + "}"}), JSON, 400, "invalid_payload", "uuid"),
    ("/init", json.dumps({"uuid": U + "\n"}), JSON, 400, "invalid_payload", "uuid"),
    ("/event", json.dumps({"uuid": U + "\n", "event": "x"}), JSON, 400, "invalid_payload", "uuid"),
    ("/init", json.dumps({"context": "x"}), JSON, 400, "invalid_payload", "context"),
    ("/init", json.dumps({"context": {"url": []}}), JSON, 400, "invalid_payload", "context.url"),
    (
        "/init",
        json.dumps({"context": {"url": {"href": 5}}}),
        JSON,
        400,
        "invalid_payload",
        "context.url.href",
    ),
    (
        "/init",
        json.dumps({"context": {"client": {"ipAddress": "999.1.1.1"}}}),
        JSON,
        400,
        "invalid_payload",
        "context.client.ipAddress",
    ),
    (
        "/init",
        json.dumps({"context": {"client": {"userAgent": ["x"]}}}),
        JSON,
        400,
        "invalid_payload",
        "context.client.userAgent",
    ),
    (
        "/init",
        json.dumps({"context": {"user": {"attributes": [1]}}}),
        JSON,
        400,
        "invalid_payload",
        "context.user.attributes",
    ),
    ("/init", json.dumps({"custom_data": 3}), JSON, 400, "invalid_payload", "custom_data"),
    ("/init", json.dumps({"synchronous": "yes"}), JSON, 400, "invalid_payload", "synchronous"),
    ("/init", "x=1", "application/x-www-form-urlencoded", 415, "unsupported_media_type", None),
    ("/init", "<a/>", "application/xml", 415, "unsupported_media_type", None),
    (
        "/init",
        json.dumps({"custom_data": {"x": "y" * 70_000}}),
        JSON,
        413,
        "payload_too_large",
        None,
    ),
    ("/attributes", json.dumps({"attributes": {"a": 1}}), JSON, 400, "invalid_payload", "uuid"),
    ("/attributes", json.dumps({"uuid": U}), JSON, 400, "invalid_payload", "attributes"),
    (
        "/attributes",
        json.dumps({"uuid": U, "attributes": [1]}),
        JSON,
        400,
        "invalid_payload",
        "attributes",
    ),
    (
        "/attributes",
        json.dumps({"uuid": U, "attributes": "a"}),
        JSON,
        400,
        "invalid_payload",
        "attributes",
    ),
    (
        "/attributes",
        json.dumps({"uuid": U, "attributes": {"k" * 256: 1}}),
        JSON,
        400,
        "invalid_payload",
        "attributes",
    ),
    (
        "/attributes",
        json.dumps({"uuid": U, "attributes": {"": 1}}),
        JSON,
        400,
        "invalid_payload",
        "attributes",
    ),
    (
        "/attributes",
        json.dumps({"uuid": U, "attributes": {"a": 1}, "replace": "no"}),
        JSON,
        400,
        "invalid_payload",
        "replace",
    ),
    ("/event", json.dumps({"uuid": U}), JSON, 400, "invalid_payload", "event"),
    ("/event", json.dumps({"uuid": U, "event": ""}), JSON, 400, "invalid_payload", "event"),
    ("/event", json.dumps({"uuid": U, "event": "   "}), JSON, 400, "invalid_payload", "event"),
    ("/event", json.dumps({"uuid": U, "event": 42}), JSON, 400, "invalid_payload", "event"),
    ("/event", json.dumps({"uuid": U, "event": "e" * 256}), JSON, 400, "invalid_payload", "event"),
    ("/event", json.dumps({"event": "x"}), JSON, 400, "invalid_payload", "uuid"),
    (
        "/event",
        json.dumps({"uuid": U, "event": "x", "attributes": [1]}),
        JSON,
        400,
        "invalid_payload",
        "attributes",
    ),
    (
        "/event",
        json.dumps({"uuid": U, "event": "x", "timestamp": "yesterday"}),
        JSON,
        400,
        "invalid_payload",
        "timestamp",
    ),
    (
        "/event",
        json.dumps({"uuid": U, "event": "x", "timestamp": 1712887800}),
        JSON,
        400,
        "invalid_payload",
        "timestamp",
    ),
    (
        "/event",
        json.dumps({"uuid": U, "event": "x", "sent_at": "2026-13-01T00:00:00Z"}),
        JSON,
        400,
        "invalid_payload",
        "sent_at",
    ),
    ("/event", json.dumps({"uuid": U, "event": "x", "id": ""}), JSON, 400, "invalid_payload", "id"),
    (
        "/event",
        json.dumps({"uuid": U, "event": "x", "id": {"a": 1}}),
        JSON,
        400,
        "invalid_payload",
        "id",
    ),
    (
        "/event",
        json.dumps({"uuid": U, "event": "x", "context": {"client": {"ipAddress": "nope"}}}),
        JSON,
        400,
        "invalid_payload",
        "context.client.ipAddress",
    ),
    ("/batch", json.dumps({"batch": "x"}), JSON, 400, "invalid_payload", "batch"),
    ("/batch", json.dumps({}), JSON, 400, "invalid_payload", "batch"),
    (
        "/batch",
        json.dumps({"batch": [{"type": "event", "uuid": U, "event": "x"}] * 101}),
        JSON,
        413,
        "too_many_items",
        None,
    ),
    (
        "/batch",
        json.dumps(
            {
                "batch": [
                    {
                        "type": "event",
                        "uuid": U,
                        "event": "x" * 200,
                        "attributes": {"p": "y" * 6000},
                    }
                ]
                * 90
            }
        ),
        JSON,
        413,
        "payload_too_large",
        None,
    ),
]


def _nothing_stored() -> None:
    assert not Session.objects.exists()
    assert not Event.objects.exists()
    assert not Attribute.objects.exists()


@pytest.mark.parametrize(("path", "body", "content_type", "status", "code", "field"), CASES)
def test_bad_input_gets_the_documented_error_and_changes_nothing(
    client: Client,
    project: CreatedProject,
    path: str,
    body: str,
    content_type: str,
    status: int,
    code: str,
    field: str | None,
) -> None:
    response = client.post(
        path, body, content_type=content_type, HTTP_X_A_TRACK_KEY=project.public_key
    )
    assert response.status_code == status, response.content
    payload = response.json()
    assert payload["success"] is False
    assert payload["error"]["code"] == code
    assert payload["error"]["message"]
    if field is not None:
        assert field in payload["error"]["fields"]
    _nothing_stored()


@pytest.mark.parametrize("path", ["/init", "/attributes", "/event", "/batch"])
def test_get_is_405_in_json(client: Client, project: CreatedProject, path: str) -> None:
    response = client.get(path, HTTP_X_A_TRACK_KEY=project.public_key)
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize("path", ["/init", "/attributes", "/event", "/batch"])
def test_writes_without_a_key_are_401(client: Client, db: None, path: str) -> None:
    response = client.post(path, "{}", content_type=JSON)
    assert response.status_code == 401
    _nothing_stored()


def test_a_declared_body_over_a_mebibyte_is_refused_without_reading(
    client: Client, project: CreatedProject
) -> None:
    # The test client refuses reads past the two bytes given: a read would fail the test.
    response = client.post(
        "/event",
        "{}",
        content_type=JSON,
        HTTP_X_A_TRACK_KEY=project.public_key,
        CONTENT_LENGTH=str(DRAIN_BYTES + 1),
    )
    assert response.status_code == 413


def test_a_smaller_oversized_body_is_read_then_refused(
    client: Client, project: CreatedProject
) -> None:
    body = json.dumps({"uuid": U, "event": "big", "attributes": {"blob": "x" * 100_000}})
    response = client.post("/event", body, content_type=JSON, HTTP_X_A_TRACK_KEY=project.public_key)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_a_batch_of_a_hundred_items_is_accepted(client: Client, project: CreatedProject) -> None:
    batch: list[dict[str, Any]] = [
        {"type": "event", "uuid": U, "event": "x", "id": str(i)} for i in range(100)
    ]
    response = client.post(
        "/batch",
        json.dumps({"batch": batch}),
        content_type=JSON,
        HTTP_X_A_TRACK_KEY=project.public_key,
    )
    assert response.status_code == 200
    assert Event.objects.count() == 100


@pytest.mark.parametrize(
    "raw",
    [
        "[" * 100_00 + "]" * 100_00,
    ],
)
def test_json_that_cannot_be_stored_is_refused_as_malformed(
    client: Client, project: CreatedProject, raw: str
) -> None:
    response = client.post("/event", raw, content_type=JSON, HTTP_X_A_TRACK_KEY=project.public_key)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"
    _nothing_stored()


def test_a_skew_past_the_calendar_falls_back_to_receipt_time(
    client: Client, project: CreatedProject
) -> None:
    body = {
        "uuid": U,
        "event": "x",
        "timestamp": "0001-01-01T00:00:00Z",
        "sent_at": "9999-12-31T00:00:00Z",
        "synchronous": True,
    }
    response = client.post(
        "/event", json.dumps(body), content_type=JSON, HTTP_X_A_TRACK_KEY=project.public_key
    )
    assert response.status_code == 201
    event = Event.objects.get()
    assert event.occurred_at == event.received_at


def test_nul_characters_and_lone_surrogates_are_cleaned_before_storage(
    client: Client, project: CreatedProject
) -> None:
    raw = '{"uuid": "UUID", "event": "x\\u0000y", "attributes": {"\\ud800k": "v\\u0000"}, "synchronous": true}'
    raw = raw.replace("UUID", U)
    response = client.post("/event", raw, content_type=JSON, HTTP_X_A_TRACK_KEY=project.public_key)
    assert response.status_code == 201
    event = Event.objects.get()
    assert event.name == "xy"
    assert event.attributes == {"?k": "v"}


NOT_FINITE_BODIES = [
    ("/event", f'{{"uuid": "{U}", "event": "x", "attributes": {{"v": NaN}}}}', "attributes.v"),
    (
        "/event",
        f'{{"uuid": "{U}", "event": "x", "attributes": {{"v": -Infinity}}}}',
        "attributes.v",
    ),
    (
        "/event",
        f'{{"uuid": "{U}", "event": "x", "attributes": {{"v": [1, 1e999]}}}}',
        "attributes.v.1",
    ),
    ("/init", f'{{"uuid": "{U}", "custom_data": {{"x": 1e999}}}}', "custom_data.x"),
    (
        "/init",
        '{{"uuid": "{}", "custom_data": {{"x": -{}.5}}}}'.format(U, "9" * 400),
        "custom_data.x",
    ),
    ("/attributes", f'{{"uuid": "{U}", "attributes": {{"a": {{"b": NaN}}}}}}', "attributes.a.b"),
]


@pytest.mark.parametrize(("path", "raw", "field"), NOT_FINITE_BODIES)
def test_numbers_that_cannot_be_stored_are_refused_with_their_path(
    client: Client, project: CreatedProject, path: str, raw: str, field: str
) -> None:
    response = client.post(path, raw, content_type=JSON, HTTP_X_A_TRACK_KEY=project.public_key)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_payload"
    assert list(error["fields"]) == [field]
    assert "finite" in error["fields"][field][0]
    _nothing_stored()


def test_a_batch_refuses_only_the_item_with_a_number_it_cannot_store(
    client: Client, project: CreatedProject
) -> None:
    raw = (
        f'{{"batch": [{{"type": "init", "uuid": "{U}", "custom_data": {{"x": 1e999}}}},'
        f' {{"type": "attributes", "uuid": "{U}", "attributes": {{"plan": "pro"}}}},'
        f' {{"type": "event", "uuid": "{U}", "event": "signup", "id": "e1"}}]}}'
    )
    response = client.post("/batch", raw, content_type=JSON, HTTP_X_A_TRACK_KEY=project.public_key)
    assert response.status_code == 200
    results = response.json()["results"]
    assert results[0]["success"] is False
    assert results[0]["error"]["fields"] == {
        "custom_data.x": [results[0]["error"]["fields"]["custom_data.x"][0]]
    }
    assert [r["success"] for r in results[1:]] == [True, True]
    session = Session.objects.get()
    assert str(session.uuid) == U
    assert session.custom_data == {}
    assert dict(Attribute.objects.values_list("key", "value")) == {"plan": "pro"}
    assert Event.objects.get().message_id == "e1"


def test_a_batch_at_the_limits_with_tens_of_thousands_of_keys_is_stored(
    client: Client, project: CreatedProject
) -> None:
    """100 sessions x 640 keys (~460 KiB): 256,000 parameters as one statement, over
    either backend's limit; stored in statements cut under it."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    keys = {a + b: 0 for a in digits for b in digits[:18]}
    uuids = [f"{U[:-4]}{n:04d}" for n in range(100)]
    body = {"batch": [{"type": "attributes", "uuid": u, "attributes": keys} for u in uuids]}
    raw = json.dumps(body, separators=(",", ":"))
    assert len(raw) < 512 * 1024
    response = client.post("/batch", raw, content_type=JSON, HTTP_X_A_TRACK_KEY=project.public_key)
    assert response.status_code == 200, response.content[:300]
    assert all(r["success"] for r in response.json()["results"])
    assert Attribute.objects.count() == 64_800


def test_a_processing_failure_of_one_item_parks_it_and_stores_the_rest(
    client: Client, project: CreatedProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    from events.ingest import processing
    from events.models import FailedWork

    real = processing.events_store

    def poisoned(*, alias: str, project_id: int, items: list[Any]) -> Any:
        if any(item.get("name") == "poison" for _, item in items):
            raise ValueError("cannot store this item")
        return real(alias=alias, project_id=project_id, items=items)

    monkeypatch.setattr(processing, "events_store", poisoned)
    batch = [
        {"type": "event", "uuid": U, "event": "fine", "id": "ok-1"},
        {"type": "event", "uuid": U, "event": "poison", "id": "bad-1"},
        {"type": "event", "uuid": U, "event": "fine", "id": "ok-2"},
    ]
    response = client.post(
        "/batch", {"batch": batch}, content_type=JSON, HTTP_X_A_TRACK_KEY=project.public_key
    )
    assert response.status_code == 200
    assert set(Event.objects.values_list("message_id", flat=True)) == {"ok-1", "ok-2"}
    work = FailedWork.objects.get()
    assert [item["message_id"] for item in work.payload] == ["bad-1"]


def nested(depth: int, leaf: str = '"\\u00e9"') -> str:
    return '{"a": ' * depth + leaf + "}" * depth


@pytest.mark.parametrize("depth", [40, 500])
def test_values_nested_past_the_limit_are_refused_with_their_path(
    client: Client, project: CreatedProject, depth: int
) -> None:
    raw = '{"uuid": "%s", "event": "x", "attributes": %s}' % (U, nested(depth))  # noqa: UP031
    response = client.post("/event", raw, content_type=JSON, HTTP_X_A_TRACK_KEY=project.public_key)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_payload"
    (field,) = error["fields"]
    assert field == "attributes" + ".a" * 31
    assert "32 levels" in error["fields"][field][0]
    _nothing_stored()


def test_a_batch_refuses_only_the_item_nested_too_deep(
    client: Client, project: CreatedProject
) -> None:
    deep = json.loads(nested(40, "1"))
    batch = [
        {"type": "event", "uuid": U, "event": "deep", "attributes": deep},
        {"type": "event", "uuid": U, "event": "fine", "attributes": {"a": {"b": 1}}},
    ]
    response = client.post(
        "/batch",
        json.dumps({"batch": batch}),
        content_type=JSON,
        HTTP_X_A_TRACK_KEY=project.public_key,
    )
    assert response.status_code == 200
    assert [r["success"] for r in response.json()["results"]] == [False, True]
    assert list(Event.objects.values_list("name", flat=True)) == ["fine"]


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b'{"uuid": "\xff"}', "not UTF-8 text"),
        (b'{"n": ' + b"9" * 5000 + b"}", "more than 4,300 digits"),
        (b'{"uuid": }', "expecting value at line 1, column 10"),
    ],
)
def test_unreadable_bodies_are_explained_in_our_words(
    client: Client, project: CreatedProject, raw: bytes, words: str
) -> None:
    response = client.post("/event", raw, content_type=JSON, HTTP_X_A_TRACK_KEY=project.public_key)
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert words in message
    assert "sys." not in message
    assert "codec" not in message


def test_many_brackets_that_nest_shallowly_are_fine(
    client: Client, project: CreatedProject
) -> None:
    attributes = {f"k{n}": [{"a": [1]}] for n in range(30)}  # 90 brackets, 4 levels deep
    body = json.dumps({"uuid": U, "event": "wide", "attributes": attributes})
    response = client.post("/event", body, content_type=JSON, HTTP_X_A_TRACK_KEY=project.public_key)
    assert response.status_code == 201, response.content
    assert Event.objects.get().attributes == attributes
