"""The per-project part of the staff admin: one scoping point for every data-plane page.

Sessions and events live in their project's database alias, so their admin pages carry
the project in the URL (`/admin/sessions_app/session/<slug>/…`). `project_view` resolves
it among the projects the user may see (404 otherwise) and puts it on the request; the
admins' `get_queryset` starts from `for_project(project)` and is empty without one. No
changelist ever queries across projects or across aliases.
"""

from __future__ import annotations

import ipaddress
import json
import uuid
from collections.abc import Callable
from functools import cached_property, wraps
from typing import Any, cast

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Paginator
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from atrack.dashboard.overview import facet_values
from projects.models import Membership, Project
from sessions_app.models import Attribute, Session

_PROJECT_ATTR = "atrack_project"
COUNT_CAP = 10_000


def request_project(request: HttpRequest) -> Project | None:
    """The project a dashboard request was opened for (None outside `project_view`)."""
    return getattr(request, _PROJECT_ATTR, None)


def visible_project(request: HttpRequest, slug: str) -> Project:
    """The project `slug` if the user may see it; 404 for unknown and forbidden alike."""
    return get_object_or_404(Membership.visible_projects(request.user), slug=slug)


def admin_page(
    model_admin: admin.ModelAdmin, request: HttpRequest, template: str, **context: Any
) -> TemplateResponse:
    """`template` with the admin site's context and the model admin's options."""
    base = {**model_admin.admin_site.each_context(request), "opts": model_admin.opts}
    return TemplateResponse(request, template, {**base, **context})


def pretty_json(value: Any) -> str:
    """JSON for people: indented, keys sorted, non-ASCII kept."""
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP + 1 rows: a list page never runs a full COUNT(*)."""

    cap = COUNT_CAP

    @cached_property
    def _found(self) -> int:
        # No ORDER BY: the database may stop at the first cap + 1 rows it finds.
        rows = cast(QuerySet, self.object_list)
        return int(rows.order_by()[: self.cap + 1].count())

    @cached_property
    def count(self) -> int:
        return min(self._found, self.cap)

    @property
    def is_capped(self) -> bool:
        """More rows match than were counted: the page says "more than COUNT_CAP"."""
        return self._found > self.cap


class FacetFilter(admin.SimpleListFilter):
    """Choices from the values the project actually has (cached), not a DISTINCT per load."""

    field = ""
    model: type[Model] = Session

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        project = request_project(request)
        if project is None:
            return []
        return [(v, v) for v in facet_values(project=project, field=self.field, model=self.model)]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        return queryset.filter(**{self.field: value}) if value else queryset


class ProjectChangeList(ChangeList):
    """Links each row to its page under the same project."""

    project: Project

    def url_for_result(self, result: Model) -> str:
        return self.model_admin.detail_url(self.project, result.pk)  # type: ignore[attr-defined]


def search_sessions(
    queryset: QuerySet, term: str, *, uuid_field: str, session_field: str
) -> QuerySet:
    """A session UUID, an IP address, or an attribute value (`value` or `key=value`)."""
    term = term.strip()
    if not term:
        return queryset
    try:
        return queryset.filter(**{uuid_field: uuid.UUID(term)})
    except ValueError:
        pass
    try:
        return queryset.filter(ip_address=str(ipaddress.ip_address(term)))
    except ValueError:
        pass
    attributes = Attribute.objects.using(queryset.db).filter(_attribute_match(term))
    return queryset.filter(**{f"{session_field}__in": attributes.values("session_id")})


def _attribute_match(term: str) -> Q:
    key, sep, value = term.partition("=")
    if not sep or not key.strip():
        key, value = "", term
    # "3" matches the number 3 and the string "3"; "true" the boolean and the string.
    candidates: list[Any] = [value.strip()]
    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = None
    if isinstance(parsed, bool | int | float) and parsed not in candidates:
        candidates.append(parsed)
    match = Q()
    for candidate in candidates:
        match |= Q(value=candidate)
    return match & Q(key=key.strip()) if key else match


class ProjectScopedAdmin(admin.ModelAdmin):
    """Read-only admin of a data-plane model, browsed one project at a time."""

    change_list_template = "admin/sessions_app/project_change_list.html"
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = CappedPaginator
    list_per_page = 50
    actions = None
    uuid_field = "uuid"
    session_field = "id"
    search_help_text = "A session UUID, an IP address, or an attribute value (value or key=value)."

    # The project is in every URL; a page outside `project_view` shows nothing.
    def get_queryset(self, request: HttpRequest) -> QuerySet:
        project = request_project(request)
        if project is None:
            return self.model._default_manager.none()
        return self.model._default_manager.for_project(project)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return Membership.visible_projects(request.user).exists()

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        found = search_sessions(
            queryset, search_term, uuid_field=self.uuid_field, session_field=self.session_field
        )
        return found, False

    def get_changelist_instance(self, request: HttpRequest) -> ChangeList:
        changelist = super().get_changelist_instance(request)
        changelist.project = request_project(request)  # type: ignore[attr-defined]
        return changelist

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return ProjectChangeList

    def url_name(self, view: str) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_{view}"

    def detail_url(self, project: Project, pk: int) -> str:
        return reverse(f"admin:{self.url_name('detail')}", args=(project.slug, pk))

    def project_view(self, view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        """`view` behind the admin login, called with the URL's project, checked (and on the
        request, for `get_queryset`)."""

        @wraps(view)
        def scoped(request: HttpRequest, project: str, **kwargs: Any) -> HttpResponse:
            found = visible_project(request, project)
            setattr(request, _PROJECT_ATTR, found)
            return view(request, found, **kwargs)

        return self.admin_site.admin_view(scoped)

    def project_changelist(self, request: HttpRequest, project: Project) -> HttpResponse:
        context = {"title": f"{str(self.opts.verbose_name_plural).capitalize()}: {project.name}"}
        return self.changelist_view(request, extra_context={**context, "project": project})

    def choose_project(self, request: HttpRequest) -> HttpResponse:
        return project_chooser(self.admin_site, request)

    def detail_view(self, request: HttpRequest, project: Project, pk: int) -> HttpResponse:
        raise NotImplementedError

    def get_urls(self) -> list[Any]:
        # Replaces the stock add/change/delete/history URLs: these admins are read-only
        # and every object URL names its project.
        chooser = self.admin_site.admin_view(self.choose_project)
        changelist = self.project_view(self.project_changelist)
        detail = self.project_view(self.detail_view)
        return [
            path("", chooser, name=self.url_name("changelist")),
            path("<slug:project>/", changelist, name=self.url_name("project")),
            path("<slug:project>/<int:pk>/", detail, name=self.url_name("detail")),
        ]

    def object_or_404(self, request: HttpRequest, pk: int) -> Any:
        # defer(None): the whole row, whatever columns the list page limits itself to.
        found = self.get_queryset(request).defer(None).filter(pk=pk).first()
        if found is None:
            raise Http404("No such object in this project.")
        return found


def project_chooser(site: admin.AdminSite, request: HttpRequest) -> HttpResponse:
    """The first step of browsing: the projects this user may open."""
    context = {
        **site.each_context(request),
        "title": "Choose a project",
        "projects": Membership.visible_projects(request.user).order_by("name"),
    }
    return TemplateResponse(request, "admin/sessions_app/choose_project.html", context)
