"""enrich_session / enrich_ip_only: the documented example, idempotence, garbage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from enrichment.geo import GeoDatabases
from enrichment.pipeline import enrich_ip_only, enrich_session
from tests.enrichment.mmdb_factory import DOC_IP, HOSTING_IP, write_test_databases

DOC_QUERY = (
    "?utm_source=google&utm_campaign=spring-launch&campaign_id=cmp_123"
    "&gclid=gclid_123&fbclid=fbclid_123"
)
DOC_CONTEXT: dict[str, Any] = {
    "url": {
        "href": "https://a-track.io/pricing" + DOC_QUERY,
        "raw": "/pricing" + DOC_QUERY,
        "path": "/pricing",
        "query": DOC_QUERY,
        "source_url": "https://partner.example.com/blog/first-touch",
        "referer": "https://google.com/",
    },
    "client": {
        "ipAddress": DOC_IP,
        "userAgent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2_1 like Mac OS X)",
        "locale": "en-US",
        "timezone": "America/New_York",
    },
    "user": {"attributes": {"plan": "pro", "signup_step": "landing"}},
}
SEEN = 1775958755156


@pytest.fixture(scope="module")
def geo(tmp_path_factory: pytest.TempPathFactory) -> GeoDatabases:
    folder = tmp_path_factory.mktemp("geoip")
    write_test_databases(folder)
    return GeoDatabases(folder)


def test_the_documented_init_gives_the_documented_session_fields(geo: GeoDatabases) -> None:
    result = enrich_session(context=DOC_CONTEXT, previous=None, seen_at_ms=SEEN, geo=geo)
    assert result["source"] == "google"
    assert result["channel"] == "paid_search"
    assert result["referer"] == "https://google.com/"
    assert result["utm_data"] == {
        "utm_source": "google",
        "utm_campaign": "spring-launch",
        "campaign_id": "cmp_123",
    }
    assert result["click_ids"] == {
        "gclid": "gclid_123",
        "fbclid": "fbclid_123",
        "fbc": f"fb.1.{SEEN}.fbclid_123",
    }
    assert result["ip_address"] == DOC_IP
    assert result["ip_data"]["isp"] == {"isp": "Spectrum", "organization": "Spectrum"}
    assert result["ip_data"]["city"]["location"]["time_zone"] == "America/New_York"
    assert result["device_data"]["model"] == "iPhone"
    assert result["device_data"]["os"] == {"name": "iOS", "version": "17.2"}
    assert result["client_attributes"] == {"locale": "en-US", "timezone": "America/New_York"}
    assert result["user_attributes_patch"] == {"plan": "pro", "signup_step": "landing"}
    assert result["first_touch"]["landing_url"] == DOC_CONTEXT["url"]["href"]


def test_enriching_again_with_the_stored_result_changes_nothing(geo: GeoDatabases) -> None:
    once = enrich_session(context=DOC_CONTEXT, previous=None, seen_at_ms=SEEN, geo=geo)
    twice = enrich_session(context=DOC_CONTEXT, previous=once, seen_at_ms=SEEN, geo=geo)
    assert twice == once


def test_a_later_internal_navigation_keeps_the_campaign(geo: GeoDatabases) -> None:
    first = enrich_session(context=DOC_CONTEXT, previous=None, seen_at_ms=SEEN, geo=geo)
    internal = {
        "url": {"href": "https://a-track.io/checkout", "referer": "https://a-track.io/pricing"},
        "client": DOC_CONTEXT["client"],
    }
    later = enrich_session(context=internal, previous=first, seen_at_ms=SEEN + 60_000, geo=geo)
    assert (later["source"], later["channel"]) == ("google", "paid_search")
    assert later["click_ids"]["gclid"] == "gclid_123"
    assert later["url_data"]["path"] == "/checkout"
    assert later["first_touch"] == first["first_touch"]


def test_own_hosts_make_a_referer_internal(geo: GeoDatabases) -> None:
    context = {"url": {"href": "https://shop.example.com/", "referer": "https://example.com/"}}
    result = enrich_session(
        context=context, previous=None, seen_at_ms=1, geo=None, own_hosts=["example.com"]
    )
    assert result["source"] == "direct"


def test_source_url_stands_in_for_a_missing_referer() -> None:
    context = {"url": {"href": "https://x.io/", "source_url": "https://www.bing.com/search"}}
    result = enrich_session(context=context, previous=None, seen_at_ms=1, geo=None)
    assert (result["source"], result["channel"]) == ("bing", "organic_search")


def test_a_datacenter_address_marks_the_session_as_bot_when_the_project_asks(
    geo: GeoDatabases,
) -> None:
    client = {"ipAddress": HOSTING_IP, "userAgent": DOC_CONTEXT["client"]["userAgent"]}
    result = enrich_ip_only(client=client, geo=geo, hosting_is_bot=True)
    assert result["device_data"]["is_bot"] is True
    assert result["device_data"]["bot"]["name"] == "datacenter traffic"


def test_a_datacenter_address_is_only_a_signal_by_default(geo: GeoDatabases) -> None:
    client = {"ipAddress": HOSTING_IP, "userAgent": DOC_CONTEXT["client"]["userAgent"]}
    result = enrich_ip_only(client=client, geo=geo)
    assert result["device_data"]["is_bot"] is False
    assert result["ip_data"]["anonymous"]["is_hosting_provider"] is True


def test_a_missing_user_agent_is_unknown_not_bot() -> None:
    result = enrich_ip_only(client={}, geo=None)
    assert result["device_data"]["device_class"] == "unknown"
    assert result["device_data"]["is_bot"] is False


def test_without_databases_the_address_kind_is_still_given() -> None:
    result = enrich_ip_only(client={"ipAddress": "10.1.1.1", "userAgent": "curl/8"}, geo=None)
    assert result["ip_data"] == {"ip": "10.1.1.1", "is_private": True, "is_reserved": False}


def test_re_enrichment_after_a_database_swap_gives_fresher_data(tmp_path: Path) -> None:
    write_test_databases(tmp_path, variant="a")
    before = enrich_session(
        context=DOC_CONTEXT, previous=None, seen_at_ms=SEEN, geo=GeoDatabases(tmp_path)
    )
    write_test_databases(tmp_path, variant="b")
    after = enrich_session(
        context=DOC_CONTEXT, previous=before, seen_at_ms=SEEN, geo=GeoDatabases(tmp_path)
    )
    assert after["ip_data"]["city"]["city"]["names"]["en"] == "Austin"
    assert {k: v for k, v in after.items() if k != "ip_data"} == {
        k: v for k, v in before.items() if k != "ip_data"
    }


@pytest.mark.parametrize(
    "context",
    [
        None,
        "garbage",
        [],
        {"url": "x", "client": 5, "user": []},
        {"url": {"href": None}, "client": {"ipAddress": 7, "userAgent": ["x"]}},
        {"client": {"ipAddress": "1.2.3.4\x00", "userAgent": "\x00", "k\x00": "v\ud800"}},
        {"user": {"attributes": "not a dict"}},
        {"client": {"nan": float("nan"), "nested": {"deep": [1, {"x": float("inf")}]}}},
    ],
)
def test_garbage_context_never_raises(context: Any) -> None:
    result = enrich_session(context=context, previous={"x": 1}, seen_at_ms=0, geo=None)
    assert result["source"] == "direct"
    assert isinstance(result["client_attributes"], dict)
    assert "\x00" not in repr(result["client_attributes"])


def test_non_finite_numbers_are_dropped_from_client_attributes() -> None:
    context = {"client": {"nan": float("nan"), "ok": 1.5}}
    result = enrich_session(context=context, previous=None, seen_at_ms=0, geo=None)
    assert result["client_attributes"] == {"nan": None, "ok": 1.5}
