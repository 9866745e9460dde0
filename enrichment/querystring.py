"""Query-string parsing with hard limits, and the split into campaign/click/other keys."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import unquote

from enrichment._text import clean_text

# Bounds keep a hostile 64 KiB query string from producing a 64 KiB jsonb document of
# thousands of keys: real landing URLs carry a few dozen parameters at most.
MAX_PARAMS = 100
MAX_KEY_LENGTH = 128
MAX_VALUE_LENGTH = 1024
_MAX_PIECE = MAX_KEY_LENGTH * 3 + MAX_VALUE_LENGTH * 3 + 1

UTM_KEYS = frozenset(
    {
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "utm_term",
        "utm_content",
        "utm_id",
        "utm_source_platform",
        "utm_creative_format",
        "utm_marketing_tactic",
        "campaign_id",
    }
)

# Canonical (lower-case) names; matching is case-insensitive because vendors differ
# (Snapchat sends "ScCid", some redirectors upper-case everything).
CLICK_ID_KEYS = frozenset(
    {
        "gclid",
        "gclsrc",
        "gbraid",
        "wbraid",
        "gad_source",
        "gad_campaignid",
        "dclid",
        "srsltid",
        "fbclid",
        "msclkid",
        "ttclid",
        "twclid",
        "li_fat_id",
        "igshid",
        "rdt_cid",
        "epik",
        "sccid",
        "qclid",
        "irclid",
        "yclid",
        "ysclid",
        "mc_cid",
        "mc_eid",
        "_kx",
        "obclid",
        "ob_click_id",
        "tblci",
        "vmcid",
    }
)


def _decode(text: str, limit: int) -> str:
    # "+" is a space in application/x-www-form-urlencoded; bad %-escapes are kept as-is
    # and invalid UTF-8 becomes U+FFFD rather than an error.
    return clean_text(unquote(text.replace("+", " "), errors="replace"), limit)


def parse_query(query: str) -> dict[str, str]:
    """All parameters of a query string (with or without "?"); the first value wins."""
    query = query.removeprefix("?")
    result: dict[str, str] = {}
    for piece in query.split("&", MAX_PARAMS * 2):
        if len(result) >= MAX_PARAMS:
            break
        raw_key, _, raw_value = piece[:_MAX_PIECE].partition("=")
        key = _decode(raw_key, MAX_KEY_LENGTH).strip()
        if key and key not in result:
            result[key] = _decode(raw_value, MAX_VALUE_LENGTH)
    return result


def split_params(
    query_all: Mapping[str, str],
) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(utm_data, click_ids, query_params) from the parsed parameters."""
    utm: dict[str, str] = {}
    clicks: dict[str, str] = {}
    other: dict[str, str] = {}
    for key, value in query_all.items():
        canonical = key.lower()
        if canonical in UTM_KEYS:
            if value.strip():
                utm.setdefault(canonical, value.strip())
        elif canonical in CLICK_ID_KEYS:
            if value.strip():
                clicks.setdefault(canonical, value.strip())
        else:
            other[key] = value
    return utm, clicks, other
