"""Work for one new UUID, processed in any order, gives the same final session."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.forms.models import model_to_dict

from atrack.api import payloads
from events.ingest.processing import process_items
from events.models import Event
from projects.services import CreatedProject
from sessions_app.models import Session

pytestmark = pytest.mark.django_db
U = "d19412c6-6a91-4e18-890d-e2269a0d1249"
T0 = datetime(2026, 4, 12, 1, 52, 35, tzinfo=UTC)
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2_1 like Mac OS X)"


def items(project_id: int) -> list[dict[str, Any]]:
    def facts(seconds: int) -> payloads.RequestFacts:
        return payloads.RequestFacts(
            project_id=project_id,
            received_at=T0 + timedelta(seconds=seconds),
            ip="50.89.98.90",
            user_agent=IPHONE,
            anonymize_ip=False,
        )

    paid = "https://a-track.io/pricing?utm_source=google&utm_medium=cpc&gclid=g1&fbclid=f1"
    return [
        payloads.init_item(
            {"uuid": U, "context": {"url": {"href": paid, "referer": "https://google.com/"}}},
            facts(0),
        ),
        payloads.event_item({"uuid": U, "event": "page_view", "id": "e1"}, facts(1)),
        payloads.attributes_item({"uuid": U, "attributes": {"plan": "free", "a": 1}}, facts(2)),
        payloads.init_item(
            {"uuid": U, "context": {"url": {"href": "https://a-track.io/checkout"}}}, facts(3)
        ),
        payloads.attributes_item({"uuid": U, "attributes": {"plan": "pro"}}, facts(4)),
        payloads.event_item({"uuid": U, "event": "purchase", "id": "e2"}, facts(5)),
    ]


def final_state(project: CreatedProject) -> dict[str, Any]:
    session = Session.objects.for_project(project.project).get(uuid=U)
    state = model_to_dict(session, exclude=["id"])
    state["attributes"] = dict(session.attribute_rows.values_list("key", "value"))
    state["events"] = sorted(
        Event.objects.for_project(project.project).values_list("message_id", "name")
    )
    return state


def test_every_processing_order_gives_the_same_session(project: CreatedProject) -> None:
    work = items(project.project.pk)
    states = []
    for order in itertools.islice(itertools.permutations(range(len(work))), 0, None, 37):
        Session.objects.for_project(project.project).delete()
        for index in order:
            process_items([work[index]])
        states.append(final_state(project))
    assert len(states) > 10
    first = states[0]
    assert first["source"] == "google"  # a direct init later does not overwrite the campaign
    assert first["click_ids"]["gclid"] == "g1"
    assert first["url_data"]["path"] == "/checkout"  # the newest init is the last touch
    assert first["attributes"] == {"plan": "pro", "a": 1}
    assert first["created_at"] == T0
    for state in states[1:]:
        assert state == first


def test_a_redelivered_batch_is_applied_once(project: CreatedProject) -> None:
    work = items(project.project.pk)
    process_items(work)
    once = final_state(project)
    process_items(work)
    assert final_state(project) == once
    assert len(once["events"]) == 2


def test_a_merge_received_before_a_replace_is_ignored_whenever_it_is_processed(
    project: CreatedProject,
) -> None:
    def facts(seconds: int) -> payloads.RequestFacts:
        return payloads.RequestFacts(
            project_id=project.project.pk,
            received_at=T0 + timedelta(seconds=seconds),
            ip=None,
            user_agent="",
            anonymize_ip=False,
        )

    early = payloads.attributes_item({"uuid": U, "attributes": {"stale": 1}}, facts(1))
    replace = payloads.attributes_item(
        {"uuid": U, "attributes": {"fresh": 2}, "replace": True}, facts(2)
    )
    late = payloads.attributes_item({"uuid": U, "attributes": {"later": 3}}, facts(3))
    for order in ([early, replace, late], [replace, late, early], [late, early, replace]):
        Session.objects.for_project(project.project).delete()
        for item in order:
            process_items([item])
        session = Session.objects.for_project(project.project).get(uuid=U)
        assert dict(session.attribute_rows.values_list("key", "value")) == {"fresh": 2, "later": 3}
