"""Staff pages for events: the per-project list and the event page."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse

from events.models import Event
from sessions_app.admin_views import ProjectScopedAdmin, pretty_json, request_project
from sessions_app.overview import facet_values


class NameFilter(admin.SimpleListFilter):
    title, parameter_name = "event", "name"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        project = request_project(request)
        if project is None:
            return []
        return [(v, v) for v in facet_values(project=project, field="name", model=Event)]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        return queryset.filter(name=value) if value else queryset


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

    def detail_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        project = request_project(request)
        assert project is not None
        event = self.object_or_404(request, pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Event {event.name} #{event.pk}",
            "opts": self.opts,
            "project": project,
            "tab": "events",
            "event": event,
            "attributes": pretty_json(event.attributes),
            "session_url": reverse(
                "admin:sessions_app_session_detail", args=(project.slug, event.session_id)
            ),
        }
        return TemplateResponse(request, "admin/events/event_detail.html", context)
