"""Referer host → (source, category, search term), from the compiled data file.

The data (enrichment/data/referers.json) is built by `manage.py referers_build` from
Matomo's CC0 list and our additions (see referer_build.py). A lookup is a handful of dict
probes, most specific host first; results are cached per (host, path head).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

from enrichment.domains import split_host

DATA_FILE = Path(__file__).parent / "data" / "referers.json"
EMAIL = "email"
SEARCH = "search"
MAX_TERM = 255
# Webmail front ends that no list names: "webmail.tim.it", "mail01.orange.fr",
# "lightmailer-bs.gmx.net", "messagerie.orange.fr". Only subdomain labels are looked at, so
# "mail.ru" or "mailchimp.com" (registrable labels) are not webmail by this rule.
_WEBMAIL_LABEL = re.compile(r"^[a-z0-9-]*mail[a-z0-9-]*$|^(messagerie|correo|posta|poczta)\w*$")
# Stripped before matching, as Matomo does: "www2.", "m.", and a country or language label
# ("it.images.search.yahoo.com" is "images.search.yahoo.com").
_PREFIX = re.compile(r"^(?:www\d*|m|mobile|[a-z]{2})\.(?=[^.]+\.)")


@dataclass(frozen=True)
class Match:
    """A known referer site."""

    source: str
    category: str
    params: tuple[str, ...] = ()


class RefererTable:
    """The host and path tables of one compiled data file."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.sources: list[dict[str, str]] = list(data.get("sources") or [])
        self._hosts = {k: self._entry(v) for k, v in data["hosts"].items()}
        self._paths = {
            host: [(p[0], self._entry(p[1:])) for p in rows] for host, rows in data["paths"].items()
        }
        self.lookup = functools.lru_cache(maxsize=4096)(self._lookup)

    @staticmethod
    def _entry(row: list[Any]) -> tuple[Match, bool]:
        source, category, subdomains, params = row
        return Match(str(source), str(category), tuple(params or ())), bool(subdomains)

    def matches(self) -> list[Match]:
        """Every entry (for name lookups of utm_source values)."""
        rows = [m for m, _ in self._hosts.values()]
        return rows + [m for entries in self._paths.values() for _, (m, _) in entries]

    def __len__(self) -> int:
        return len(self._hosts) + sum(len(rows) for rows in self._paths.values())

    def _probe(self, key: str, path: str, exact: bool) -> Match | None:
        rows = self._paths.get(key)
        if rows and path:
            for prefix, (match, subdomains) in rows:
                if path.startswith(prefix) and (exact or subdomains):
                    return match
        found = self._hosts.get(key)
        if found is not None and (exact or found[1]):
            return found[0]
        return None

    def _lookup(self, host: str, path: str = "") -> Match | None:
        """The most specific entry for `host` (a normalised host name) and `path`."""
        subdomain, label, suffix = split_host(host)
        labels = [*subdomain.split("."), label] if subdomain else [label]
        # The first label may be a decoration ("www", "m", "de"): the rest is also exact.
        exact = 2 if len(labels) > 1 and _PREFIX.match(host) else 1
        for index in range(len(labels)):
            part = ".".join(labels[index:])
            for key in (f"{part}.{suffix}" if suffix else part, f"{part}.*" if suffix else ""):
                found = self._probe(key, path, index < exact) if key else None
                if found is not None:
                    return found
        if subdomain and any(_WEBMAIL_LABEL.match(p) for p in subdomain.split(".")):
            return Match(f"{label}.{suffix}" if suffix else label, EMAIL)
        if label.startswith("deref-"):  # GMX / web.de / 1&1 webmail's link dereferrer
            return Match(f"{label}.{suffix}", EMAIL)
        return None

    def app(self, package: str) -> Match | None:
        """An Android app sending `android-app://<package>/`: exact names only."""
        found = self._hosts.get(package)
        return found[0] if found else None


def search_term(match: Match, path: str, query: str) -> str | None:
    """The search words a search engine's referer carries (many no longer send any)."""
    if not match.params or match.category != SEARCH:
        return None
    values: dict[str, str] | None = None
    for param in match.params:
        if param.startswith("/") and param.endswith("/") and len(param) > 2:
            found = _regex(param[1:-1]).search(f"{path}?{query}" if query else path)
            term = unquote_plus(found.group(1)) if found and found.groups() else None
        else:
            if values is None:
                values = {k: v for k, v in reversed(parse_qsl(query[:4096]))}
            term = values.get(param)
        if term and term.strip():
            return " ".join(term.split())[:MAX_TERM]
    return None


@functools.lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error:
        return re.compile(r"(?!)")


@functools.cache
def default_table() -> RefererTable:
    """The shipped table, loaded once a process."""
    return load(DATA_FILE)


def load(path: Path) -> RefererTable:
    """A table from a compiled JSON file."""
    return RefererTable(json.loads(path.read_text(encoding="utf-8")))
