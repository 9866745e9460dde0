"""Writes of the control plane: projects and their keys."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from projects import keys
from projects.models import ApiKey, Project, validate_database_alias
from projects.selectors import key_cache


@dataclass(frozen=True)
class CreatedProject:
    project: Project
    public_key: str
    secret_key: str


def key_create(*, project: Project, kind: str) -> tuple[ApiKey, str]:
    """A new key of `kind` for `project`; the raw key is returned once, never stored."""
    new = keys.generate(kind)
    api_key = ApiKey.objects.create(
        project=project, kind=kind, prefix=new.prefix, digest=new.digest
    )
    return api_key, new.raw


def _unique_slug(name: str) -> str:
    base = slugify(name)[:56] or "project"
    slug, n = base, 1
    while Project.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def project_create(
    *,
    name: str,
    database_alias: str = "default",
    allowed_origins: Iterable[str] = (),
    slug: str | None = None,
) -> CreatedProject:
    """A project with one public and one secret key."""
    validate_database_alias(database_alias)
    project = Project.objects.create(
        name=name,
        slug=slug or _unique_slug(name),
        database_alias=database_alias,
        allowed_origins=list(allowed_origins),
    )
    _, public = key_create(project=project, kind=keys.PUBLIC)
    _, secret = key_create(project=project, kind=keys.SECRET)
    return CreatedProject(project=project, public_key=public, secret_key=secret)


@transaction.atomic
def key_rotate(*, project: Project, kind: str, grace: timedelta) -> tuple[ApiKey, str]:
    """A new key of `kind`; the project's current keys of that kind expire after `grace`."""
    expires = timezone.now() + grace
    current = ApiKey.objects.filter(project=project, kind=kind, revoked_at__isnull=True)
    current.filter(expires_at__isnull=True).update(expires_at=expires)
    current.filter(expires_at__gt=expires).update(expires_at=expires)
    key_cache.clear()
    return key_create(project=project, kind=kind)


def key_revoke(*, prefix: str) -> ApiKey:
    """Revoke the key with `prefix` at once (every process within the cache time)."""
    api_key = ApiKey.objects.get(prefix=prefix)
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    key_cache.clear()
    return api_key
