"""Staff pages for events and parked failed work: per-project lists and detail pages."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from atrack.dashboard.base import FacetFilter, ProjectScopedAdmin, admin_page, pretty_json
from atrack.ids import UUID_RE
from events.failed import failed_work_replay
from events.models import Event, FailedWork
from projects.models import Membership, Project
from projects.routing import alias_for


class NameFilter(FacetFilter):
    title, parameter_name, field, model = "event", "name", "name", Event


@admin.register(Event)
class EventAdmin(ProjectScopedAdmin):
    list_display = ("name", "occurred_at", "session_link", "summary", "ip_address")
    list_display_links = ("name",)
    list_filter = (NameFilter, ("occurred_at", admin.DateFieldListFilter))
    search_fields = ("uuid",)
    # Newest first by id: the (project_id, id) walk needs no sort of the project's
    # events; `occurred_at` order is used once an event name narrows the list
    # (the `event_name_time` index).
    ordering = ("-id",)
    session_field = "session_id"
    sortable_by = ()  # a sort over a million events per click is what this page avoids

    def get_ordering(self, request: HttpRequest) -> tuple[str, ...]:
        if request.GET.get(NameFilter.parameter_name):
            return ("-occurred_at", "-id")
        return self.ordering

    @admin.display(description="session")
    def session_link(self, event: Event) -> str:
        return str(event.uuid)

    @admin.display(description="attributes")
    def summary(self, event: Event) -> str:
        attributes = event.attributes if isinstance(event.attributes, dict) else {}
        text = ", ".join(f"{k}={v}" for k, v in list(attributes.items())[:4])
        return text[:90] + ("…" if len(text) > 90 else "")

    def detail_view(self, request: HttpRequest, project: Project, pk: int) -> HttpResponse:
        event = self.object_or_404(request, pk)
        return admin_page(
            self,
            request,
            "admin/events/event_detail.html",
            title=f"Event {event.name} #{event.pk}",
            project=project,
            tab="events",
            event=event,
            attributes=pretty_json(event.attributes),
            session_url=reverse(
                "admin:sessions_app_session_detail", args=(project.slug, event.session_id)
            ),
        )


@admin.register(FailedWork)
class FailedWorkAdmin(ProjectScopedAdmin):
    """Parked work of one project, read from its alias; managers replay it."""

    list_display = ("created_at", "reason", "uuid", "items", "attempts", "replayed_at")
    list_display_links = ("created_at",)
    list_filter = ("reason", ("replayed_at", admin.EmptyFieldListFilter))
    search_fields = ("uuid",)
    ordering = ("-created_at",)
    search_help_text = "A session UUID."

    @admin.display(description="items")
    def items(self, work: FailedWork) -> int:
        return len(work.payload) if isinstance(work.payload, list) else 0

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        term = search_term.strip().lower()
        if not term:
            return queryset, False
        return (queryset.filter(uuid=term) if UUID_RE.match(term) else queryset.none()), False

    def get_urls(self) -> list[Any]:
        replay = self.project_view(require_POST(self.replay_view))
        return [
            path("<slug:project>/<int:pk>/replay/", replay, name=self.url_name("replay")),
            *super().get_urls(),
        ]

    def detail_view(self, request: HttpRequest, project: Project, pk: int) -> HttpResponse:
        work = self.object_or_404(request, pk)
        return admin_page(
            self,
            request,
            "admin/events/failedwork_detail.html",
            title=f"Failed work #{work.pk}: {work.get_reason_display()}",
            project=project,
            tab="failed work",
            work=work,
            payload=pretty_json(work.payload),
            can_replay=Membership.can_manage(request.user, project) and not work.replayed_at,
        )

    def replay_view(self, request: HttpRequest, project: Project, pk: int) -> HttpResponse:
        if not Membership.can_manage(request.user, project):
            raise PermissionDenied("Only the project's managers replay its failed work.")
        work = self.object_or_404(request, pk)
        error = failed_work_replay(alias=alias_for(project), work=work)
        if error is None:
            messages.success(request, f"Failed work #{work.pk} stored.")
        else:
            messages.warning(request, f"Failed work #{work.pk} failed again: {error}")
        return HttpResponseRedirect(self.detail_url(project, work.pk))
