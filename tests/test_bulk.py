"""Set-based inserts and updates (atrack.bulk), on whichever database the tests run."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from atrack.bulk import insert_rows, update_rows
from sessions_app.models import Session

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _insert(uuids: list[str]) -> list[tuple[object, ...]]:
    columns = ["project_id", "uuid", "created_at", "updated_at", "utm_data", "ip_address"]
    rows = [[7, u, T0, T0, {"source": "ads", "n": i}, "203.0.113.9"] for i, u in enumerate(uuids)]
    return insert_rows(
        alias="default",
        model=Session,
        columns=columns,
        rows=rows,
        unique=("project_id", "uuid"),
        returning=("uuid",),
    )


def test_insert_rows_stores_every_column_and_returns_the_inserted_rows() -> None:
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    returned = _insert([first, second])
    assert sorted(str(r[0]) for r in returned) == sorted([first, second])
    stored = Session.objects.get(uuid=second)
    assert (stored.project_id, stored.utm_data, stored.ip_address) == (
        7,
        {"source": "ads", "n": 1},
        "203.0.113.9",
    )
    assert stored.created_at == T0
    assert stored.first_seen_at is None


def test_insert_rows_skips_a_row_that_clashes_on_the_unique_columns() -> None:
    taken = str(uuid.uuid4())
    _insert([taken])
    Session.objects.filter(uuid=taken).update(utm_data={"kept": True})
    fresh = str(uuid.uuid4())
    returned = _insert([taken, fresh])
    assert Session.objects.filter(uuid__in=[taken, fresh]).count() == 2
    assert Session.objects.get(uuid=taken).utm_data == {"kept": True}
    returned_uuids = {str(uuid.UUID(str(r[0]))) for r in returned}
    # PostgreSQL tells inserted rows from skipped ones; the embedded database returns all.
    expected = {fresh} if connection.vendor == "postgresql" else {taken, fresh}
    assert returned_uuids == expected


def test_update_rows_writes_only_the_named_columns_of_each_row() -> None:
    uuids = [str(uuid.uuid4()) for _ in range(3)]
    _insert(uuids)
    sessions = list(Session.objects.filter(uuid__in=uuids).order_by("pk"))
    for n, session in enumerate(sessions):
        session.updated_at = T0 + timedelta(minutes=n)
        session.device_data = {"n": n}
        session.source = "not written"
    update_rows(
        alias="default", model=Session, columns=["updated_at", "device_data"], objs=sessions
    )
    for n, session in enumerate(Session.objects.filter(uuid__in=uuids).order_by("pk")):
        assert session.updated_at == T0 + timedelta(minutes=n)
        assert session.device_data == {"n": n}
        assert session.source == ""
