"""Data-plane models: stored in the project's database alias (see projects.routing)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils import timezone

from projects.routing import alias_for

if TYPE_CHECKING:
    from projects.routing import HasAlias


class ProjectScopedQuerySet(models.QuerySet):
    """Every tenant query starts here: the project's alias and its rows only."""

    def for_project(self, project: HasAlias) -> ProjectScopedQuerySet:
        return self.using(alias_for(project)).filter(project_id=project.id)


class Session(models.Model):
    project_id = models.BigIntegerField()
    uuid = models.UUIDField()
    # Raw init contexts as received, kept so enrichment can be re-run.
    first_context = models.JSONField(null=True, blank=True)
    last_context = models.JSONField(null=True, blank=True)
    first_seen_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    url_data = models.JSONField(default=dict, blank=True)
    utm_data = models.JSONField(default=dict, blank=True)
    query_params = models.JSONField(default=dict, blank=True)
    click_ids = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=255, blank=True, default="")
    medium = models.CharField(max_length=255, blank=True, default="")
    channel = models.CharField(max_length=64, blank=True, default="")
    referer = models.TextField(blank=True, default="")
    first_touch = models.JSONField(default=dict, blank=True)
    # When each touch and click id was seen, so inits applied in any order merge alike.
    touch_state = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    ip_data = models.JSONField(default=dict, blank=True)
    device_data = models.JSONField(default=dict, blank=True)
    client_attributes = models.JSONField(default=dict, blank=True)
    user_attributes = models.JSONField(default=dict, blank=True)
    custom_data = models.JSONField(default=dict, blank=True)
    # Denormalised from the enrichment for list filters.
    country_code = models.CharField(max_length=2, blank=True, default="")
    device_class = models.CharField(max_length=16, blank=True, default="")
    is_bot = models.BooleanField(default=False)
    # A replace of the attributes at this time hides merges received earlier.
    attributes_reset_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ProjectScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project_id", "uuid"], name="session_project_uuid"),
        ]
        indexes = [
            models.Index(fields=["project_id", "created_at"], name="session_project_created")
        ]

    def __str__(self) -> str:
        return str(self.uuid)


# The session columns that are written together, named once for every writer (ingest,
# re-enrichment, the project mover); sessions_app.services.session_merge says how each
# group merges.
FIRST_FIELDS = ("first_seen_at", "first_context")
NETWORK_FIELDS = ("ip_address", "ip_data", "device_data", "country_code", "device_class", "is_bot")
PAGE_FIELDS = ("url_data", "query_params", "client_attributes")
# The newest init's page, network and device.
LAST_FIELDS = ("last_seen_at", "last_context", *PAGE_FIELDS, *NETWORK_FIELDS)
# The attribution, merged touch by touch (enrichment.touches).
TOUCH_FIELDS = (
    "first_touch", "touch_state", "click_ids", "source", "medium", "channel", "utm_data",
    "referer",
)  # fmt: skip
MAP_FIELDS = ("user_attributes", "custom_data")  # merged key by key
SPAN_FIELDS = ("created_at", "updated_at")
INIT_FIELDS = (*FIRST_FIELDS, *LAST_FIELDS, *TOUCH_FIELDS, *MAP_FIELDS, *SPAN_FIELDS)


class Attribute(models.Model):
    """One key of a session's attribute map: merges of different keys never collide."""

    # `attribute_session_key` starts with the session and serves its lookups.
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="attribute_rows", db_index=False
    )
    key = models.CharField(max_length=255)
    value = models.JSONField(null=True)
    set_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "key"], name="attribute_session_key"),
        ]

    def __str__(self) -> str:
        return self.key


class Erasure(models.Model):
    """A session erased on request. While in force (not lifted), writes for its UUID are
    refused and stored nowhere; work received before `erased_at` is never stored, even
    after a lift."""

    project_id = models.BigIntegerField()
    uuid = models.UUIDField()
    erased_at = models.DateTimeField()
    lifted_at = models.DateTimeField(null=True, blank=True)

    objects = ProjectScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project_id", "uuid"], name="erasure_project_uuid"),
        ]

    def __str__(self) -> str:
        return str(self.uuid)

    def suppresses(self, received_at: Any) -> bool:
        """Whether work received at `received_at` must not be stored."""
        return self.lifted_at is None or received_at <= self.erased_at
