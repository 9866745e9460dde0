"""Reads of the control plane, with the per-process key cache used on every request."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from projects import keys
from projects.models import ApiKey, Project


@dataclass(frozen=True)
class ProjectInfo:
    """What a request needs to know of its project: a snapshot, safe to cache."""

    id: int
    slug: str
    database_alias: str
    allowed_origins: tuple[str, ...]
    public_reads: bool
    anonymize_ip: bool
    retention_days: int | None
    hosting_is_bot: bool = False

    @classmethod
    def of(cls, project: Project) -> ProjectInfo:
        return cls(
            id=project.pk,
            slug=project.slug,
            database_alias=project.database_alias,
            allowed_origins=tuple(project.allowed_origins or ()),
            public_reads=project.public_reads,
            anonymize_ip=project.anonymize_ip,
            retention_days=project.retention_days,
            hosting_is_bot=project.hosting_is_bot,
        )


@dataclass(frozen=True)
class KeyInfo:
    id: int
    prefix: str
    kind: str
    project: ProjectInfo
    expires_at: datetime | None
    revoked_at: datetime | None

    @property
    def is_secret(self) -> bool:
        return self.kind == keys.SECRET

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired


class _KeyCache:
    """Key lookups cached for a few seconds: the steady state costs no query.

    Keys that exist and keys that do not are kept apart: unknown keys (anyone can make
    up millions) only ever push out the oldest unknown ones, never a real key."""

    max_unknown = 10_000

    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, KeyInfo]] = {}
        self._unknown: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()
        # key id → when this process last wrote its `last_used_at`
        self.touched: dict[int, float] = {}

    def get(self, raw: str) -> tuple[bool, KeyInfo | None]:
        now = time.monotonic()
        entry = self._entries.get(raw)
        if entry is not None and entry[0] >= now:
            return True, entry[1]
        until = self._unknown.get(raw)
        return (True, None) if until is not None and until >= now else (False, None)

    def put(self, raw: str, info: KeyInfo | None) -> None:
        until = time.monotonic() + settings.API_KEY_CACHE_SECONDS
        with self._lock:
            if info is not None:
                self._entries[raw] = (until, info)
                return
            self._unknown[raw] = until
            self._unknown.move_to_end(raw)
            while len(self._unknown) > self.max_unknown:
                self._unknown.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._unknown.clear()
            self.touched.clear()
            _project_cache.clear()


key_cache = _KeyCache()
LAST_USED_EVERY_SECONDS = 60.0


def _load_key(raw: str) -> KeyInfo | None:
    row = ApiKey.objects.select_related("project").filter(prefix=keys.prefix_of(raw)).first()
    if row is None or not keys.matches(raw, row.digest):
        return None
    return KeyInfo(
        id=row.pk,
        prefix=row.prefix,
        kind=row.kind,
        project=ProjectInfo.of(row.project),
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
    )


def key_lookup(*, raw: str) -> KeyInfo | None:
    """The key `raw` stands for, or None when no such key exists."""
    if keys.kind_of(raw) is None:
        return None
    hit, info = key_cache.get(raw)
    if not hit:
        info = _load_key(raw)
        key_cache.put(raw, info)
    if info is not None:
        _touch(info.id)
    return info


def _touch(key_id: int) -> None:
    # `last_used_at` is a hint for operators, so one UPDATE a minute per key and
    # process is plenty.
    now = time.monotonic()
    if now - key_cache.touched.get(key_id, float("-inf")) < LAST_USED_EVERY_SECONDS:
        return
    key_cache.touched[key_id] = now
    cutoff = timezone.now() - timedelta(seconds=LAST_USED_EVERY_SECONDS)
    ApiKey.objects.filter(pk=key_id).exclude(last_used_at__gt=cutoff).update(
        last_used_at=timezone.now()
    )


def project_get(*, slug_or_id: str) -> Project:
    """The project named by slug (or numeric id); raises Project.DoesNotExist."""
    if slug_or_id.isdigit():
        return Project.objects.get(pk=int(slug_or_id))
    return Project.objects.get(slug=slug_or_id)


_project_cache: dict[int, tuple[float, ProjectInfo | None]] = {}


def project_info(*, project_id: int) -> ProjectInfo | None:
    """A project's snapshot by id, cached like keys (workers call this per batch)."""
    entry = _project_cache.get(project_id)
    if entry is not None and entry[0] >= time.monotonic():
        return entry[1]
    project = Project.objects.filter(pk=project_id).first()
    info = ProjectInfo.of(project) if project is not None else None
    _project_cache[project_id] = (time.monotonic() + settings.API_KEY_CACHE_SECONDS, info)
    return info
