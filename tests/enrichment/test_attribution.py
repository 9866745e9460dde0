"""classify: source, medium and channel from utm tags, click ids and referers."""

from __future__ import annotations

from typing import Any

import pytest

from enrichment.attribution import classify

OWN = ("a-track.io",)

# (case, utm_data, click_ids, referer, expected source, medium, channel)
CASES: list[tuple[str, dict[str, str], dict[str, str], Any, str, str | None, str]] = [
    ("no data is direct", {}, {}, None, "direct", None, "direct"),
    ("google.com organic", {}, {}, "https://www.google.com/", "google", "organic", "organic_search"),
    ("google.co.uk organic", {}, {}, "https://www.google.co.uk/", "google", "organic", "organic_search"),
    ("google.com.br organic", {}, {}, "https://google.com.br/search", "google", "organic", "organic_search"),
    ("bing organic", {}, {}, "https://www.bing.com/search?q=x", "bing", "organic", "organic_search"),
    ("duckduckgo organic", {}, {}, "https://duckduckgo.com/", "duckduckgo", "organic", "organic_search"),
    ("yandex.ru organic", {}, {}, "https://yandex.ru/search", "yandex", "organic", "organic_search"),
    ("baidu organic", {}, {}, "https://www.baidu.com/link", "baidu", "organic", "organic_search"),
    ("ecosia organic", {}, {}, "https://www.ecosia.org/", "ecosia", "organic", "organic_search"),
    ("brave search", {}, {}, "https://search.brave.com/", "brave", "organic", "organic_search"),
    ("l.facebook.com social", {}, {}, "https://l.facebook.com/l.php", "facebook", "referral", "organic_social"),
    ("m.facebook.com social", {}, {}, "https://m.facebook.com/", "facebook", "referral", "organic_social"),
    ("t.co is twitter", {}, {}, "https://t.co/abc", "twitter", "referral", "organic_social"),
    ("x.com is twitter", {}, {}, "https://x.com/", "twitter", "referral", "organic_social"),
    ("linkedin social", {}, {}, "https://www.linkedin.com/", "linkedin", "referral", "organic_social"),
    ("lnkd.in social", {}, {}, "https://lnkd.in/xyz", "linkedin", "referral", "organic_social"),
    ("reddit social", {}, {}, "https://out.reddit.com/t3", "reddit", "referral", "organic_social"),
    ("pinterest.co.uk social", {}, {}, "https://pinterest.co.uk/", "pinterest", "referral", "organic_social"),
    ("youtube video", {}, {}, "https://www.youtube.com/", "youtube", "referral", "organic_video"),
    ("gmail web email", {}, {}, "https://mail.google.com/mail/u/0/", "gmail", "email", "email"),
    ("outlook web email", {}, {}, "https://outlook.live.com/", "outlook", "email", "email"),
    ("gmail android app", {}, {}, "android-app://com.google.android.gm/", "gmail", "email", "email"),
    ("google app android", {}, {}, "android-app://com.google.android.googlequicksearchbox/", "google", "organic", "organic_search"),
    ("facebook android app", {}, {}, "android-app://com.facebook.katana/", "facebook", "referral", "organic_social"),
    ("unknown android app", {}, {}, "android-app://com.example.news/", "com.example.news", "referral", "referral"),
    ("chatgpt.com ai", {}, {}, "https://chatgpt.com/", "chatgpt", "referral", "ai_assistant"),
    ("chat.openai.com ai", {}, {}, "https://chat.openai.com/c/1", "chatgpt", "referral", "ai_assistant"),
    ("perplexity ai", {}, {}, "https://www.perplexity.ai/", "perplexity", "referral", "ai_assistant"),
    ("gemini is not google search", {}, {}, "https://gemini.google.com/app", "gemini", "referral", "ai_assistant"),
    ("copilot ai", {}, {}, "https://copilot.microsoft.com/", "copilot", "referral", "ai_assistant"),
    ("claude ai", {}, {}, "https://claude.ai/chat/1", "claude", "referral", "ai_assistant"),
    ("utm chatgpt.com ai", {"utm_source": "chatgpt.com"}, {}, None, "chatgpt.com", None, "ai_assistant"),
    ("amazon shopping", {}, {}, "https://www.amazon.de/dp/1", "amazon", "referral", "organic_shopping"),
    ("unknown site referral", {}, {}, "https://blog.example.co.uk/post", "example.co.uk", "referral", "referral"),
    ("scheme-less referer", {}, {}, "news.ycombinator.com/item", "hacker news", "referral", "organic_social"),
    ("utm cpc google", {"utm_source": "Google ", "utm_medium": "CPC"}, {}, None, "google", "cpc", "paid_search"),
    ("utm ppc bing", {"utm_source": "bing", "utm_medium": "ppc"}, {}, None, "bing", "ppc", "paid_search"),
    ("utm paid facebook", {"utm_source": "facebook", "utm_medium": "paid_social"}, {}, None, "facebook", "paid_social", "paid_social"),
    ("utm fb alias cpc", {"utm_source": "fb", "utm_medium": "cpc"}, {}, None, "fb", "cpc", "paid_social"),
    ("utm youtube cpv", {"utm_source": "youtube", "utm_medium": "cpv"}, {}, None, "youtube", "cpv", "paid_video"),
    ("utm shopping campaign", {"utm_source": "google", "utm_medium": "cpc", "utm_campaign": "summer-shopping"}, {}, None, "google", "cpc", "paid_shopping"),
    ("utm display", {"utm_source": "dv360", "utm_medium": "display"}, {}, None, "dv360", "display", "display"),
    ("utm banner", {"utm_source": "partner", "utm_medium": "banner"}, {}, None, "partner", "banner", "display"),
    ("utm paid other", {"utm_source": "newsletter-x", "utm_medium": "paid"}, {}, None, "newsletter-x", "paid", "paid_other"),
    ("utm affiliate", {"utm_source": "awin", "utm_medium": "affiliate"}, {}, None, "awin", "affiliate", "affiliates"),
    ("utm email", {"utm_source": "newsletter", "utm_medium": "email"}, {}, None, "newsletter", "email", "email"),
    ("utm sms", {"utm_source": "sms", "utm_medium": "text"}, {}, None, "sms", "text", "sms"),
    ("utm push", {"utm_source": "app", "utm_medium": "web-push"}, {}, None, "app", "web-push", "mobile_push_notifications"),
    ("utm audio", {"utm_source": "spotify", "utm_medium": "audio"}, {}, None, "spotify", "audio", "audio"),
    ("utm cross-network", {"utm_source": "google", "utm_medium": "cpc", "utm_campaign": "pmax-cross-network"}, {}, None, "google", "cpc", "cross_network"),
    ("utm organic", {"utm_source": "foo", "utm_medium": "organic"}, {}, None, "foo", "organic", "organic_search"),
    ("utm social medium", {"utm_source": "foo", "utm_medium": "social"}, {}, None, "foo", "social", "organic_social"),
    ("utm unknown source", {"utm_source": "partner"}, {}, None, "partner", None, "unassigned"),
    ("utm_medium alone keeps referer source", {"utm_medium": "email"}, {}, "https://mail.google.com/", "gmail", "email", "email"),
    ("utm beats referer", {"utm_source": "newsletter", "utm_medium": "email"}, {}, "https://www.google.com/", "newsletter", "email", "email"),
    ("gclid paid search", {}, {"gclid": "x"}, None, "google", "cpc", "paid_search"),
    ("gbraid paid search", {}, {"gbraid": "x"}, "https://www.google.com/", "google", "cpc", "paid_search"),
    ("msclkid paid search", {}, {"msclkid": "x"}, None, "bing", "cpc", "paid_search"),
    ("dclid display", {}, {"dclid": "x"}, None, "google", "display", "display"),
    ("ttclid paid social", {}, {"ttclid": "x"}, None, "tiktok", "paid", "paid_social"),
    ("li_fat_id paid social", {}, {"li_fat_id": "x"}, None, "linkedin", "paid", "paid_social"),
    ("fbclid alone is organic social", {}, {"fbclid": "x"}, None, "facebook", None, "organic_social"),
    ("fbclid with paid medium", {"utm_medium": "paid_social"}, {"fbclid": "x"}, None, "facebook", "paid_social", "paid_social"),
    ("irclid affiliate", {}, {"irclid": "x"}, None, "impact", "affiliate", "affiliates"),
    ("mc_cid email", {}, {"mc_cid": "x"}, None, "mailchimp", "email", "email"),
    ("utm source with gclid is cpc", {"utm_source": "google"}, {"gclid": "x"}, None, "google", "cpc", "paid_search"),
    ("gclid beats fbclid", {}, {"fbclid": "f", "gclid": "g"}, None, "google", "cpc", "paid_search"),
    ("internal referer is direct", {}, {}, "https://a-track.io/pricing", "direct", None, "direct"),
    ("internal subdomain is direct", {}, {}, "https://app.a-track.io/", "direct", None, "direct"),
    ("internal www is direct", {}, {}, "https://www.a-track.io/", "direct", None, "direct"),
    ("look-alike domain is not internal", {}, {}, "https://evil-a-track.io/", "evil-a-track.io", "referral", "referral"),
    ("internal referer with utm", {"utm_source": "newsletter", "utm_medium": "email"}, {}, "https://a-track.io/", "newsletter", "email", "email"),
    ("garbage referer", {}, {}, "not a url", "direct", None, "direct"),
    ("non-string referer", {}, {}, 12345, "direct", None, "direct"),
    ("broken IPv6 referer", {}, {}, "http://[::1", "direct", None, "direct"),
    ("IP referer", {}, {}, "http://203.0.113.7/x", "203.0.113.7", "referral", "referral"),
    ("garbage utm values", {"utm_source": 5, "utm_medium": ["x"]}, {"gclid": None}, None, "direct", None, "direct"),  # type: ignore[dict-item]
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "utm", "clicks", "referer", "source", "medium", "channel"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_classify_case(
    case: str,
    utm: dict[str, Any],
    clicks: dict[str, Any],
    referer: Any,
    source: str,
    medium: str | None,
    channel: str,
) -> None:
    found = classify(utm, clicks, referer, OWN)
    assert (found.source, found.medium, found.channel) == (source, medium, channel)


def test_an_internal_referer_is_flagged() -> None:
    found = classify({}, {}, "https://app.a-track.io/x", ["https://A-TRACK.io:443/"])
    assert found.is_internal_referer


def test_an_unknown_referer_is_named_by_its_registrable_domain() -> None:
    assert classify({}, {}, "https://news.example.co.uk/a", ()).source == "example.co.uk"


def test_garbage_arguments_never_raise() -> None:
    found = classify(None, None, None, ())
    assert (found.source, found.channel, found.is_internal_referer) == ("direct", "direct", False)
