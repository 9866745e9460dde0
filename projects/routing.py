"""The one routing point between projects and databases.

Control-plane models (projects, keys, staff accounts) live in `default`. Data-plane
models (sessions, attributes, events) live in their project's database alias; code
reaches them through `alias_for(project)` / the models' `for_project` managers, and the
router keeps related-object access on the database the instance came from.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

DATA_PLANE_APPS = frozenset({"sessions_app", "events"})


class HasAlias(Protocol):
    """A project or its snapshot (`ProjectInfo`): its id and where its data lives."""

    @property
    def id(self) -> int: ...

    @property
    def database_alias(self) -> str: ...


def alias_for(project: HasAlias) -> str:
    """The database alias holding `project`'s data; loud when it is not configured."""
    alias = project.database_alias or "default"
    if alias not in settings.DATABASES:
        raise ImproperlyConfigured(
            f"Project database alias {alias!r} is not configured "
            f"(set DATABASE_URL_{alias.upper()})."
        )
    return alias


def is_data_plane(model: type[models.Model]) -> bool:
    return model._meta.app_label in DATA_PLANE_APPS


class DataPlaneRouter:
    """Control-plane models go to `default`; data-plane rows stay on the alias they came
    from (queries name their alias through `for_project`)."""

    def _db(self, model: type[models.Model], **hints: Any) -> str | None:
        if not is_data_plane(model):
            return "default"
        # No opinion: Django then uses the database of the instance in the hints, so
        # related objects are read where it lives.
        return None

    db_for_read = _db
    db_for_write = _db

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        # Data-plane tables exist on every alias (`default` holds projects too);
        # control-plane tables only on `default`.
        return app_label in DATA_PLANE_APPS or db == "default"
