"""The API's timestamp format and parser (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from atrack.times import iso, parse_time


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-04-12T02:10:00Z", "2026-04-12T02:10:00.000000Z"),
        ("2026-04-12T04:10:00+02:00", "2026-04-12T02:10:00.000000Z"),
        ("2026-04-12T02:10:00", "2026-04-12T02:10:00.000000Z"),
        ("2026-04-12T02:10:00.123456Z", "2026-04-12T02:10:00.123456Z"),
        ("2016-12-31T23:59:60Z", "2016-12-31T23:59:59.000000Z"),
        ("0001-01-01T00:00:00+01:00", "0001-01-01T00:00:00.000000Z"),
        ("9999-12-31T23:59:59-05:00", "9999-12-31T23:59:59.999999Z"),
    ],
)
def test_times_are_parsed_to_utc_and_printed_with_microseconds_and_z(
    text: str, expected: str
) -> None:
    assert iso(parse_time(text)) == expected


@pytest.mark.parametrize("text", ["yesterday", "", "2026-13-01T00:00:00Z", "12:00"])
def test_garbage_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError, match=r"."):
        parse_time(text)


def test_iso_of_a_naive_utc_value() -> None:
    assert iso(datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)) == "2026-01-02T03:04:05.000006Z"


def test_iso_converts_other_offsets_and_pads_early_years() -> None:
    plus_two = timezone(timedelta(hours=2))
    assert iso(datetime(2026, 4, 12, 4, 10, 0, 7, tzinfo=plus_two)) == "2026-04-12T02:10:00.000007Z"
    assert iso(datetime(5, 1, 1, tzinfo=UTC)) == "0005-01-01T00:00:00.000000Z"
