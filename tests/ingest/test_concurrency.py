"""Concurrent writers on one session never lose each other's updates (real PostgreSQL)."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.test import Client

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
