"""Staff views of the control plane: projects, their keys (prefixes only), members, failed work.

Staff see the projects they are members of; superusers see all. Managers of a project (and
superusers) edit it and create, rotate and revoke its keys; a new key is shown once, in the
response to the POST that made it, and is stored nowhere (not even in a message cookie).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from atrack.dashboard.base import admin_page
from projects import keys
from projects.models import ApiKey, Membership, Project
from projects.services import key_create, key_revoke, key_rotate

MAX_GRACE_HOURS = 24 * 30

admin.site.site_header = "A-TRACK"
admin.site.site_title = "A-TRACK staff"
admin.site.index_title = "Dashboard"


def _sees_any_project(request: HttpRequest) -> bool:
    return Membership.visible_projects(request.user).exists()


class ApiKeyInline(admin.TabularInline):
    model = ApiKey
    extra = 0
    fields = ("prefix", "kind", "created_at", "expires_at", "revoked_at", "last_used_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _sees_any_project(request)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("user",)


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = (
        "slug",
        "name",
        "database_alias",
        "dashboard",
        "public_reads",
        "anonymize_ip",
        "hosting_is_bot",
        "created_at",
    )
    search_fields = ("slug", "name")
    inlines = [ApiKeyInline, MembershipInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Project]:
        return Membership.visible_projects(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return super().has_module_permission(request) or _sees_any_project(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        visible = Membership.visible_projects(request.user)
        return visible.filter(pk=obj.pk).exists() if obj is not None else visible.exists()

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if super().has_change_permission(request, obj):
            return True
        return obj is not None and Membership.can_manage(request.user, obj)

    @admin.display(description="dashboard")
    def dashboard(self, project: Project) -> str:
        links = [
            ("Overview", reverse("admin:sessions_app_session_overview", args=(project.slug,))),
            ("Sessions", reverse("admin:sessions_app_session_project", args=(project.slug,))),
            ("Events", reverse("admin:events_event_project", args=(project.slug,))),
            ("Keys", reverse("admin:projects_project_keys", args=(project.pk,))),
        ]
        return format_html(
            " · ".join(['<a href="{}">{}</a>'] * len(links)),
            *(part for label, url in links for part in (url, label)),
        )

    def get_urls(self) -> list[Any]:
        keys_view = self.admin_site.admin_view(self.keys_view)
        return [
            path("<int:object_id>/keys/", keys_view, name="projects_project_keys"),
            *super().get_urls(),
        ]

    def keys_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """List the project's keys by prefix; create, rotate (with grace) and revoke them."""
        project = get_object_or_404(self.get_queryset(request), pk=object_id)
        can_manage = Membership.can_manage(request.user, project)
        new_key = None
        if request.method == "POST":
            if not can_manage:
                raise PermissionDenied
            form = KeyActionForm(request.POST)
            if form.is_valid():
                result = apply_key_action(request, project=project, data=form.cleaned_data)
                if isinstance(result, HttpResponse):
                    return result
                new_key = result
            else:
                messages.error(request, f"Nothing done: {form.errors.as_text()}")
        return admin_page(
            self,
            request,
            "admin/projects/keys.html",
            title=f"Keys: {project.name}",
            project=project,
            tab="keys",
            can_manage=can_manage,
            new_key=new_key,
            keys=key_rows(project),
            max_grace_hours=MAX_GRACE_HOURS,
        )


class KeyActionForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in ("create", "rotate", "revoke")])
    kind = forms.ChoiceField(choices=ApiKey.KIND_CHOICES, required=False)
    grace_hours = forms.IntegerField(min_value=0, max_value=MAX_GRACE_HOURS, required=False)
    key_prefix = forms.CharField(max_length=32, required=False)


def apply_key_action(
    request: HttpRequest, *, project: Project, data: dict[str, Any]
) -> str | HttpResponse:
    """Run one key action; a new raw key to show once, or a redirect after a revoke."""
    action, kind = data["action"], data["kind"] or keys.SECRET
    if action == "revoke":
        api_key = ApiKey.objects.filter(project=project, prefix=data["key_prefix"]).first()
        if api_key is None:
            raise Http404("No such key in this project.")
        key_revoke(prefix=api_key.prefix)
        messages.success(request, f"Key {api_key.prefix}… revoked.")
        return HttpResponseRedirect(request.path)
    if action == "rotate":
        grace = timedelta(hours=data["grace_hours"] or 0)
        _, raw = key_rotate(project=project, kind=kind, grace=grace)
        until = timezone.now() + grace
        messages.success(
            request, f"New {kind} key issued; the old ones work until {until:%Y-%m-%d %H:%M} UTC."
        )
        return raw
    _, raw = key_create(project=project, kind=kind)
    messages.success(request, f"New {kind} key created.")
    return raw


def key_rows(project: Project) -> list[tuple[ApiKey, str]]:
    """The project's keys with a status people read: active, expires …, expired, revoked."""
    now = timezone.now()
    rows = []
    for api_key in ApiKey.objects.filter(project=project).order_by("kind", "-created_at"):
        if api_key.revoked_at is not None:
            status = "revoked"
        elif api_key.expires_at is not None and api_key.expires_at <= now:
            status = "expired"
        elif api_key.expires_at is not None:
            status = f"active until {api_key.expires_at:%Y-%m-%d %H:%M} UTC"
        else:
            status = "active"
        rows.append((api_key, status))
    return rows


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "project", "role", "created_at")
    list_filter = ("role", "project")
    search_fields = ("user__username", "user__email", "project__slug")
    autocomplete_fields = ("user", "project")
