"""merge_touch: first touch, last touch, accumulated click ids and fbc."""

from __future__ import annotations

import itertools
from typing import Any

from enrichment.attribution import TouchPoint, join_touches, merge_touch

GOOGLE_AD = TouchPoint(
    source="google",
    medium="cpc",
    channel="paid_search",
    utm_data={"utm_source": "google", "utm_medium": "cpc"},
    click_ids={"gclid": "g1"},
    referer="https://www.google.com/",
    landing_url="https://a-track.io/?gclid=g1",
    seen_at_ms=1_000,
)
DIRECT = TouchPoint(source="direct", medium=None, channel="direct", seen_at_ms=2_000)
FACEBOOK = TouchPoint(
    source="facebook",
    medium="referral",
    channel="organic_social",
    click_ids={"fbclid": "f1"},
    referer="https://l.facebook.com/",
    seen_at_ms=3_000,
)


def _run(*touches: TouchPoint) -> dict[str, Any]:
    state: dict[str, Any] | None = None
    for touch in touches:
        state = merge_touch(state, touch).as_dict()
    assert state is not None
    return state


def test_a_new_session_takes_the_touch_as_first_and_last() -> None:
    state = _run(GOOGLE_AD)
    assert state["first_touch"]["source"] == "google"
    assert state["first_touch"]["landing_url"] == "https://a-track.io/?gclid=g1"
    assert (state["source"], state["medium"], state["channel"]) == ("google", "cpc", "paid_search")


def test_the_first_touch_is_never_overwritten_by_a_later_one() -> None:
    state = _run(GOOGLE_AD, FACEBOOK)
    assert state["first_touch"]["source"] == "google"
    assert state["source"] == "facebook"


def test_a_direct_visit_does_not_overwrite_the_last_touch() -> None:
    state = _run(GOOGLE_AD, DIRECT)
    assert (state["source"], state["channel"]) == ("google", "paid_search")
    assert state["utm_data"] == {"utm_source": "google", "utm_medium": "cpc"}
    assert state["referer"] == "https://www.google.com/"


def test_a_direct_first_visit_is_replaced_by_a_later_campaign() -> None:
    state = _run(DIRECT.__class__(**{**DIRECT.__dict__, "seen_at_ms": 500}), GOOGLE_AD)
    assert state["first_touch"]["source"] == "direct"
    assert state["source"] == "google"


def test_click_ids_accumulate_across_inits() -> None:
    state = _run(GOOGLE_AD, DIRECT, FACEBOOK)
    assert state["click_ids"]["gclid"] == "g1"
    assert state["click_ids"]["fbclid"] == "f1"


def test_a_new_value_of_the_same_click_id_replaces_the_old_one() -> None:
    later = TouchPoint(**{**GOOGLE_AD.__dict__, "click_ids": {"gclid": "g2"}, "seen_at_ms": 5_000})
    assert _run(GOOGLE_AD, later)["click_ids"]["gclid"] == "g2"


def test_fbc_uses_the_time_the_fbclid_was_first_seen() -> None:
    again = TouchPoint(**{**FACEBOOK.__dict__, "seen_at_ms": 9_000})
    state = _run(FACEBOOK, DIRECT, again)
    assert state["click_ids"]["fbc"] == "fb.1.3000.f1"


def test_a_new_fbclid_gets_a_new_fbc_time() -> None:
    other = TouchPoint(**{**FACEBOOK.__dict__, "click_ids": {"fbclid": "f2"}, "seen_at_ms": 9_000})
    assert _run(FACEBOOK, other)["click_ids"]["fbc"] == "fb.1.9000.f2"


def test_an_older_touch_processed_late_becomes_the_first_touch() -> None:
    state = _run(FACEBOOK, GOOGLE_AD)
    assert state["first_touch"]["source"] == "google"
    assert state["first_touch"]["seen_at_ms"] == 1_000
    assert state["source"] == "facebook"


def test_processing_order_does_not_change_the_result() -> None:
    results = [_run(*order) for order in itertools.permutations((GOOGLE_AD, DIRECT, FACEBOOK))]
    assert all(result == results[0] for result in results)


def test_replaying_the_same_touch_is_idempotent() -> None:
    once = _run(GOOGLE_AD, FACEBOOK)
    assert merge_touch(once, FACEBOOK).as_dict() == once


def test_a_stored_session_without_touch_state_keeps_its_fbc_time() -> None:
    legacy = {
        "first_touch": {"source": "facebook", "seen_at_ms": 100},
        "source": "facebook",
        "channel": "organic_social",
        "utm_data": {},
        "click_ids": {"fbclid": "f1", "fbc": "fb.1.100.f1"},
        "referer": "https://facebook.com/",
    }
    state = merge_touch(legacy, TouchPoint(**{**FACEBOOK.__dict__, "seen_at_ms": 5_000})).as_dict()
    assert state["click_ids"]["fbc"] == "fb.1.100.f1"
    assert state["first_touch"]["seen_at_ms"] == 100


def test_garbage_previous_state_is_treated_as_a_new_session() -> None:
    state = merge_touch({"first_touch": "x", "click_ids": [1], "touch_state": 5}, GOOGLE_AD)
    assert state.first_touch["source"] == "google"
    assert state.click_ids == {"gclid": "g1"}


def test_joining_two_states_equals_folding_all_their_touches() -> None:
    touches = (
        GOOGLE_AD,
        DIRECT,
        FACEBOOK,
        TouchPoint(**{**FACEBOOK.__dict__, "seen_at_ms": 9_000}),
    )
    expected = _run(*touches)
    for order in itertools.permutations(touches):
        for cut in range(1, len(order)):
            assert join_touches(_run(*order[:cut]), _run(*order[cut:])).as_dict() == expected
