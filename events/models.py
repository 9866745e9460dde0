"""Events: data-plane rows in the project's database alias."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from sessions_app.models import ProjectScopedQuerySet, Session


class Event(models.Model):
    project_id = models.BigIntegerField()
    # No index of its own: `event_session_time` starts with the session and serves its
    # lookups (a second index only cost every insert another index write).
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    uuid = models.UUIDField(help_text="The session UUID, denormalised for reads.")
    name = models.CharField(max_length=255)
    attributes = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.TextField(blank=True, default="")
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField()
    # The client's event id, or one the service assigned at receipt: stored once.
    message_id = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ProjectScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project_id", "message_id"], name="event_project_message"
            ),
        ]
        indexes = [
            models.Index(
                fields=["project_id", "name", "occurred_at", "id"], name="event_name_time"
            ),
            models.Index(fields=["session", "occurred_at"], name="event_session_time"),
        ]

    def __str__(self) -> str:
        return self.name


class EventNameCount(models.Model):
    """Events per (project, name), kept by database triggers on PostgreSQL, so that
    `/event/show` answers its `total` without counting a million rows."""

    project_id = models.BigIntegerField()
    name = models.CharField(max_length=255)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project_id", "name"], name="event_count_project_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.count}"
