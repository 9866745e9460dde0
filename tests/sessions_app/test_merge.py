"""session_merge: the one merge rule, for inits (ingest) and for copies of a session (mover)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from projects.selectors import ProjectInfo
from projects.services import CreatedProject
from sessions_app.models import INIT_FIELDS, Session
from sessions_app.services import session_merge, sessions_upsert

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
SITE = "https://shop.example"
AD = {"href": f"{SITE}/?utm_source=google&utm_medium=cpc&gclid=g1"}
SOCIAL = {"href": f"{SITE}/p?fbclid=f1", "referer": "https://l.facebook.com/"}
DIRECT = {"href": f"{SITE}/cart"}
NEWSLETTER = {"href": f"{SITE}/?utm_source=news&utm_medium=email&gclid=g2"}


def _init(
    url: dict[str, Any], minutes: int, item: dict[str, Any] | None = None, **context: Any
) -> dict[str, Any]:
    agent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0" if minutes % 2 else "curl/8.0"
    client = {"ipAddress": "203.0.113.9", "userAgent": agent}
    at = T0 + timedelta(minutes=minutes)
    body = {"url": url, "client": client, **context}
    return {"context": body, "received_at": at.isoformat(), **(item or {})}


def _stored(project: ProjectInfo, *batches: list[dict[str, Any]]) -> Session:
    """A session that received the inits of each batch through ingest, a batch a call."""
    key = str(uuid.uuid4())
    for batch in batches:
        items = [{**i, "uuid": key} for i in batch]
        times = [datetime.fromisoformat(i["received_at"]) for i in items]
        sessions_upsert(
            alias="default", project=project, seen={key: (min(times), max(times))}, inits=items
        )
    return Session.objects.using("default").get(project_id=project.id, uuid=key)


def _fields(session: Session) -> dict[str, Any]:
    return {name: getattr(session, name) for name in INIT_FIELDS}


CASES = {
    "a later campaign replaces the last touch": ([_init(AD, 0)], [_init(SOCIAL, 5)]),
    "a later direct visit keeps the campaign": ([_init(AD, 0)], [_init(DIRECT, 9)]),
    "click ids of both sides accumulate": ([_init(AD, 0), _init(DIRECT, 3)], [_init(SOCIAL, 7)]),
    "an older session joined later gives the first touch": ([_init(SOCIAL, 30)], [_init(AD, 1)]),
    "a new value of a click id wins": ([_init(AD, 0)], [_init(NEWSLETTER, 20), _init(DIRECT, 21)]),
    "user attributes and custom data merge newest first": (
        [
            _init(
                AD, 0, user={"attributes": {"plan": "free", "a": 1}}, item={"custom_data": {"x": 1}}
            )
        ],
        [_init(DIRECT, 4, user={"attributes": {"plan": "pro"}}, item={"custom_data": {"x": 2}})],
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize(("mine", "theirs"), CASES.values(), ids=CASES.keys())
def test_joining_two_sessions_equals_applying_all_their_inits_to_one(
    project: CreatedProject, mine: list[dict[str, Any]], theirs: list[dict[str, Any]]
) -> None:
    info = ProjectInfo.of(project.project)
    together = _stored(info, mine, theirs)
    into = _stored(info, mine)
    session_merge(into=into, other=_stored(info, theirs))
    assert _fields(into) == _fields(together)
