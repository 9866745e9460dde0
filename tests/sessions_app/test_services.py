"""sessions_upsert: new sessions hold what Session(...) would hold, and nothing of another."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from atrack.api.payloads import RequestFacts, init_item
from projects.selectors import ProjectInfo
from projects.services import CreatedProject
from sessions_app.models import Session
from sessions_app.services import sessions_upsert

U1 = "b19412c6-6a91-4e18-890d-e2269a0d1249"
U2 = "c29412c6-6a91-4e18-890d-e2269a0d1249"


def stored(pk: int) -> dict[str, Any]:
    """Every column of a stored session but its identity."""
    row = Session.objects.filter(pk=pk).values().get()
    return {name: value for name, value in row.items() if name not in ("id", "uuid")}


def test_a_session_created_without_an_init_equals_the_keyword_constructor(
    project: CreatedProject,
) -> None:
    first, last = timezone.now() - timedelta(seconds=5), timezone.now()
    info = ProjectInfo.of(project.project)
    ids, created = sessions_upsert(
        alias="default", project=info, seen={U1: (first, last)}, inits=[]
    )
    built = Session.objects.create(project_id=info.id, uuid=U2, created_at=first, updated_at=last)
    assert created == {U1}
    assert stored(ids[U1]) == stored(built.pk)


def test_sessions_created_together_share_no_mutable_default(project: CreatedProject) -> None:
    now = timezone.now()
    facts = RequestFacts(
        project_id=project.project.pk,
        received_at=now,
        ip="203.0.113.9",
        user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
        anonymize_ip=False,
    )
    context = {"url": {"href": "https://shop.example/?utm_source=news"}}
    init = init_item({"uuid": U1, "context": context, "custom_data": {"a": 1}}, facts)
    ids, _ = sessions_upsert(
        alias="default",
        project=ProjectInfo.of(project.project),
        seen={U1: (now, now), U2: (now, now)},
        inits=[init],
    )
    with_init, without = stored(ids[U1]), stored(ids[U2])
    assert with_init["custom_data"] == {"a": 1}
    assert with_init["utm_data"]
    assert with_init["device_data"]
    for name in ("custom_data", "utm_data", "device_data", "ip_data"):
        assert without[name] == {}, name
