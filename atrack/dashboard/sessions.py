"""Staff pages for sessions: the per-project list, the session page and the overview."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.utils.html import format_html

from atrack.dashboard import charts
from atrack.dashboard.base import FacetFilter, ProjectScopedAdmin, admin_page, pretty_json
from atrack.dashboard.overview import cached_overview
from projects.models import Project
from projects.routing import alias_for
from sessions_app.models import Session
from sessions_app.selectors import session_attributes

TIMELINE_LIMIT = 500


class SourceFilter(FacetFilter):
    title, parameter_name, field = "source", "source", "source"


class ChannelFilter(FacetFilter):
    title, parameter_name, field = "channel", "channel", "channel"


class CountryFilter(FacetFilter):
    title, parameter_name, field = "country", "country", "country_code"


class DeviceClassFilter(FacetFilter):
    title, parameter_name, field = "device class", "device", "device_class"


def _get(data: Any, *keys: str) -> Any:
    """data[k1][k2]…, or None as soon as a level is missing or not a mapping."""
    for key in keys:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)
    return data


def _joined(*parts: Any) -> str:
    return " ".join(str(p) for p in parts if p not in (None, ""))


def geo_rows(session: Session) -> list[tuple[str, Any]]:
    """Country, region, city, ISP, ASN and the VPN/proxy flags, for people."""
    ip = session.ip_data if isinstance(session.ip_data, Mapping) else {}
    city = _get(ip, "city") or {}
    subdivisions = _get(city, "subdivisions") or [{}]
    country = _get(city, "country", "names", "en")
    isp = _get(ip, "isp", "isp")
    if isp and _get(ip, "isp", "source") == "asn":
        isp = f"{isp} (from the ASN)"
    anonymous = _get(ip, "anonymous")
    if isinstance(anonymous, Mapping):
        flags = [name.removeprefix("is_").replace("_", " ") for name, on in anonymous.items() if on]
        vpn = ", ".join(flags) or "none"
    else:
        vpn = "not checked (no Anonymous-IP database)"
    asn = _get(ip, "asn")
    number = _get(asn, "number")
    return [
        ("IP address", session.ip_address),
        ("Country", _joined(country, f"({session.country_code})" if session.country_code else "")),
        ("Region", _get(subdivisions[0] if subdivisions else {}, "names", "en")),
        ("City", _get(city, "city", "names", "en")),
        ("Time zone", _get(city, "location", "time_zone")),
        ("ISP", isp),
        ("ASN", _joined(f"AS{number}" if number else "", _get(asn, "organization"))),
        ("VPN / proxy flags", vpn),
    ]  # fmt: skip


def device_rows(session: Session) -> list[tuple[str, Any]]:
    device = session.device_data if isinstance(session.device_data, Mapping) else {}
    bot = _get(device, "bot")
    return [
        ("Device class", session.device_class or _get(device, "device_class")),
        ("Browser", _joined(_get(device, "client", "name"), _get(device, "client", "version"))),
        ("Client type", _get(device, "client", "type")),
        ("Operating system", _joined(_get(device, "os", "name"), _get(device, "os", "version"))),
        ("Brand and model", _joined(_get(device, "brand"), _get(device, "model"))),
        ("Bot", _joined(_get(bot, "name"), f"({_get(bot, 'category')})") if bot else "no"),
    ]


def first_touch_rows(session: Session) -> list[tuple[str, Any]]:
    touch = session.first_touch if isinstance(session.first_touch, Mapping) else {}
    seen = touch.get("seen_at_ms")
    seen_at = datetime.fromtimestamp(seen / 1000, UTC) if isinstance(seen, int | float) else None
    return [
        ("Source", touch.get("source")),
        ("Medium", touch.get("medium")),
        ("Channel", touch.get("channel")),
        ("Landing URL", touch.get("landing_url")),
        ("Referer", touch.get("referer")),
        ("Seen at", seen_at),
    ]


# The session page shows at most this much of each value and this many attributes; the
# rest is one click away (`whole_value_view`), so a huge value cannot make a huge page.
VALUE_SHOWN = 4_000
ATTRIBUTES_SHOWN = 200
WHOLE_FIELDS = (
    "user_attributes", "client_attributes", "custom_data", "query_params", "url_data",
    "ip_data", "device_data", "first_context", "last_context",
)  # fmt: skip


def shown(text: str, limit: int = VALUE_SHOWN) -> tuple[str, bool]:
    """`text` cut to `limit` characters, and whether it was cut."""
    return (text[:limit] + "…", True) if len(text) > limit else (text, False)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def attribute_pairs(attributes: Any) -> list[tuple[str, str]]:
    """An event's attributes as (key, value) for a compact timeline; nested values as JSON."""
    if not isinstance(attributes, Mapping):
        return [("", pretty_json(attributes))]
    return [(str(key), shown(_text(value), 500)[0]) for key, value in list(attributes.items())[:50]]


def elapsed(delta: timedelta) -> str:
    """+m:ss (or +h:mm:ss) since the session started; "-" before it (a late first init)."""
    seconds = int(delta.total_seconds())
    sign, seconds = ("+", seconds) if seconds >= 0 else ("-", -seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return (
        f"{sign}{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{sign}{minutes}:{seconds:02d}"
    )


def landing_url(session: Session) -> str:
    touch = session.first_touch if isinstance(session.first_touch, Mapping) else {}
    url = touch.get("landing_url") or _get(session.url_data, "href")
    return str(url or "")


@admin.register(Session)
class SessionAdmin(ProjectScopedAdmin):
    list_display = (
        "short_uuid", "first_seen", "source", "channel", "country", "device", "landing_path", "bot",
        "ip_address",
    )  # fmt: skip
    list_display_links = ("short_uuid",)
    list_filter = (
        SourceFilter, ChannelFilter, CountryFilter, DeviceClassFilter,
        ("is_bot", admin.BooleanFieldListFilter),
        ("created_at", admin.DateFieldListFilter),
    )  # fmt: skip
    search_fields = ("uuid",)  # shows the search box; the search itself is our own
    ordering = ("-created_at", "-id")
    sortable_by = ("first_seen",)  # the (project_id, created_at) index; other sorts are slow
    # The list shows no JSON it does not need: url_data and device_data are small.
    list_only = (
        "id", "project_id", "uuid", "created_at", "source", "channel", "country_code",
        "device_class", "device_data", "url_data", "is_bot", "ip_address",
    )  # fmt: skip

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).only(*self.list_only)

    @admin.display(description="session")
    def short_uuid(self, session: Session) -> str:
        return format_html('<span title="{}">{}…</span>', session.uuid, str(session.uuid)[:8])

    @admin.display(description="first seen", ordering="created_at")
    def first_seen(self, session: Session) -> datetime:
        return session.created_at

    @admin.display(description="country")
    def country(self, session: Session) -> str:
        return session.country_code

    @admin.display(description="bot", boolean=True)
    def bot(self, session: Session) -> bool:
        return session.is_bot

    @admin.display(description="device")
    def device(self, session: Session) -> str:
        data = session.device_data if isinstance(session.device_data, Mapping) else {}
        parts = (session.device_class, _get(data, "client", "name"), _get(data, "os", "name"))
        return " · ".join(str(part) for part in parts if part)

    @admin.display(description="landing page")
    def landing_path(self, session: Session) -> str:
        path_ = _get(session.url_data, "path") or ""
        return str(path_)[:60]

    def get_urls(self) -> list[Any]:
        overview = self.project_view(self.overview_view)
        whole = self.project_view(self.whole_value_view)
        return [
            path("<slug:project>/overview/", overview, name=self.url_name("overview")),
            path("<slug:project>/<int:pk>/whole/<str:name>/", whole, name=self.url_name("whole")),
            *super().get_urls(),
        ]

    def whole_value_view(
        self, request: HttpRequest, project: Project, pk: int, name: str
    ) -> HttpResponse:
        """One stored value of the session, whole, as JSON (the page shows a cut)."""
        session = self.object_or_404(request, pk)
        if name == "attributes":
            value: Any = session_attributes(project=project, session=session)
        elif name in WHOLE_FIELDS:
            value = getattr(session, name)
        else:
            raise Http404("No such value.")
        return JsonResponse(value, safe=False, json_dumps_params={"indent": 2})

    def detail_view(self, request: HttpRequest, project: Project, pk: int) -> HttpResponse:
        session = self.object_or_404(request, pk)
        db = alias_for(project)
        events = list(session.events.using(db).order_by("occurred_at", "id")[:TIMELINE_LIMIT])
        attributes = session_attributes(project=project, session=session)
        return admin_page(
            self,
            request,
            "admin/sessions_app/session_detail.html",
            title=f"Session {session.uuid}",
            project=project,
            tab="sessions",
            session=session,
            landing_url=landing_url(session),
            first_touch_rows=first_touch_rows(session),
            geo_rows=geo_rows(session),
            device_rows=device_rows(session),
            attributes=[
                (key, *shown(pretty_json(value)))
                for key, value in list(attributes.items())[:ATTRIBUTES_SHOWN]
            ],
            attributes_hidden=max(0, len(attributes) - ATTRIBUTES_SHOWN),
            event_count=session.events.using(db).count(),
            events=[
                (e, attribute_pairs(e.attributes), elapsed(e.occurred_at - session.created_at))
                for e in events
            ],
            timeline_limit=TIMELINE_LIMIT,
            json_blocks=[
                (name, *shown(pretty_json(getattr(session, name)))) for name in WHOLE_FIELDS
            ],
        )

    def overview_view(self, request: HttpRequest, project: Project) -> HttpResponse:
        data = cached_overview(project=project)
        tops = [
            ("Top sources", data.top_sources, data.sessions),
            ("Top channels", charts.channel_items(data.top_channels), data.sessions),
            ("Top countries", data.top_countries, data.sessions),
            ("Device classes", data.top_device_classes, data.sessions),
            ("Top events", data.top_events, data.events),
        ]
        return admin_page(
            self,
            request,
            "admin/sessions_app/overview.html",
            title=f"Overview: {project.name}",
            project=project,
            tab="overview",
            overview=data,
            bot_percent=f"{100 * data.bot_share:.1f}%",
            sessions_chart=charts.daily_columns(data.sessions_per_day, label="Sessions per day"),
            events_chart=charts.daily_columns(data.events_per_day, label="Events per day"),
            bot_chart=charts.share_bar(data.bot_sessions, data.sessions, label="Bot share"),
            tops=[
                (title, charts.horizontal_bars(items, total=total, label=title))
                for title, items, total in tops
            ],
        )
