"""Erasure is final: stored rows, parked work, and writes that come later (inline mode;
queued mode is in tests/ingest/test_delivery.py)."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from atrack.times import iso
from events.erasure import erasure_create
from events.ingest.processing import park, process_items
from events.models import Event, FailedWork
from projects.services import CreatedProject
from sessions_app.models import Erasure, Session

pytestmark = pytest.mark.django_db
U = "3f0c1a52-8a7e-4bde-9d1e-52c0f3a9e001"
OTHER = "3f0c1a52-8a7e-4bde-9d1e-52c0f3a9e002"


def post(client: Client, path: str, body: dict[str, Any], key: str) -> Any:
    return client.post(
        path, json.dumps(body), content_type="application/json", HTTP_X_A_TRACK_KEY=key
    )


def event(
    project: CreatedProject, uuid: str, message_id: str, received: Any = None
) -> dict[str, Any]:
    at = iso(received or timezone.now())
    return {
        "kind": "event", "project_id": project.project.pk, "uuid": uuid, "received_at": at,
        "name": "view", "attributes": {}, "occurred_at": at, "ip": None, "user_agent": "",
        "message_id": message_id,
    }  # fmt: skip


def test_writes_after_an_erasure_are_refused_with_410_and_stored_nowhere(
    client: Client, project: CreatedProject
) -> None:
    assert (
        post(client, "/event", {"uuid": U, "event": "view"}, project.public_key).status_code == 201
    )
    erased = post(client, "/session/delete", {"uuid": U}, project.secret_key)
    assert erased.json()["deleted"]["events"] == 1
    writes: list[tuple[str, dict[str, Any]]] = [
        ("/event", {"uuid": U, "event": "view"}),
        ("/init", {"uuid": U}),
        ("/attributes", {"uuid": U, "attributes": {"a": 1}}),
    ]
    for path, body in writes:
        response = post(client, path, body, project.public_key)
        assert response.status_code == 410, path
        assert response.json()["error"]["code"] == "erased"
    assert not Session.objects.exists()
    assert not Event.objects.exists()


def test_a_batch_refuses_the_erased_uuid_and_stores_the_others(
    client: Client, project: CreatedProject
) -> None:
    erasure_create(project=project.project, uuid=U)
    batch = [
        {"type": "event", "uuid": U, "event": "view", "id": "gone"},
        {"type": "event", "uuid": OTHER, "event": "view", "id": "kept"},
    ]
    response = post(client, "/batch", {"batch": batch}, project.public_key)
    results = response.json()["results"]
    assert results[0]["success"] is False
    assert results[0]["error"]["code"] == "erased"
    assert results[1]["success"] is True
    assert list(Event.objects.values_list("message_id", flat=True)) == ["kept"]


def test_a_lift_lets_new_writes_in_but_never_work_received_before_the_erasure(
    project: CreatedProject,
) -> None:
    before = event(project, U, "before", timezone.now() - timedelta(seconds=5))
    erasure_create(project=project.project, uuid=U)
    assert process_items([before]).erased == {U}
    out = StringIO()
    call_command("erasesession", U, "--project", project.project.slug, "--lift", stdout=out)
    assert "Lifted 1 of 1" in out.getvalue()
    applied = process_items([before, event(project, U, "after")])
    assert applied.erased == {U}  # the old item is still refused
    assert list(Event.objects.values_list("message_id", flat=True)) == ["after"]


def test_an_erasure_removes_the_uuids_items_from_parked_work(project: CreatedProject) -> None:
    park(
        [event(project, U, "p1"), event(project, OTHER, "p2")],
        FailedWork.DATABASE_ERROR,
        RuntimeError("x"),
        7,
    )
    park([event(project, U, "p3")], FailedWork.DATABASE_ERROR, RuntimeError("x"), 7)
    deleted = erasure_create(project=project.project, uuid=U)
    assert deleted["parked"] == 2
    (left,) = FailedWork.objects.all()
    assert [item["uuid"] for item in left.payload] == [OTHER]


def test_an_erasure_of_one_project_leaves_another_alone(
    project: CreatedProject, other_project: CreatedProject
) -> None:
    process_items([event(other_project, U, "theirs")])
    erasure_create(project=project.project, uuid=U)
    assert Event.objects.for_project(other_project.project).count() == 1
    assert not Erasure.objects.for_project(other_project.project).exists()
    assert process_items([event(other_project, U, "theirs-2")]).erased == set()
