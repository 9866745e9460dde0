"""Source, medium and channel of one touch, from campaign tags, click ids and referer."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from enrichment._text import as_mapping, as_text
from enrichment.channels import default_channel
from enrichment.domains import Referer, is_own_host, normalize_host, parse_referer
from enrichment.referers import Match, default_table, search_term
from enrichment.sources import ADS, CLICK_ID_SOURCES, EMAIL, SEARCH, SOURCE_NAMES
from enrichment.touches import TouchMerge, TouchPoint, join_touches, merge_touch

__all__ = ["Attribution", "TouchMerge", "TouchPoint", "classify", "join_touches", "merge_touch"]

DIRECT = "direct"


@dataclass(frozen=True)
class Attribution:
    """Where one touch came from."""

    source: str
    medium: str | None
    channel: str
    is_internal_referer: bool
    term: str | None = None  # the search words, when a search engine's referer has them


def _norm(value: object) -> str | None:
    text = as_text(value, 255)
    return text.lower() if text else None


def lookup_host(host: str) -> tuple[str, str] | None:
    """(source, category) of a known host."""
    found = default_table().lookup(host)
    return (found.source, found.category) if found else None


def source_category(source: str) -> str | None:
    """The category (search, social, ...) of a utm_source or derived source."""
    known = SOURCE_NAMES.get(source)
    if known:
        return known[1]
    host = normalize_host(source.removeprefix("www.")) if "." in source else None
    found = lookup_host(host) if host else None
    return found[1] if found else None


def _referer_match(ref: Referer) -> Match | None:
    table = default_table()
    return table.app(ref.host) if ref.is_app else table.lookup(ref.host, ref.path[:64])


def _click_source(click_ids: Mapping[str, Any]) -> tuple[str, str | None] | None:
    for key, found in CLICK_ID_SOURCES.items():
        if as_text(click_ids.get(key), 1024):
            return found
    return None


def _implied_medium(category: str | None) -> str:
    # GA4 reports referer-only traffic as "organic" for search engines, else "referral";
    # webmail referers are email and ad servers' referers display ads, which they are.
    return {SEARCH: "organic", EMAIL: "email", ADS: "display"}.get(category or "", "referral")


def _source_and_medium(
    utm: Mapping[str, Any], click_ids: Mapping[str, Any], ref: Referer | None
) -> tuple[str, str | None, str | None, str | None]:
    """(source, medium, category, term): utm_source > click id > external referer > direct."""
    utm_source, utm_medium = _norm(utm.get("utm_source")), _norm(utm.get("utm_medium"))
    click = _click_source(click_ids)
    if utm_source:
        medium = utm_medium or (click[1] if click else None)
        return utm_source, medium, source_category(utm_source), None
    if click:
        return click[0], utm_medium or click[1], source_category(click[0]), None
    if ref is not None:
        found = _referer_match(ref)
        if found is None:
            return ref.domain, utm_medium or "referral", None, None
        term = search_term(found, ref.path, ref.query)
        return found.source, utm_medium or _implied_medium(found.category), found.category, term
    return DIRECT, utm_medium, None, None


def classify(
    utm_data: Mapping[str, Any] | None,
    click_ids: Mapping[str, Any] | None,
    referer: str | None,
    own_hosts: Collection[str] = (),
) -> Attribution:
    """Attribute one touch; garbage input falls back to direct."""
    utm, clicks = as_mapping(utm_data), as_mapping(click_ids)
    ref = parse_referer(referer if isinstance(referer, str) else None)
    internal = bool(ref and not ref.is_app and is_own_host(ref.host, own_hosts or ()))
    source, medium, category, term = _source_and_medium(utm, clicks, None if internal else ref)
    channel = default_channel(
        source=source, medium=medium, campaign=_norm(utm.get("utm_campaign")), category=category
    )
    return Attribution(
        source=source,
        medium=medium,
        channel=channel,
        is_internal_referer=internal,
        term=term,
    )
