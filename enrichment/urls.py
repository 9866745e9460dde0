"""The landing URL of an init: url_data, utm_data, click_ids and the other query params."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import SplitResult, urlsplit

from enrichment._text import as_mapping, as_text
from enrichment.querystring import parse_query, split_params

MAX_URL_LENGTH = 8192
# A scheme-less href such as "a-track.io/pricing" starts with something shaped like a host.
_BARE_HOST = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?([/?#]|$)", re.IGNORECASE)
_HOST_CHARS = re.compile(r"^[a-z0-9.\-_]+$")


@dataclass(frozen=True)
class UrlEnrichment:
    """What one `context.url` object says about the landing page."""

    url_data: dict[str, Any] = field(default_factory=dict)
    utm_data: dict[str, str] = field(default_factory=dict)
    click_ids: dict[str, str] = field(default_factory=dict)
    query_params: dict[str, str] = field(default_factory=dict)
    referer: str | None = None
    host: str | None = None


@dataclass(frozen=True)
class _Parts:
    host: str | None = None
    path: str | None = None
    query: str | None = None
    hash: str | None = None


def build_fbc(fbclid: str, first_seen_ms: int) -> str:
    """Meta's `_fbc` value: fb.<subdomain index 1>.<first seen, ms>.<fbclid>."""
    return f"fb.1.{int(first_seen_ms)}.{fbclid}"


def _safe_split(url: str) -> SplitResult | None:
    try:
        return urlsplit(url)
    except ValueError:  # e.g. "http://[::1" or an invalid port
        return None


def _host_of(parts: SplitResult) -> str | None:
    try:
        host = parts.hostname
    except ValueError:
        return None
    host = (host or "").rstrip(".")
    return host if host and _HOST_CHARS.match(host) else None


def _split_href(href: str) -> _Parts:
    """Host, path, query and hash of an absolute, scheme-less or relative href."""
    if _BARE_HOST.match(href) and "://" not in href:
        href = "//" + href
    parts = _safe_split(href)
    if parts is None:
        return _Parts()
    host = _host_of(parts) if parts.netloc else None
    path = parts.path or ("/" if host else None)
    return _Parts(
        host=host,
        path=path,
        query="?" + parts.query if parts.query else "",
        hash="#" + parts.fragment if parts.fragment else None,
    )


def _split_raw(raw: str) -> _Parts:
    """Path, query and hash of a request target such as "/pricing?x=1#top"."""
    rest, _, fragment = raw.partition("#")
    path, mark, query = rest.partition("?")
    return _Parts(
        path=path or None,
        query="?" + query if mark and query else "",
        hash="#" + fragment if fragment else None,
    )


def _prefixed(value: str | None, mark: str) -> str | None:
    if value is None:
        return None
    return value if value.startswith(mark) else mark + value


def _explicit(url: Mapping[str, Any]) -> _Parts:
    path = as_text(url.get("path"), MAX_URL_LENGTH)
    return _Parts(
        path=_prefixed(path, "/"),
        query=_prefixed(as_text(url.get("query"), MAX_URL_LENGTH), "?"),
        hash=_prefixed(as_text(url.get("hash"), MAX_URL_LENGTH), "#"),
    )


def _merge(*candidates: _Parts) -> _Parts:
    """Per field, the first candidate that knows it (explicit > href > raw)."""

    def first(name: str) -> str | None:
        values = (getattr(c, name) for c in candidates)
        return next((v for v in values if v is not None), None)

    return _Parts(host=first("host"), path=first("path"), query=first("query"), hash=first("hash"))


def _url_data(href: str | None, raw: str | None, parts: _Parts) -> dict[str, Any]:
    query = parts.query if parts.query is not None else ("" if parts.path else None)
    if raw is None and parts.path is not None:
        raw = parts.path + (query or "")
    data: dict[str, Any] = {"raw": raw, "href": href, "path": parts.path, "query": query}
    if parts.hash and parts.hash != "#":
        data["hash"] = parts.hash
    data["query_all"] = parse_query(query) if query else {}
    return data


def parse_url_context(url: Mapping[str, Any] | None) -> UrlEnrichment:
    """Enrich the init's `context.url` object; garbage gives an empty or partial result."""
    url = as_mapping(url)
    href = as_text(url.get("href"), MAX_URL_LENGTH)
    raw = as_text(url.get("raw"), MAX_URL_LENGTH)
    from_href = _split_href(href) if href else _Parts()
    from_raw = _Parts()
    if raw:
        from_raw = _split_raw(raw) if raw.startswith("/") else _split_href(raw)
    parts = _merge(_explicit(url), from_href, from_raw)
    data = _url_data(href, raw, parts)
    source_url = as_text(url.get("source_url"), MAX_URL_LENGTH)
    if source_url:
        data["source_url"] = source_url
    utm, clicks, other = split_params(data["query_all"])
    return UrlEnrichment(
        url_data=data,
        utm_data=utm,
        click_ids=clicks,
        query_params=other,
        referer=as_text(url.get("referer"), MAX_URL_LENGTH),
        host=parts.host,
    )
