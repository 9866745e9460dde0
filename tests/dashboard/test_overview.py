"""The project overview: 30 days of sessions and events, top lists, bot share, SVG charts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from atrack.dashboard.overview import facet_values, project_overview, window
from projects.services import CreatedProject
from tests.dashboard.factories import make_event, make_session

NOW = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)


def test_the_window_is_thirty_utc_days_ending_today() -> None:
    days = window(now=NOW)
    assert len(days) == 30
    assert days[-1].isoformat() == "2026-03-31"
    assert days[0].isoformat() == "2026-03-02"


@pytest.fixture
def traffic(project: CreatedProject, other_project: CreatedProject) -> None:
    p = project.project
    google = make_session(p, source="google", channel="paid_search", at=NOW - timedelta(days=1))
    make_session(
        p, source="google", channel="organic_search", country_code="DE", at=NOW - timedelta(days=1)
    )
    bot = make_session(
        p,
        source="direct",
        channel="direct",
        device_class="bot",
        is_bot=True,
        at=NOW - timedelta(days=3),
    )
    make_session(p, source="bing", at=NOW - timedelta(days=45))  # outside the window
    make_session(other_project.project, source="facebook", at=NOW - timedelta(days=1))
    for name in ("page_view", "page_view", "purchase"):
        make_event(google, name, at=NOW - timedelta(days=1))
    make_event(bot, "page_view", at=NOW - timedelta(days=3))
    make_event(bot, "page_view", at=NOW - timedelta(days=40))  # outside the window


def test_the_overview_counts_the_window_of_one_project(
    project: CreatedProject, traffic: None
) -> None:
    data = project_overview(project=project.project, now=NOW)
    per_day = dict(data.sessions_per_day)
    assert data.sessions == 3
    assert data.events == 4
    assert per_day[(NOW - timedelta(days=1)).date()] == 2
    assert dict(data.events_per_day)[(NOW - timedelta(days=3)).date()] == 1
    assert data.top_sources == [("google", 2), ("direct", 1)]
    assert data.top_countries == [("US", 2), ("DE", 1)]
    assert data.top_channels[0] == ("direct", 1)
    assert data.top_device_classes == [("desktop", 2), ("bot", 1)]
    assert data.top_events == [("page_view", 3), ("purchase", 1)]
    assert data.bot_sessions == 1
    assert data.bot_share == pytest.approx(1 / 3)


def test_the_overview_page_shows_numbers_and_svg_charts(
    project: CreatedProject, traffic: None
) -> None:
    client = Client()
    client.force_login(User.objects.create_superuser("root", password="pw"))
    response = client.get(
        reverse("admin:sessions_app_session_overview", args=(project.project.slug,))
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('<svg class="atrack-chart"') == 8
    assert 'data-stat="bot_share">' in html
    assert '<script src="http' not in html


def test_filter_choices_come_from_the_project_values(
    project: CreatedProject, traffic: None
) -> None:
    assert facet_values(project=project.project, field="source") == ["bing", "direct", "google"]
