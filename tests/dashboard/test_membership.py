"""Who sees which project, and the migration that adds memberships."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from projects.models import Membership
from projects.services import CreatedProject
from tests.dashboard.factories import staff


def test_staff_see_the_projects_they_are_members_of(
    project: CreatedProject, other_project: CreatedProject
) -> None:
    ann = staff("ann", project.project)
    assert list(Membership.visible_projects(ann)) == [project.project]


def test_superusers_see_every_project(
    project: CreatedProject, other_project: CreatedProject
) -> None:
    root = User.objects.create_superuser("root", password="pw")
    assert Membership.visible_projects(root).count() == 2


@pytest.mark.parametrize("field", ["is_active", "is_staff"])
def test_inactive_or_non_staff_accounts_see_nothing(project: CreatedProject, field: str) -> None:
    ann = staff("ann", project.project)
    setattr(ann, field, False)
    assert not Membership.visible_projects(ann).exists()


def test_only_managers_and_superusers_manage(project: CreatedProject) -> None:
    viewer = staff("ann", project.project)
    manager = staff("bob", project.project, role=Membership.MANAGER)
    assert not Membership.can_manage(viewer, project.project)
    assert Membership.can_manage(manager, project.project)


@pytest.mark.django_db(databases="__all__")
def test_the_models_and_migrations_agree() -> None:
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
