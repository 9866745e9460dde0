"""Charts for the dashboard, drawn on the server as inline SVG: no script, no CDN.

Pure functions of their numbers (no Django models), so they are tested without a database.
Every label goes through `escape`: source names and event names come from visitors.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from enrichment.channels import channel_label

WIDTH = 720
PLOT_HEIGHT = 160
LEFT = 48  # room for the y-axis labels
BOTTOM = 24  # room for the date labels
TOP = 8


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 3, 4, 5, 6 or 8 times a power of ten that is >= `value`."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 3, 4, 5, 6, 8, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def _number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def daily_columns(points: Sequence[tuple[date, int]], *, label: str) -> SafeString:
    """A column a day, with a y axis, a date label a week and a tooltip per column."""
    top = nice_ceiling(max((n for _, n in points), default=0))
    width = (WIDTH - LEFT) / max(len(points), 1)
    parts = [
        f'<svg class="atrack-chart" viewBox="0 0 {WIDTH} {TOP + PLOT_HEIGHT + BOTTOM}" '
        f'role="img" aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for fraction in (0, 0.5, 1):
        y = TOP + PLOT_HEIGHT * (1 - fraction)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{_number(top * fraction)}</text>"
        )
    for i, (day, count) in enumerate(points):
        height = PLOT_HEIGHT * count / top
        x = LEFT + i * width
        parts.append(
            f'<rect x="{x + 1:.1f}" y="{TOP + PLOT_HEIGHT - height:.1f}" '
            f'width="{max(width - 2, 1):.1f}" height="{height:.1f}" class="bar">'
            f"<title>{day.isoformat()}: {_number(count)}</title></rect>"
        )
        if (len(points) - 1 - i) % 7 == 0:
            # The newest label ends at the right edge instead of running past it.
            anchor, at = ("end", x + width) if i == len(points) - 1 else ("middle", x + width / 2)
            parts.append(
                f'<text x="{at:.1f}" y="{TOP + PLOT_HEIGHT + 16}" '
                f'text-anchor="{anchor}">{day.strftime("%b %d")}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def horizontal_bars(items: Sequence[tuple[str, int]], *, total: int, label: str) -> SafeString:
    """One bar per item, its count and its share of `total`."""
    row, label_width, bar_room = 22, 170, 330
    top = max((n for _, n in items), default=0) or 1
    height = max(len(items), 1) * row
    parts = [
        f'<svg class="atrack-chart" viewBox="0 0 620 {height}" '
        f'role="img" aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
    ]
    if not items:
        parts.append(f'<text x="0" y="{row - 7}">No data yet</text>')
    for i, (name, count) in enumerate(items):
        y = i * row
        share = 100 * count / total if total else 0.0
        width = bar_room * count / top
        parts.append(
            f'<text x="{label_width - 8}" y="{y + row - 7}" text-anchor="end">'
            f"{escape(_shorten(name or '(none)'))}</text>"
            f'<rect x="{label_width}" y="{y + 3}" width="{width:.1f}" height="{row - 6}" '
            f'class="bar"><title>{escape(name or "(none)")}: {_number(count)}</title></rect>'
            f'<text x="{label_width + width + 6:.1f}" y="{y + row - 7}">'
            f"{_number(count)} ({share:.1f}%)</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def share_bar(part: int, total: int, *, label: str) -> SafeString:
    """One bar split in two: `part` of `total` (the bot share)."""
    share = part / total if total else 0.0
    width = 600
    return mark_safe(
        f'<svg class="atrack-chart" viewBox="0 0 {width} 28" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
        f'<rect x="0" y="4" width="{width}" height="20" class="rest"/>'
        f'<rect x="0" y="4" width="{width * share:.1f}" height="20" class="bar">'
        f"<title>{escape(label)}: {100 * share:.1f}%</title></rect></svg>"
    )


def _shorten(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def channel_items(items: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """Channel counts under GA4's channel names (see docs/enrichment.md), for the bars."""
    return [(channel_label(channel), count) for channel, count in items]
