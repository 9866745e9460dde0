"""First touch, last touch and accumulated click ids of a session.

The merge is a pure function of (stored state, new touch). It is written so that replaying
the same init gives the same state (idempotent) and so that the order in which inits are
processed does not change the result: the first touch is the earliest by `seen_at_ms`, the
last touch the latest non-direct one (a direct visit only counts when nothing else was
seen, as in GA), and click ids keep per-id timestamps in `touch_state`.
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

    @property
    def is_direct(self) -> bool:
        """Direct (or internal) with no campaign data: it does not replace a last touch."""
        return self.channel == DIRECT and not self.utm_data and not self.click_ids


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


def _first_touch(stored: Mapping[str, Any], current: TouchPoint) -> dict[str, Any]:
    stored_at = _ms(stored.get("seen_at_ms"))
    if not stored or (stored_at is not None and current.seen_at_ms < stored_at):
        return _touch_dict(current)
    return dict(stored)


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


def _merge_click_state(
    stored: dict[str, dict[str, Any]], current: TouchPoint
) -> dict[str, dict[str, Any]]:
    """Per click id: the newest value wins; the first time that value was seen is kept."""
    state = {key: dict(item) for key, item in stored.items()}
    now = current.seen_at_ms
    for key, value in _str_map(current.click_ids).items():
        item = state.get(key)
        if item is None or (item.get("value") != value and now >= _ms_or(item.get("at"), -1)):
            state[key] = {"value": value, "first_at": now, "at": now}
        elif item.get("value") == value:
            first = _ms_or(item.get("first_at"), -1)
            item["first_at"] = now if first < 0 else min(first, now)
            item["at"] = max(_ms_or(item.get("at"), -1), now)
    return state


def _click_ids(state: Mapping[str, Mapping[str, Any]], now: int) -> dict[str, str]:
    clicks = {key: str(item["value"]) for key, item in state.items()}
    fbclid_state = state.get("fbclid")
    if fbclid_state is None:
        return clicks
    first = _ms_or(fbclid_state.get("first_at"), -1)
    return _with_fbc(clicks, {"fbclid": first if first >= 0 else now})


def _stored_is_campaign(previous: Mapping[str, Any]) -> bool:
    return previous.get("channel") not in (None, DIRECT) or bool(previous.get("utm_data"))


def _takes_last_touch(previous: Mapping[str, Any], current: TouchPoint, last_at: int) -> bool:
    """Latest non-direct touch wins; a direct one only when nothing else was seen."""
    if not isinstance(previous.get("source"), str):
        return True
    current_key = (not current.is_direct, current.seen_at_ms)
    return current_key >= (_stored_is_campaign(previous), last_at)


def _last_touch(previous: Mapping[str, Any], current: TouchPoint, last_at: int) -> dict[str, Any]:
    if _takes_last_touch(previous, current, last_at):
        return {
            "source": current.source,
            "medium": current.medium,
            "channel": current.channel,
            "utm_data": dict(current.utm_data),
            "referer": current.referer,
            "last_touch_at_ms": current.seen_at_ms,
            "term": current.term,
        }
    kept = {key: previous.get(key) for key in _ATTRIBUTION_KEYS}
    kept["utm_data"] = dict(as_mapping(kept["utm_data"]))
    term = as_mapping(previous.get("touch_state")).get("term")
    return {**kept, "last_touch_at_ms": last_at, "term": term}


def _state(last: Mapping[str, Any], clicks: dict[str, dict[str, Any]]) -> dict[str, Any]:
    # The last touch's search term has no column of its own: it lives with the state.
    term = {"term": last["term"]} if isinstance(last.get("term"), str) else {}
    return {"last_touch_at_ms": last["last_touch_at_ms"], "click_ids": clicks, **term}


def merge_touch(previous: Mapping[str, Any] | None, current: TouchPoint) -> TouchMerge:
    """Fold one touch into the stored session attribution (None for a new session)."""
    prev = as_mapping(previous)
    state = as_mapping(prev.get("touch_state"))
    stored_clicks = state.get("click_ids")
    if not isinstance(stored_clicks, Mapping):
        stored_clicks = _legacy_click_times(prev)
    click_state = _merge_click_state(
        {k: dict(v) for k, v in stored_clicks.items() if isinstance(v, Mapping)}, current
    )
    last = _last_touch(prev, current, _ms_or(state.get("last_touch_at_ms"), -1))
    return TouchMerge(
        first_touch=_first_touch(as_mapping(prev.get("first_touch")), current),
        source=str(last["source"]),
        medium=last["medium"] if isinstance(last["medium"], str) else None,
        channel=str(last["channel"] or DIRECT),
        utm_data=last["utm_data"],
        click_ids=_click_ids(click_state, current.seen_at_ms),
        referer=last["referer"] if isinstance(last["referer"], str) else None,
        touch_state=_state(last, click_state),
    )
