"""Concurrent writers on one session never lose each other's updates (real PostgreSQL)."""

from __future__ import annotations

import json
import random
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connections
from django.test import Client

from atrack.api import payloads
from events.ingest.processing import process_items
from events.models import Event
from projects.services import project_create
from sessions_app.models import Session
from tests.conftest import require


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_parallel_attribute_merges_with_distinct_keys_all_land() -> None:
    require(
        "postgresql" in connections["default"].settings_dict["ENGINE"],
        "needs PostgreSQL in DATABASE_URL",
    )
    created = project_create(name="Parallel")
    session_uuid = str(uuid.uuid4())

    def merge(n: int) -> int:
        body = {"uuid": session_uuid, "attributes": {f"key_{n}": n}, "synchronous": True}
        response = Client().post(
            "/attributes",
            json.dumps(body),
            content_type="application/json",
            HTTP_X_A_TRACK_KEY=created.public_key,
        )
        connections.close_all()
        return response.status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        codes = list(pool.map(merge, range(50)))
    assert all(code in (200, 201) for code in codes), codes
    session = Session.objects.for_project(created.project).get(uuid=session_uuid)
    keys = dict(session.attribute_rows.values_list("key", "value"))
    assert keys == {f"key_{n}": n for n in range(50)}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_over_the_same_sessions_never_deadlock_and_store_everything() -> None:
    """Workers store overlapping batches at once: new and existing sessions, inits and
    events in every order. No batch fails (the bare function, no retry), nothing is lost."""
    require(
        "postgresql" in connections["default"].settings_dict["ENGINE"],
        "needs PostgreSQL in DATABASE_URL",
    )
    created = project_create(name="Overlap")
    pid = created.project.pk

    def facts(second: int) -> payloads.RequestFacts:
        at = datetime(2026, 5, 1, tzinfo=UTC) + timedelta(seconds=second)
        return payloads.RequestFacts(
            project_id=pid, received_at=at, ip="50.89.98.90", user_agent="", anonymize_ip=False
        )

    def event(u: str, message_id: str, second: int) -> dict[str, Any]:
        return payloads.event_item({"uuid": u, "event": "view", "id": message_id}, facts(second))

    def init(u: str, second: int) -> dict[str, Any]:
        href = f"https://shop.example/?utm_source=s{second}"
        return payloads.init_item({"uuid": u, "context": {"url": {"href": href}}}, facts(second))

    pool = [str(uuid.uuid4()) for _ in range(120)]
    rng = random.Random(7)
    batches = []
    for b in range(48):
        chosen = rng.sample(pool, 50)
        items = [event(u, f"b{b}-{u}", second=b) for u in chosen]
        items += [init(u, second=b) for u in chosen[:10]]
        rng.shuffle(items)
        batches.append(items)

    def store(items: list[dict[str, Any]]) -> None:
        try:
            process_items(items)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=6) as executor:
        for future in [executor.submit(store, items) for items in batches]:
            future.result()  # re-raises a deadlock, if any
    events = sum(1 for items in batches for i in items if i["kind"] == "event")
    assert Event.objects.for_project(created.project).count() == events
    sessions = Session.objects.for_project(created.project)
    assert sessions.count() == len({i["uuid"] for items in batches for i in items})
    inited = {i["uuid"] for items in batches for i in items if i["kind"] == "init"}
    assert sessions.filter(first_seen_at__isnull=False).count() == len(inited)
