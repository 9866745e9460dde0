"""What the management commands of every app share."""

from __future__ import annotations

from django.core.management.base import CommandError

from projects.models import Project
from projects.selectors import project_get


def command_project(slug_or_id: str) -> Project:
    """The project a command names by slug or id; a CommandError when there is none."""
    try:
        return project_get(slug_or_id=slug_or_id)
    except Project.DoesNotExist as exc:
        raise CommandError(f"No project {slug_or_id!r}.") from exc
