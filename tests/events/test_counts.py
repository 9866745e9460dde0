"""The trigger-kept event counts behind /event/show's `total` (PostgreSQL)."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connections
from django.test import Client

from events.models import Event, EventNameCount
from projects.services import CreatedProject
from tests.conftest import require

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(databases="__all__")]
U = "b19412c6-6a91-4e18-890d-e2269a0d1249"


@pytest.fixture(autouse=True)
def _postgres() -> None:
    require(connections["default"].vendor == "postgresql", "needs PostgreSQL in DATABASE_URL")


def post(client: Client, path: str, body: Any, key: str) -> Any:
    return client.post(
        path, json.dumps(body), content_type="application/json", HTTP_X_A_TRACK_KEY=key
    )


def totals(client: Client, project: CreatedProject) -> dict[str, int]:
    names = Event.objects.for_project(project.project).values_list("name", flat=True).distinct()
    shown = {}
    for name in ("view", "buy", *names):
        shown[name] = post(client, "/event/show", {"name": name}, project.secret_key).json()[
            "meta"
        ]["total"]
    return shown


def counted(project: CreatedProject) -> dict[str, int]:
    rows = Event.objects.for_project(project.project)
    return {
        name: rows.filter(name=name).count()
        for name in ("view", "buy", *rows.values_list("name", flat=True))
    }


def test_the_total_follows_every_write_path(
    client: Client, project: CreatedProject, other_project: CreatedProject
) -> None:
    for n in range(7):
        post(
            client,
            "/event",
            {"uuid": U, "event": "view" if n < 5 else "buy", "id": f"e{n}"},
            project.public_key,
        )
    post(client, "/event", {"uuid": U, "event": "view", "id": "e0"}, project.public_key)  # a repeat
    post(client, "/event", {"uuid": U, "event": "view"}, other_project.public_key)
    assert totals(client, project) == counted(project) == {"view": 5, "buy": 2}
    call_command(
        "seeddemo",
        "--project",
        project.project.slug,
        "--sessions",
        "20",
        "--events",
        "300",
        stdout=StringIO(),
    )
    assert totals(client, project) == counted(project)
    post(client, "/session/delete", {"uuid": U}, project.secret_key)
    assert totals(client, project) == counted(project)
    assert totals(client, project)["view"] == counted(project)["view"]
    assert EventNameCount.objects.get(project_id=other_project.project.pk, name="view").count == 1
