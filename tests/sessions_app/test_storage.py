"""How the sessions table is stored on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.conftest import require


@pytest.mark.postgres
@pytest.mark.django_db
def test_session_pages_keep_room_for_hot_updates() -> None:
    require(connection.vendor == "postgresql", "needs PostgreSQL in DATABASE_URL")
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'sessions_app_session'")
        (options,) = cursor.fetchone()
    assert "fillfactor=70" in options
