"""Control-plane models: they always live in the `default` database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from projects import keys


def validate_database_alias(value: str) -> None:
    if value not in settings.DATABASES:
        known = ", ".join(sorted(settings.DATABASES))
        raise ValidationError(f"Unknown database alias {value!r}; configured: {known}.")


class Project(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=64, unique=True)
    database_alias = models.CharField(
        max_length=64, default="default", validators=[validate_database_alias]
    )
    allowed_origins = models.JSONField(
        default=list, blank=True, help_text="Browser origins allowed to use the public key."
    )
    public_reads = models.BooleanField(
        default=False, help_text="Allow reads with the public key (off by default)."
    )
    anonymize_ip = models.BooleanField(
        default=False, help_text="Zero the last IPv4 octet / last 80 IPv6 bits before storage."
    )
    hosting_is_bot = models.BooleanField(
        default=False,
        help_text="Count visitors from hosting/datacenter addresses (GeoIP Anonymous-IP data) "
        "as bots. Off: the address is only flagged in ip_data.",
    )
    retention_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Delete events older than this; empty keeps them."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


class ApiKey(models.Model):
    KIND_CHOICES = [(keys.PUBLIC, "public"), (keys.SECRET, "secret")]

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="api_keys")
    kind = models.CharField(max_length=8, choices=KIND_CHOICES)
    prefix = models.CharField(max_length=32, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Set on rotation: the key works until then."
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["project", "kind", "-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.kind})"

    def is_active(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        expired = self.expires_at is not None and self.expires_at <= now
        return self.revoked_at is None and not expired


class Membership(models.Model):
    """A staff account's access to one project in the dashboard; superusers need none."""

    VIEWER = "viewer"
    MANAGER = "manager"
    ROLE_CHOICES = [
        (VIEWER, "Viewer: browses sessions, events and the overview"),
        (MANAGER, "Manager: also edits the project and manages its keys"),
    ]

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_memberships"
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=ROLE_CHOICES, default=VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "project"], name="membership_user_project"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.project} ({self.role})"

    @staticmethod
    def visible_projects(user: Any) -> models.QuerySet[Project]:
        """The projects `user` may open in the dashboard: all for superusers."""
        if not (user.is_active and user.is_staff):
            return Project.objects.none()
        if user.is_superuser:
            return Project.objects.all()
        return Project.objects.filter(memberships__user=user)

    @staticmethod
    def can_manage(user: Any, project: Project) -> bool:
        """Whether `user` may edit `project` and create, rotate or revoke its keys."""
        if user.is_active and user.is_superuser:
            return True
        return Membership.objects.filter(
            user=user, project=project, role=Membership.MANAGER, user__is_active=True
        ).exists()
