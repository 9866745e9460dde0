"""Two projects with a few sessions each, and the URLs of their dashboard pages."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.urls import reverse

from projects.models import Project
from projects.routing import alias_for
from projects.services import CreatedProject
from sessions_app.models import Session
from tests.dashboard.factories import make_event, make_session


@dataclass
class Seeded:
    project: Project
    session: Session

    def urls(self) -> dict[str, str]:
        slug = self.project.slug
        event = self.session.events.using(alias_for(self.project)).first()
        assert event is not None
        return {
            "overview": reverse("admin:sessions_app_session_overview", args=(slug,)),
            "sessions": reverse("admin:sessions_app_session_project", args=(slug,)),
            "session": reverse("admin:sessions_app_session_detail", args=(slug, self.session.pk)),
            "events": reverse("admin:events_event_project", args=(slug,)),
            "event": reverse("admin:events_event_detail", args=(slug, event.pk)),
            "keys": reverse("admin:projects_project_keys", args=(self.project.pk,)),
            "settings": reverse("admin:projects_project_change", args=(self.project.pk,)),
        }


def seed(project: Project) -> Seeded:
    session = make_session(project)
    make_event(session, "page_view", path="/")
    return Seeded(project=project, session=session)


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


@pytest.fixture
def a(project: CreatedProject) -> Seeded:
    return seed(project.project)


@pytest.fixture
def b(other_project: CreatedProject) -> Seeded:
    return seed(other_project.project)
