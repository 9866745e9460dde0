"""Staff views of the control plane: projects, keys (prefixes only) and failed work."""

from __future__ import annotations

from django.contrib import admin

from projects.models import ApiKey, FailedWork, Project


class ApiKeyInline(admin.TabularInline):
    model = ApiKey
    extra = 0
    fields = ("prefix", "kind", "created_at", "expires_at", "revoked_at", "last_used_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "database_alias", "public_reads", "anonymize_ip", "created_at")
    search_fields = ("slug", "name")
    inlines = [ApiKeyInline]


@admin.register(FailedWork)
class FailedWorkAdmin(admin.ModelAdmin):
    list_display = ("id", "created_at", "project_id", "reason", "attempts", "replayed_at")
    list_filter = ("reason", ("replayed_at", admin.EmptyFieldListFilter))
    readonly_fields = (
        "created_at",
        "project_id",
        "reason",
        "detail",
        "payload",
        "attempts",
        "replayed_at",
    )
