"""New sessions built by position hold what Session(...) would hold."""

from __future__ import annotations

from django.utils import timezone

from sessions_app.models import Session
from sessions_app.services import _blank


def _fields(session: Session) -> dict[str, object]:
    return {f.attname: getattr(session, f.attname) for f in Session._meta.concrete_fields}


def test_blank_equals_the_keyword_constructor() -> None:
    now = timezone.now()
    given = {"project_id": 7, "uuid": "b19412c6-6a91-4e18-890d-e2269a0d1249", "created_at": now}
    blank, built = _blank(**given), Session(**given)
    assert _fields(blank) | {"updated_at": None} == _fields(built) | {"updated_at": None}
    assert blank.updated_at >= now
    assert blank._state.adding


def test_blank_sessions_share_no_mutable_default() -> None:
    first, second = _blank(project_id=1), _blank(project_id=1)
    first.ip_data["ip"] = "203.0.113.9"
    first.custom_data["a"] = 1
    assert second.ip_data == {}
    assert second.custom_data == {}
