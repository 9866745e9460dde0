"""Sessions, events and staff accounts for the dashboard tests."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from events.models import Event
from projects.models import Membership, Project
from projects.routing import alias_for
from sessions_app.models import Attribute, Session


def staff(username: str, *projects: Project, role: str = Membership.VIEWER) -> User:
    user = User.objects.create_user(username, password="pw", is_staff=True)
    for project in projects:
        Membership.objects.create(user=user, project=project, role=role)
    return user


def make_session(project: Project, *, at: datetime | None = None, **fields: Any) -> Session:
    at = at or timezone.now() - timedelta(hours=1)
    values: dict[str, Any] = {
        "uuid": uuid.uuid4(),
        "source": "google",
        "medium": "cpc",
        "channel": "paid_search",
        "country_code": "US",
        "device_class": "desktop",
        "ip_address": "73.162.10.20",
        "created_at": at,
        "first_seen_at": at,
        "last_seen_at": at,
        **fields,
    }
    return Session.objects.using(alias_for(project)).create(project_id=project.pk, **values)


def _alias(session: Session) -> str:
    return alias_for(Project.objects.get(pk=session.project_id))


def make_event(
    session: Session, name: str, *, at: datetime | None = None, **attributes: Any
) -> Event:
    at = at or (session.created_at + timedelta(seconds=5))
    return Event.objects.using(_alias(session)).create(
        project_id=session.project_id,
        session=session,
        uuid=session.uuid,
        name=name,
        attributes=attributes,
        occurred_at=at,
        received_at=at,
        message_id=uuid.uuid4().hex,
    )


def set_attribute(session: Session, key: str, value: Any) -> Attribute:
    return Attribute.objects.using(_alias(session)).create(
        session=session, key=key, value=value, set_at=timezone.now()
    )
