"""Events: data-plane rows in the project's database alias."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from sessions_app.models import ProjectScopedQuerySet, Session


class Event(models.Model):
    project_id = models.BigIntegerField()
    # No index of its own: `event_session_time` starts with the session and serves its
    # lookups (a second index would only cost every insert another index write).
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


class FailedWork(models.Model):
    """Work that could not be stored after its retries, kept for staff and replay.

    It holds a visitor's payload, so it lives with the project's data, in the project's
    alias: erasure, retention and `moveproject` reach it like sessions and events. One
    row per session UUID. Stream entries that hold no readable work (no project to
    belong to) are kept in `default`, with no project, for FAILED_WORK_UNATTRIBUTED_DAYS.
    """

    DATABASE_ERROR = "database_error"
    PROCESSING_ERROR = "processing_error"
    UNREADABLE = "unreadable"
    ATTRIBUTE_LIMIT = "attribute_limit"
    REASON_CHOICES = [
        (DATABASE_ERROR, "Database unavailable after retries"),
        (PROCESSING_ERROR, "Could not be stored"),
        (UNREADABLE, "Unreadable queue entry"),
        (ATTRIBUTE_LIMIT, "Session at its attribute limit"),
    ]

    created_at = models.DateTimeField(default=timezone.now)
    project_id = models.BigIntegerField(null=True, blank=True)
    uuid = models.UUIDField(null=True, blank=True)
    reason = models.CharField(max_length=32, choices=REASON_CHOICES)
    detail = models.TextField(blank=True, default="")
    payload = models.JSONField(help_text="The work items, exactly as queued.")
    attempts = models.PositiveIntegerField(default=0)
    replayed_at = models.DateTimeField(null=True, blank=True)

    objects = ProjectScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "failed work"
        indexes = [
            models.Index(fields=["project_id", "uuid"], name="failedwork_project_uuid"),
            models.Index(fields=["project_id", "created_at"], name="failedwork_project_created"),
        ]

    def __str__(self) -> str:
        return f"{self.reason} #{self.pk}"
