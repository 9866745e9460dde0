"""A session holds at most MAX_SESSION_ATTRIBUTES attribute keys: a write that would add
more is refused (409 inline, parked as `attribute_limit` when queued) and stores nothing;
writes to keys it already holds, and replaces within the limit, still go through."""

from __future__ import annotations

import json
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from atrack.api import contract
from atrack.times import iso
from events.ingest import stream
from events.ingest.broker import broker_redis
from events.ingest.consumer import Consumer
from events.models import FailedWork
from projects.services import CreatedProject
from sessions_app.models import Attribute

pytestmark = pytest.mark.django_db
U = "3f0c1a52-8a7e-4bde-9d1e-52c0f3a9e101"


@pytest.fixture(autouse=True)
def small_limit(settings: Any) -> None:
    settings.MAX_SESSION_ATTRIBUTES = 3


def post(client: Client, path: str, body: dict[str, Any], key: str) -> Any:
    return client.post(
        path, json.dumps(body), content_type="application/json", HTTP_X_A_TRACK_KEY=key
    )


def keys() -> dict[str, Any]:
    return dict(Attribute.objects.values_list("key", "value"))


def test_one_write_over_the_limit_is_a_400(client: Client, project: CreatedProject) -> None:
    # The contract (and the schema it publishes) reads the limit once, at start-up.
    limit = contract.COMPONENTS["SetAttributes"]["properties"]["attributes"]["maxProperties"]
    body = {"uuid": U, "attributes": {f"k{i}": i for i in range(limit + 1)}}
    response = post(client, "/attributes", body, project.public_key)
    assert response.status_code == 400
    message = response.json()["error"]["fields"]["attributes"][0]
    assert f"at most {limit} attributes" in message
    assert not Attribute.objects.exists()


def test_a_write_that_would_pass_the_limit_is_a_409_and_stores_nothing(
    client: Client, project: CreatedProject
) -> None:
    first = {"uuid": U, "attributes": {"a": 1, "b": 2}}
    assert post(client, "/attributes", first, project.public_key).status_code == 201
    more = {"uuid": U, "attributes": {"a": 10, "c": 3, "d": 4}}
    response = post(client, "/attributes", more, project.public_key)
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "attribute_limit"
    assert "more than 3 attributes" in error["message"]
    assert keys() == {"a": 1, "b": 2}
    # Keys it already holds can still change, and a new one fits up to the limit.
    update = {"uuid": U, "attributes": {"a": 11, "c": 3}}
    assert post(client, "/attributes", update, project.public_key).status_code == 200
    assert keys() == {"a": 11, "b": 2, "c": 3}
    at_limit = {"uuid": U, "attributes": {"b": 20}}
    assert post(client, "/attributes", at_limit, project.public_key).status_code == 200
    replace = {"uuid": U, "attributes": {"x": 1, "y": 2}, "replace": True}
    assert post(client, "/attributes", replace, project.public_key).status_code == 200
    assert keys() == {"x": 1, "y": 2}


def test_a_batch_refuses_only_the_item_that_passes_the_limit(
    client: Client, project: CreatedProject
) -> None:
    batch = [
        {"type": "attributes", "uuid": U, "attributes": {"a": 1, "b": 2}},
        {"type": "attributes", "uuid": U, "attributes": {"c": 3, "d": 4}},
        {"type": "attributes", "uuid": U, "attributes": {"c": 3}},
        {"type": "event", "uuid": U, "event": "view"},
    ]
    response = post(client, "/batch", {"batch": batch}, project.public_key)
    results = response.json()["results"]
    assert [r["success"] for r in results] == [True, False, True, True]
    assert results[1]["error"]["code"] == "attribute_limit"
    assert keys() == {"a": 1, "b": 2, "c": 3}


@pytest.fixture
def redis(broker_url: str, settings: Any) -> Iterator[Any]:
    client = broker_redis()
    client.delete(stream.STREAM)
    yield client
    client.delete(stream.STREAM)


def attributes_item(project: CreatedProject, attributes: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": "attributes", "project_id": project.project.pk, "uuid": U,
        "received_at": iso(timezone.now()), "attributes": attributes, "replace": False,
    }  # fmt: skip


@pytest.mark.redis
@pytest.mark.django_db(databases="__all__")
def test_queued_work_past_the_limit_is_parked_and_replays_once_the_limit_allows(
    redis: Any, project: CreatedProject, settings: Any
) -> None:
    fits = attributes_item(project, {"a": 1, "b": 2})
    passes = attributes_item(project, {"c": 3, "d": 4})
    stream.append([fits, passes])
    reader = Consumer(None, sleep=lambda seconds: None)
    reader.read_wait = 0.0
    assert reader.step() == 1
    assert redis.xlen(stream.STREAM) == 0
    assert keys() == {"a": 1, "b": 2}
    work = FailedWork.objects.get()
    assert (work.reason, work.payload) == (FailedWork.ATTRIBUTE_LIMIT, [passes])
    assert "more than 3 attributes" in work.detail

    with pytest.raises(CommandError, match="could not be replayed"):
        call_command("replayfailed", stdout=StringIO(), stderr=StringIO())
    work.refresh_from_db()
    assert work.replayed_at is None
    assert work.detail == "the session would still hold more than 3 attributes"
    settings.MAX_SESSION_ATTRIBUTES = 4
    call_command("replayfailed", stdout=StringIO())
    assert keys() == {"a": 1, "b": 2, "c": 3, "d": 4}
