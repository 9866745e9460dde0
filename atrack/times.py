"""The API's one timestamp format and its parser."""

from __future__ import annotations

from datetime import UTC, datetime


def iso(moment: datetime) -> str:
    """UTC, microseconds, Z: 2026-04-12T01:52:35.000000Z."""
    if moment.tzinfo is not UTC:  # naive means local time, as astimezone() reads it
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="microseconds")[:26] + "Z"


def parse_time(value: str) -> datetime:
    """An ISO 8601 string as an aware UTC datetime (naive means UTC); ValueError if not."""
    text = value.strip()
    # RFC 3339 allows a leap second (":60"); Python's datetime does not.
    if len(text) > 19 and text[16:19] == ":60":
        text = text[:16] + ":59" + text[19:]
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # an offset that pushes past year 1 or 9999: clamp
        edge = datetime.min if moment.year == 1 else datetime.max
        return edge.replace(tzinfo=UTC)
