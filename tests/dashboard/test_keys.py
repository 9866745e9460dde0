"""Keys in the admin: listed by prefix; created, rotated with grace, revoked by managers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from projects.models import ApiKey, Membership
from projects.selectors import key_lookup
from projects.services import CreatedProject
from tests.dashboard.factories import staff


def _client(project: CreatedProject, role: str) -> Client:
    client = Client()
    client.force_login(staff("ann", project.project, role=role))
    return client


def _url(project: CreatedProject) -> str:
    return reverse("admin:projects_project_keys", args=(project.project.pk,))


def test_keys_are_listed_by_prefix_never_in_full(project: CreatedProject) -> None:
    html = _client(project, Membership.VIEWER).get(_url(project)).content.decode()
    for api_key in project.project.api_keys.all():
        assert f"{api_key.prefix}…" in html
    assert project.secret_key not in html
    assert project.public_key not in html


def test_a_new_key_is_shown_once(project: CreatedProject) -> None:
    client = _client(project, Membership.MANAGER)
    response = client.post(_url(project), {"action": "create", "kind": "secret"})
    html = response.content.decode()
    raw = html.split("data-new-key>")[1].split("<")[0]
    info = key_lookup(raw=raw)
    assert info is not None
    assert info.is_secret
    assert info.project.id == project.project.pk
    assert raw not in client.get(_url(project)).content.decode()
    assert raw not in str(client.cookies)


def test_rotation_keeps_the_old_keys_for_the_grace_period(project: CreatedProject) -> None:
    client = _client(project, Membership.MANAGER)
    client.post(_url(project), {"action": "rotate", "kind": "secret", "grace_hours": "24"})
    old = ApiKey.objects.get(project=project.project, kind="secret", expires_at__isnull=False)
    assert old.expires_at is not None
    assert timedelta(hours=23) < old.expires_at - timezone.now() <= timedelta(hours=24)
    assert (
        ApiKey.objects.filter(
            project=project.project, kind="secret", expires_at__isnull=True
        ).count()
        == 1
    )


def test_revoke_stops_a_key_at_once(project: CreatedProject) -> None:
    client = _client(project, Membership.MANAGER)
    prefix = ApiKey.objects.get(project=project.project, kind="public").prefix
    response = client.post(_url(project), {"action": "revoke", "key_prefix": prefix})
    assert response.status_code == 302
    assert ApiKey.objects.get(prefix=prefix).revoked_at is not None
    info = key_lookup(raw=project.public_key)
    assert info is None or not info.is_active


def test_revoke_of_another_project_key_is_not_found(
    project: CreatedProject, other_project: CreatedProject
) -> None:
    client = _client(project, Membership.MANAGER)
    prefix = ApiKey.objects.filter(project=other_project.project).first().prefix  # type: ignore[union-attr]
    response = client.post(_url(project), {"action": "revoke", "key_prefix": prefix})
    assert response.status_code == 404
    assert ApiKey.objects.get(prefix=prefix).revoked_at is None


@pytest.mark.parametrize("action", ["create", "rotate", "revoke"])
def test_viewers_cannot_change_keys(project: CreatedProject, action: str) -> None:
    client = _client(project, Membership.VIEWER)
    prefix = project.project.api_keys.first().prefix  # type: ignore[union-attr]
    response = client.post(
        _url(project),
        {"action": action, "kind": "secret", "key_prefix": prefix, "grace_hours": "1"},
    )
    assert response.status_code == 403
    assert ApiKey.objects.filter(project=project.project).count() == 2
    assert not ApiKey.objects.filter(revoked_at__isnull=False).exists()
