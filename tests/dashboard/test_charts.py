"""Server-side SVG charts: pure functions, no database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from atrack.dashboard.charts import (
    channel_items,
    daily_columns,
    horizontal_bars,
    nice_ceiling,
    share_bar,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, 1),
        (1, 1),
        (3, 3),
        (7, 8),
        (9, 10),
        (10, 10),
        (11, 20),
        (290, 300),
        (420, 500),
        (999, 1000),
        (1001, 2000),
    ],
)
def test_nice_ceiling_rounds_up_to_a_round_number(value: int, expected: int) -> None:
    assert nice_ceiling(value) == expected


def test_daily_columns_draw_a_column_a_day_with_tooltips() -> None:
    start = date(2026, 3, 1)
    points = [(start + timedelta(days=i), i * 10) for i in range(30)]
    svg = daily_columns(points, label="Sessions per day")
    assert svg.startswith("<svg")
    assert svg.count("<rect") == 30
    assert "<title>2026-03-30: 290</title>" in svg
    assert ">300</text>" in svg  # the y axis tops at a round number


def test_horizontal_bars_escape_visitor_supplied_labels() -> None:
    svg = horizontal_bars([("<script>x</script>", 3), ("google", 1)], total=4, label="Top sources")
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "3 (75.0%)" in svg


def test_empty_charts_say_so() -> None:
    assert "No data yet" in horizontal_bars([], total=0, label="Top events")
    assert 'width="0.0"' in share_bar(0, 0, label="Bot share")


def test_channel_bars_use_ga4_channel_names() -> None:
    items = channel_items([("organic_search", 3), ("ai_assistant", 2), ("", 1)])
    assert items == [("Organic Search", 3), ("AI Assistants", 2), ("(none)", 1)]
    svg = horizontal_bars(items, total=6, label="Top channels")
    assert "Organic Search" in svg
