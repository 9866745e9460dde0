"""Build enrichment/data/referers.json from Matomo's list and our own additions.

Matomo's searchengine-and-social-list (CC0 1.0) gives search engines (with the query
parameters that carry the search term), social networks and AI assistants; our
`referers_local.yml` adds webmail, video, shopping and ad hosts. Snowplow's referers.yml
(GPL-3.0, so not shipped) is read too when an operator passes it.

The compiled table maps a host key to [source, category, subdomains, params]:
- "bing.com": that host (after a leading "www." or "m." is dropped);
- "google.*": the label under any public suffix;
- "bing.com/images": a path prefix on that host (kept under "paths").
`subdomains` says whether the entry also matches subdomains ("{}.host" in Matomo's syntax,
and every social, AI and local entry).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

SEARCH, SOCIAL, EMAIL, AI, VIDEO, SHOPPING, ADS = (
    "search",
    "social",
    "email",
    "ai",
    "video",
    "shopping",
    "ads",
)
CATEGORIES = (SEARCH, SOCIAL, EMAIL, AI, VIDEO, SHOPPING, ADS)
LOCAL_FILE = Path(__file__).parent / "data" / "referers_local.yml"
SNOWPLOW_MEDIA = {"search": SEARCH, "social": SOCIAL, "email": EMAIL, "chatbot": AI, "paid": ADS}
Entry = list[Any]  # [source, category, subdomains, params]


def _key(pattern: str) -> tuple[str, str, bool] | None:
    """(host key, path prefix, any subdomain) of one Matomo-syntax URL pattern."""
    pattern = pattern.strip().lower()
    if not pattern or "//" in pattern or " " in pattern:
        return None
    host, _, path = pattern.partition("/")
    subdomains = host.startswith("{}.")
    host = host.removeprefix("{}.").removeprefix("www.")
    if host.endswith(".{}"):
        host = host[:-3] + ".*"
    if "{}" in host or not host:
        return None
    return host, "/" + path if path else "", subdomains


class Table:
    """The compiled table, filled by `add` in priority order (the first entry wins)."""

    def __init__(self) -> None:
        self.hosts: dict[str, Entry] = {}
        self.paths: dict[str, list[tuple[str, Entry]]] = {}
        # A site our file names keeps our category under every host Matomo lists for it
        # (Matomo files YouTube under social networks; GA4 counts it as video).
        self.categories: dict[str, str] = {}

    def add(
        self,
        name: str,
        category: str,
        urls: Iterable[str],
        *,
        subdomains: bool,
        params: list[str] | None = None,
    ) -> None:
        category = self.categories.setdefault(name, category)
        for url in urls:
            key = _key(str(url))
            if key is None:
                continue
            host, path, any_sub = key
            entry = [name, category, subdomains or any_sub, params or None]
            if path:
                self.paths.setdefault(host, []).append((path, entry))
                continue
            found = self.hosts.setdefault(host, entry)
            if found[0] == name and found[1] == category:
                found[2] = found[2] or entry[2]  # "x.com" and "{}.x.com" listed apart
                found[3] = found[3] or entry[3]  # our name and category, Matomo's parameters

    def as_json(self, sources: list[dict[str, str]]) -> dict[str, Any]:
        paths = {h: sorted(v, key=lambda p: -len(p[0])) for h, v in sorted(self.paths.items())}
        return {
            "sources": sources,
            "hosts": dict(sorted(self.hosts.items())),
            "paths": {h: [[p, *e] for p, e in v] for h, v in paths.items()},
        }


def _named(rename: Mapping[str, str], name: str) -> str:
    return rename.get(name) or name.strip().lower()


def _add_local(table: Table, local: Mapping[str, Any]) -> None:
    for category in CATEGORIES:
        for name, urls in (local.get(category) or {}).items():
            # Search engines keep Matomo's exact-host rule: docs.google.com is no search.
            table.add(str(name), category, urls, subdomains=category != SEARCH)


def _add_matomo(table: Table, folder: Path, rename: Mapping[str, str]) -> None:
    for file, category in (("AIAssistants.yml", AI), ("Socials.yml", SOCIAL)):
        for name, urls in (yaml.safe_load((folder / file).read_text()) or {}).items():
            table.add(_named(rename, str(name)), category, urls, subdomains=True)
    engines = yaml.safe_load((folder / "SearchEngines.yml").read_text()) or {}
    for name, configs in engines.items():
        for config in configs or []:
            params = [str(p) for p in config.get("params") or []]
            table.add(
                _named(rename, str(name)), SEARCH, config.get("urls") or [], subdomains=False,
                params=params,
            )  # fmt: skip


def _add_snowplow(table: Table, path: Path, rename: Mapping[str, str]) -> None:
    data = yaml.safe_load(path.read_text()) or {}
    for medium, category in SNOWPLOW_MEDIA.items():
        for name, config in (data.get(medium) or {}).items():
            table.add(
                _named(rename, str(name)), category, config.get("domains") or [],
                subdomains=category != SEARCH, params=config.get("parameters"),
            )  # fmt: skip


def build(
    *,
    matomo: Path,
    matomo_version: str,
    snowplow: Path | None = None,
    local: Path = LOCAL_FILE,
) -> dict[str, Any]:
    """The JSON document `enrichment.referers` loads."""
    own = yaml.safe_load(local.read_text()) or {}
    rename = {str(k): str(v) for k, v in (own.get("rename") or {}).items()}
    table = Table()
    _add_local(table, own)
    _add_matomo(table, matomo, rename)
    sources = [
        {"name": "A-TRACK referers_local.yml", "licence": "project licence"},
        {
            "name": "matomo-org/searchengine-and-social-list",
            "version": matomo_version,
            "licence": "CC0-1.0",
        },
    ]
    if snowplow is not None:
        _add_snowplow(table, snowplow, rename)
        sources.append({"name": "snowplow-referer-parser referers.yml", "licence": "GPL-3.0"})
    return table.as_json(sources)
