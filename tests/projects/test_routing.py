"""Per-project database aliases: one routing point, real databases."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connections

from events.models import Event
from projects.routing import alias_for
from projects.selectors import key_lookup
from projects.services import CreatedProject, project_create
from sessions_app.models import Session

ALL = pytest.mark.django_db(databases="__all__")


def _count_rows(alias: str, project_id: int) -> int:
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM sessions_app_session WHERE project_id = %s", [project_id]
        )
        return int(cursor.fetchone()[0])


@pytest.mark.postgres
@ALL
def test_project_b_rows_live_only_in_b_database(second_postgres_alias: str) -> None:
    a = project_create(name="A")
    b = project_create(name="B", database_alias=second_postgres_alias)
    shared_uuid = uuid.uuid4()
    a_info = key_lookup(raw=a.public_key)
    b_info = key_lookup(raw=b.public_key)
    assert a_info is not None
    assert b_info is not None
    Session.objects.using(alias_for(b_info.project)).create(
        project_id=b_info.project.id, uuid=shared_uuid
    )

    assert _count_rows(second_postgres_alias, b.project.pk) == 1
    assert _count_rows("default", b.project.pk) == 0
    assert Session.objects.for_project(b_info.project).filter(uuid=shared_uuid).count() == 1
    assert not Session.objects.for_project(a_info.project).filter(uuid=shared_uuid).exists()


@pytest.mark.postgres
@ALL
def test_related_rows_follow_their_instance_database(second_postgres_alias: str) -> None:
    b = project_create(name="B", database_alias=second_postgres_alias)
    session = Session.objects.using(second_postgres_alias).create(
        project_id=b.project.pk, uuid=uuid.uuid4()
    )
    Event.objects.using(second_postgres_alias).create(
        project_id=b.project.pk,
        session=session,
        uuid=session.uuid,
        name="signup",
        occurred_at=session.created_at,
        received_at=session.created_at,
        message_id="m1",
    )
    event = Event.objects.for_project(b.project).get()
    assert event.session == session  # read from the second alias: `default` has no such row


@pytest.mark.django_db
def test_an_unconfigured_alias_is_a_loud_error(project: CreatedProject) -> None:
    project.project.database_alias = "nowhere"
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL_NOWHERE"):
        alias_for(project.project)
