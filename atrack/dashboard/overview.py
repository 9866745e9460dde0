"""Reads for the project overview page: 30 days of sessions and events, and the top lists.

Every query starts from the project's scoping point (`for_project`), so it runs on the
project's alias and sees only its rows. Days are UTC days (TIME_ZONE is UTC).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Model, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from events.models import Event
from projects.models import Project
from sessions_app.models import Session

DAYS = 30
TOP = 10
FACET_SECONDS = 600
OVERVIEW_SECONDS = 60


@dataclass(frozen=True)
class Overview:
    since: datetime
    sessions_per_day: list[tuple[date, int]]
    events_per_day: list[tuple[date, int]]
    top_sources: list[tuple[str, int]]
    top_channels: list[tuple[str, int]]
    top_countries: list[tuple[str, int]]
    top_device_classes: list[tuple[str, int]]
    top_events: list[tuple[str, int]]
    bot_sessions: int

    @property
    def sessions(self) -> int:
        return sum(n for _, n in self.sessions_per_day)

    @property
    def events(self) -> int:
        return sum(n for _, n in self.events_per_day)

    @property
    def bot_share(self) -> float:
        return self.bot_sessions / self.sessions if self.sessions else 0.0


def window(*, now: datetime | None = None, days: int = DAYS) -> list[date]:
    """The last `days` UTC days, today included, oldest first."""
    today = (now or timezone.now()).astimezone(UTC).date()
    return [today - timedelta(days=ago) for ago in range(days - 1, -1, -1)]


def _top(rows: QuerySet, field: str, limit: int = TOP) -> list[tuple[str, int]]:
    counted = rows.values(field).annotate(n=Count("pk")).order_by("-n", field)[:limit]
    return [(row[field], row["n"]) for row in counted]


def _ranked(counter: Counter[Any], limit: int = TOP) -> list[tuple[Any, int]]:
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:limit]


def _grouped(rows: QuerySet, field: str, *keys: str) -> dict[str, Counter[Any]]:
    """One GROUP BY (day of `field`, *keys) pass, summed per day and per key in Python.

    One scan of the window instead of one per chart: on a project with a million events
    the scans, not the few thousand groups, are what costs.
    """
    counted = (
        rows.annotate(day=TruncDate(field)).values("day", *keys).annotate(n=Count("pk")).order_by()
    )
    totals: dict[str, Counter[Any]] = {key: Counter() for key in ("day", *keys)}
    for row in counted:
        for key, counter in totals.items():
            counter[row[key]] += row["n"]
    return totals


def project_overview(*, project: Project, now: datetime | None = None) -> Overview:
    """Sessions and events per day over the last 30 days and what they were made of."""
    days = window(now=now)
    since = datetime.combine(days[0], time.min, tzinfo=UTC)
    sessions = _grouped(
        Session.objects.for_project(project).filter(created_at__gte=since),
        "created_at", "source", "channel", "country_code", "device_class", "is_bot",
    )  # fmt: skip
    events = _grouped(
        Event.objects.for_project(project).filter(occurred_at__gte=since), "occurred_at", "name"
    )
    return Overview(
        since=since,
        sessions_per_day=[(day, sessions["day"][day]) for day in days],
        events_per_day=[(day, events["day"][day]) for day in days],
        top_sources=_ranked(sessions["source"]),
        top_channels=_ranked(sessions["channel"]),
        top_countries=_ranked(sessions["country_code"]),
        top_device_classes=_ranked(sessions["device_class"]),
        top_events=_ranked(events["name"]),
        bot_sessions=sessions["is_bot"][True],
    )


def cached_overview(*, project: Project) -> Overview:
    """`project_overview`, computed at most once a minute per project."""
    key = f"atrack:overview:{project.pk}:{project.created_at.timestamp()}"
    found: Overview | None = cache.get(key)
    if found is None:
        found = project_overview(project=project)
        cache.set(key, found, OVERVIEW_SECONDS)
    return found


def facet_values(*, project: Project, field: str, model: type[Model] = Session) -> list[str]:
    """The values of `field` most used in the project's rows of `model`, for list filters.

    Cached for a few minutes: a GROUP BY over a big project on every list page load is
    what the dashboard must not do. The key carries the project's creation time, so a
    project id reused after a delete never sees the old project's values.
    """
    key = f"atrack:facet:{project.pk}:{project.created_at.timestamp()}:{model.__name__}:{field}"
    values: list[str] | None = cache.get(key)
    if values is None:
        rows = model._default_manager.for_project(project).exclude(**{field: ""})  # type: ignore[attr-defined]
        values = sorted(value for value, _ in _top(rows, field, limit=30))
        cache.set(key, values, FACET_SECONDS)
    return values
