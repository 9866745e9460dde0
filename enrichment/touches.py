"""First touch, last touch and accumulated click ids of a session.

The merge is a pure function of two stored states (a new touch is the state of a session
that saw it alone), so an init folded into a session and two sessions joined (the project
mover) follow one rule. Replaying the same init gives the same state (idempotent) and the
order in which inits are processed does not change the result: the first touch is the
earliest by `seen_at_ms`, the last touch the latest non-direct one (a direct visit only
counts when nothing else was seen, as in GA), and click ids keep per-id timestamps in
`touch_state`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from enrichment._text import as_mapping
from enrichment.urls import build_fbc

DIRECT = "direct"
_ATTRIBUTION_KEYS = ("source", "medium", "channel", "utm_data", "referer")


@dataclass(frozen=True)
class TouchPoint:
    """One processed init, already classified."""

    source: str
    medium: str | None
    channel: str
    utm_data: Mapping[str, str] = field(default_factory=dict)
    click_ids: Mapping[str, str] = field(default_factory=dict)
    referer: str | None = None
    landing_url: str | None = None
    source_url: str | None = None
    seen_at_ms: int = 0
    term: str | None = None


@dataclass(frozen=True)
class TouchMerge:
    """The session's attribution after a touch."""

    first_touch: dict[str, Any]
    source: str
    medium: str | None
    channel: str
    utm_data: dict[str, Any]
    click_ids: dict[str, str]
    referer: str | None
    touch_state: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        """The fields as stored on the session."""
        return dict(self.__dict__)


def _ms(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _ms_or(value: object, default: int) -> int:
    found = _ms(value)
    return default if found is None else found


def _str_map(value: object) -> dict[str, str]:
    return {k: v for k, v in as_mapping(value).items() if isinstance(v, str) and k != "fbc"}


def _with_fbc(click_ids: dict[str, str], first_seen: Mapping[str, int]) -> dict[str, str]:
    fbclid = click_ids.get("fbclid")
    if fbclid and "fbclid" in first_seen:
        return {**click_ids, "fbc": build_fbc(fbclid, first_seen["fbclid"])}
    return click_ids


def _touch_dict(touch: TouchPoint) -> dict[str, Any]:
    clicks = dict(touch.click_ids)
    term = {"term": touch.term} if touch.term else {}
    return {
        **term,
        "source": touch.source,
        "medium": touch.medium,
        "channel": touch.channel,
        "utm_data": dict(touch.utm_data),
        "click_ids": _with_fbc(clicks, {"fbclid": touch.seen_at_ms} if clicks else {}),
        "referer": touch.referer,
        "landing_url": touch.landing_url,
        "source_url": touch.source_url,
        "seen_at_ms": touch.seen_at_ms,
    }


def _touch_state(touch: TouchPoint) -> dict[str, Any]:
    """The attribution, as stored, of a session that saw `touch` alone."""
    at = touch.seen_at_ms
    clicks = {
        k: {"value": v, "first_at": at, "at": at} for k, v in _str_map(touch.click_ids).items()
    }
    last = {"source": touch.source, "medium": touch.medium, "channel": touch.channel}
    return {
        **last,
        "utm_data": dict(touch.utm_data),
        "referer": touch.referer,
        "first_touch": _touch_dict(touch),
        "touch_state": _state({"last_touch_at_ms": at, "term": touch.term}, clicks),
    }


def _first_touch(stored: Mapping[str, Any], other: Mapping[str, Any]) -> dict[str, Any]:
    stored_at, other_at = _ms(stored.get("seen_at_ms")), _ms(other.get("seen_at_ms"))
    earlier = stored_at is not None and other_at is not None and other_at < stored_at
    return dict(other) if not stored or earlier else dict(stored)


def _legacy_click_times(previous: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Per-id state rebuilt from a session stored without `touch_state` (fbc's time kept)."""
    clicks = as_mapping(previous.get("click_ids"))
    fbc = clicks.get("fbc")
    times: dict[str, dict[str, Any]] = {}
    for key, value in _str_map(clicks).items():
        first = -1
        if key == "fbclid" and isinstance(fbc, str):
            parts = fbc.split(".", 3)
            if len(parts) == 4 and parts[2].isdigit() and parts[3] == value:
                first = int(parts[2])
        times[key] = {"value": value, "first_at": first, "at": first}
    return times


def _click_state(attribution: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Per click id: its value and the first and last time it was seen."""
    stored = as_mapping(attribution.get("touch_state")).get("click_ids")
    if not isinstance(stored, Mapping):
        stored = _legacy_click_times(attribution)
    return {key: dict(item) for key, item in stored.items() if isinstance(item, Mapping)}


def _join_clicks(
    state: dict[str, dict[str, Any]], other: Mapping[str, Mapping[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Per click id: the newest value wins; the first time that value was seen is kept."""
    for key, theirs in other.items():
        mine, at = state.get(key), _ms_or(theirs.get("at"), -1)
        value = theirs.get("value")
        if mine is None or (mine.get("value") != value and at >= _ms_or(mine.get("at"), -1)):
            state[key] = dict(theirs)
        elif mine.get("value") == value:
            first, their_first = (
                _ms_or(mine.get("first_at"), -1),
                _ms_or(theirs.get("first_at"), -1),
            )
            mine["first_at"] = their_first if first < 0 else min(first, their_first)
            mine["at"] = max(_ms_or(mine.get("at"), -1), at)
    return state


def _click_ids(state: Mapping[str, Mapping[str, Any]], now: int) -> dict[str, str]:
    clicks = {key: str(item["value"]) for key, item in state.items()}
    fbclid_state = state.get("fbclid")
    if fbclid_state is None:
        return clicks
    first = _ms_or(fbclid_state.get("first_at"), -1)
    return _with_fbc(clicks, {"fbclid": first if first >= 0 else now})


def _last_at(attribution: Mapping[str, Any]) -> int:
    return _ms_or(as_mapping(attribution.get("touch_state")).get("last_touch_at_ms"), -1)


def _stored_is_campaign(previous: Mapping[str, Any]) -> bool:
    return previous.get("channel") not in (None, DIRECT) or bool(previous.get("utm_data"))


def _is_direct(other: Mapping[str, Any], clicks: Mapping[str, Mapping[str, Any]]) -> bool:
    """Direct (or internal) with no campaign data and no click id seen at that touch."""
    at = _last_at(other)
    clicked = any(_ms(item.get("at")) == at for item in clicks.values())
    return other.get("channel") == DIRECT and not other.get("utm_data") and not clicked


def _takes_last_touch(
    previous: Mapping[str, Any], other: Mapping[str, Any], clicks: Mapping[str, Any]
) -> bool:
    """Latest non-direct touch wins; a direct one only when nothing else was seen."""
    if not isinstance(previous.get("source"), str):
        return True
    other_key = (not _is_direct(other, clicks), _last_at(other))
    return other_key >= (_stored_is_campaign(previous), _last_at(previous))


def _last_touch(attribution: Mapping[str, Any]) -> dict[str, Any]:
    last = {key: attribution.get(key) for key in _ATTRIBUTION_KEYS}
    last["utm_data"] = dict(as_mapping(last["utm_data"]))
    term = as_mapping(attribution.get("touch_state")).get("term")
    return {**last, "last_touch_at_ms": _last_at(attribution), "term": term}


def _state(last: Mapping[str, Any], clicks: dict[str, dict[str, Any]]) -> dict[str, Any]:
    # The last touch's search term has no column of its own: it lives with the state.
    term = {"term": last["term"]} if isinstance(last.get("term"), str) else {}
    return {"last_touch_at_ms": last["last_touch_at_ms"], "click_ids": clicks, **term}


def join_touches(previous: Mapping[str, Any] | None, other: Mapping[str, Any]) -> TouchMerge:
    """Fold the stored attribution `other` into `previous` (None for a new session): the
    same touches give the same attribution, in whatever groups and order they come."""
    prev = as_mapping(previous)
    other_clicks = _click_state(other)
    clicks = _join_clicks(_click_state(prev), other_clicks)
    last = _last_touch(other if _takes_last_touch(prev, other, other_clicks) else prev)
    first_touch = as_mapping(prev.get("first_touch"))
    return TouchMerge(
        first_touch=_first_touch(first_touch, as_mapping(other.get("first_touch"))),
        source=str(last["source"]),
        medium=last["medium"] if isinstance(last["medium"], str) else None,
        channel=str(last["channel"] or DIRECT),
        utm_data=last["utm_data"],
        click_ids=_click_ids(clicks, _last_at(other)),
        referer=last["referer"] if isinstance(last["referer"], str) else None,
        touch_state=_state(last, clicks),
    )


def merge_touch(previous: Mapping[str, Any] | None, current: TouchPoint) -> TouchMerge:
    """Fold one touch into the stored session attribution (None for a new session)."""
    return join_touches(previous, _touch_state(current))
