"""Erasure in bulk and retention."""

from __future__ import annotations

import uuid
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from events.models import Event, FailedWork
from events.tasks import prune_retention
from projects.services import CreatedProject
from sessions_app.models import Attribute, Session

pytestmark = pytest.mark.django_db


def visitor(project: CreatedProject, *, events_days_ago: tuple[int, ...] = (0,)) -> Session:
    session = Session.objects.using("default").create(
        project_id=project.project.pk, uuid=uuid.uuid4()
    )
    Attribute.objects.create(session=session, key="plan", value="pro", set_at=timezone.now())
    for n, days in enumerate(events_days_ago):
        moment = timezone.now() - timedelta(days=days)
        Event.objects.create(
            project_id=project.project.pk, session=session, uuid=session.uuid, name="view",
            occurred_at=moment, received_at=moment, message_id=f"{session.uuid}-{n}",
        )  # fmt: skip
    return session


def test_erasesession_erases_several_and_reports_the_unknown(project: CreatedProject) -> None:
    a, b, keep = visitor(project), visitor(project), visitor(project)
    unknown = str(uuid.uuid4())
    out = StringIO()
    call_command(
        "erasesession",
        str(a.uuid),
        str(b.uuid).upper(),
        unknown,
        "--project",
        project.project.slug,
        stdout=out,
    )
    assert "Erased 2 of 3" in out.getvalue()
    assert list(Session.objects.values_list("pk", flat=True)) == [keep.pk]
    assert Event.objects.count() == 1
    assert Attribute.objects.count() == 1


def test_erasesession_never_touches_another_projects_session(
    project: CreatedProject, other_project: CreatedProject
) -> None:
    theirs = visitor(other_project)
    call_command(
        "erasesession", str(theirs.uuid), "--project", project.project.slug, stdout=StringIO()
    )
    assert Session.objects.filter(pk=theirs.pk).exists()


def test_erasesession_refuses_garbage(project: CreatedProject) -> None:
    with pytest.raises(CommandError, match="Not UUIDs"):
        call_command("erasesession", "nope", "--project", project.project.slug)


def test_retention_deletes_only_older_events_of_projects_that_set_it(
    project: CreatedProject, other_project: CreatedProject
) -> None:
    project.project.retention_days = 30
    project.project.save()
    visitor(project, events_days_ago=(1, 29, 31, 400))
    visitor(other_project, events_days_ago=(400,))
    out = StringIO()
    call_command("pruneevents", "--dry-run", stdout=out)
    assert f"{project.project.slug}: would delete 2 events" in out.getvalue()
    assert Event.objects.count() == 5
    assert prune_retention() == {project.project.slug: 2}
    assert Event.objects.filter(project_id=project.project.pk).count() == 2
    assert Event.objects.filter(project_id=other_project.project.pk).count() == 1


def test_retention_deletes_parked_work_with_the_events(
    project: CreatedProject, other_project: CreatedProject
) -> None:
    project.project.retention_days = 30
    project.project.save()
    old, fresh = timezone.now() - timedelta(days=31), timezone.now() - timedelta(days=1)
    for owner, created in [(project, old), (project, fresh), (other_project, old)]:
        FailedWork.objects.create(
            project_id=owner.project.pk, reason="database_error", payload=[], created_at=created
        )
    FailedWork.objects.create(
        reason="unreadable", payload=[], created_at=timezone.now() - timedelta(days=40)
    )
    prune_retention()
    kept = sorted((w.project_id or 0, w.created_at == fresh) for w in FailedWork.objects.all())
    assert kept == sorted([(project.project.pk, True), (other_project.project.pk, False)])
