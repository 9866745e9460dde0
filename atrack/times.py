"""The API's one timestamp format and its parser."""

from __future__ import annotations

from datetime import UTC, datetime


def iso(moment: datetime) -> str:
    """UTC, microseconds, Z: 2026-04-12T01:52:35.000000Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(value: str) -> datetime:
    """An ISO 8601 string as an aware UTC datetime (naive means UTC); ValueError if not."""
    moment = datetime.fromisoformat(value.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
