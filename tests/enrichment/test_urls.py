"""parse_url_context: the documented example, derivations and garbage input."""

from __future__ import annotations

from typing import Any

import pytest

from enrichment.urls import UrlEnrichment, build_fbc, parse_url_context

DOC_HREF = (
    "https://a-track.io/pricing?utm_source=google&utm_campaign=spring-launch"
    "&campaign_id=cmp_123&custom_param=test"
)
DOC_RAW = DOC_HREF.removeprefix("https://a-track.io")
DOC_QUERY = DOC_RAW.removeprefix("/pricing")


def _get(result: UrlEnrichment, dotted: str) -> Any:
    value: Any = result
    for part in dotted.split("."):
        value = value[part] if isinstance(value, dict) else getattr(value, part)
    return value


def test_the_documented_example_gives_exactly_the_documented_fields() -> None:
    result = parse_url_context(
        {
            "href": DOC_HREF,
            "raw": DOC_RAW,
            "source_url": "https://partner.example.com/blog/first-touch",
            "referer": "https://google.com/",
        }
    )
    assert result.url_data == {
        "raw": DOC_RAW,
        "href": DOC_HREF,
        "path": "/pricing",
        "query": DOC_QUERY,
        "query_all": {
            "utm_source": "google",
            "utm_campaign": "spring-launch",
            "campaign_id": "cmp_123",
            "custom_param": "test",
        },
        "source_url": "https://partner.example.com/blog/first-touch",
    }
    assert result.utm_data == {
        "utm_source": "google",
        "utm_campaign": "spring-launch",
        "campaign_id": "cmp_123",
    }
    assert result.query_params == {"custom_param": "test"}
    assert result.click_ids == {}
    assert result.referer == "https://google.com/"
    assert result.host == "a-track.io"


HUGE = "&".join(f"p{i}={'x' * 50}" for i in range(5000))
CLICKS = "gclid=G&fbclid=F&msclkid=M&ttclid=T&ScCid=S&li_fat_id=L&irclid=I&mc_cid=C&_kx=K"

CASES: list[tuple[str, Any, str, Any]] = [
    # (case, context.url, field, expected)
    ("href only gives path", {"href": "https://x.io/a/b?c=1"}, "url_data.path", "/a/b"),
    ("href only gives raw", {"href": "https://x.io/a?c=1#h"}, "url_data.raw", "/a?c=1"),
    ("href only gives query", {"href": "https://x.io/a?c=1"}, "url_data.query", "?c=1"),
    ("href hash keeps #", {"href": "https://x.io/a#top"}, "url_data.hash", "#top"),
    ("href host lower-cased", {"href": "HTTPS://WWW.X.IO/"}, "host", "www.x.io"),
    ("href port dropped from host", {"href": "http://x.io:8080/"}, "host", "x.io"),
    ("bare domain root path", {"href": "https://x.io"}, "url_data.path", "/"),
    ("no query gives empty query", {"href": "https://x.io/a"}, "url_data.query", ""),
    ("missing scheme host", {"href": "x.io/pricing?a=1"}, "host", "x.io"),
    ("missing scheme path", {"href": "x.io/pricing?a=1"}, "url_data.path", "/pricing"),
    ("scheme-relative href", {"href": "//x.io/p?a=1"}, "host", "x.io"),
    ("raw only gives path", {"raw": "/p/q?a=1"}, "url_data.path", "/p/q"),
    ("raw only gives query_all", {"raw": "/p?a=1&b=2"}, "url_data.query_all", {"a": "1", "b": "2"}),
    ("raw only has no href", {"raw": "/p?a=1"}, "url_data.href", None),
    ("raw only has no host", {"raw": "/p?a=1"}, "host", None),
    ("raw with hash", {"raw": "/p?a=1#frag"}, "url_data.hash", "#frag"),
    ("only query", {"query": "?utm_source=x"}, "utm_data", {"utm_source": "x"}),
    ("query without ?", {"query": "a=1"}, "url_data.query", "?a=1"),
    ("hash without #", {"href": "https://x.io/", "hash": "top"}, "url_data.hash", "#top"),
    ("explicit path wins", {"href": "https://x.io/a", "path": "/b"}, "url_data.path", "/b"),
    ("path without slash", {"path": "pricing"}, "url_data.path", "/pricing"),
    ("repeated param keeps first", {"raw": "/?a=1&a=2"}, "url_data.query_all", {"a": "1"}),
    ("plus is a space", {"raw": "/?q=a+b"}, "url_data.query_all", {"q": "a b"}),
    ("percent decoding", {"raw": "/?q=a%20b%26c"}, "url_data.query_all", {"q": "a b&c"}),
    ("utf-8 decoding", {"raw": "/?q=%E2%9C%93"}, "url_data.query_all", {"q": "✓"}),
    ("raw unicode", {"raw": "/?städte=köln"}, "url_data.query_all", {"städte": "köln"}),
    ("bad escapes kept", {"raw": "/?q=%ZZ%"}, "url_data.query_all", {"q": "%ZZ%"}),
    ("invalid utf-8 replaced", {"raw": "/?q=%FF"}, "url_data.query_all", {"q": "\ufffd"}),
    ("key without value", {"raw": "/?flag"}, "url_data.query_all", {"flag": ""}),
    ("empty key skipped", {"raw": "/?=x&a=1"}, "url_data.query_all", {"a": "1"}),
    ("NUL removed", {"raw": "/?a=x%00y"}, "url_data.query_all", {"a": "xy"}),
    ("click ids split out", {"raw": "/?" + CLICKS}, "click_ids.sccid", "S"),
    ("click ids not in query_params", {"raw": "/?gclid=1&x=2"}, "query_params", {"x": "2"}),
    ("empty utm ignored", {"raw": "/?utm_source=&a=1"}, "utm_data", {}),
    ("upper-case utm key", {"raw": "/?UTM_Source=fb"}, "utm_data", {"utm_source": "fb"}),
    (
        "campaign_id is campaign data",
        {"raw": "/?campaign_id=c1"},
        "utm_data",
        {"campaign_id": "c1"},
    ),
    ("huge query is capped", {"raw": "/?" + HUGE}, "url_data.query_all.p99", "x" * 50),
    ("long values are cut", {"raw": "/?a=" + "y" * 5000}, "url_data.query_all.a", "y" * 1024),
    ("source_url kept", {"source_url": "https://p.io/x"}, "url_data.source_url", "https://p.io/x"),
    ("referer kept", {"referer": " https://g.com/ "}, "referer", "https://g.com/"),
    ("invalid IPv6 href", {"href": "http://[::1"}, "url_data.href", "http://[::1"),
    ("invalid port keeps host", {"href": "http://x.io:99999999/p"}, "host", "x.io"),
    ("javascript href", {"href": "javascript:alert(1)"}, "host", None),
    ("non-string href", {"href": 42, "raw": "/a"}, "url_data.href", None),
    ("list href", {"href": ["https://x.io"]}, "url_data.path", None),
    ("dict raw", {"raw": {"a": 1}}, "url_data.query_all", {}),
    ("None context", None, "url_data.query_all", {}),
    ("int context", 5, "utm_data", {}),
    ("list context", ["https://x.io"], "click_ids", {}),
    ("blank strings", {"href": "   ", "raw": ""}, "url_data.path", None),
    ("non-string referer", {"referer": 1}, "referer", None),
]


@pytest.mark.parametrize(("case", "url", "field", "expected"), CASES, ids=[c[0] for c in CASES])
def test_parse_url_context_case(case: str, url: Any, field: str, expected: Any) -> None:
    assert _get(parse_url_context(url), field) == expected


def test_a_huge_query_string_keeps_at_most_100_parameters() -> None:
    result = parse_url_context({"raw": "/?" + HUGE})
    assert len(result.url_data["query_all"]) == 100


def test_the_fbc_value_follows_metas_format() -> None:
    assert build_fbc("abc", 1775958755156) == "fb.1.1775958755156.abc"
