"""Browser names ua-parser misses: browsers that add their token to a UA ua-parser reads as
the stock Android browser, a WebView or Safari (CM Browser's "ACHEETAHI", Baidu's
"bdbrowser", MIUI's, Opera's "OPR" without "Chrome"), names that are no browser (the
"HbbTV" TV standard, a word of the device model such as "M bot 51"), and Gecko browsers
ua-parser does not know ("Gecko/20030516 Mozilla Firebird/0.6"). Only applied where
ua-parser names no browser or one of those generic ones.
"""

from __future__ import annotations

import re

from enrichment.fastmatch import Matcher

# What ua-parser names when a browser it does not know runs on the same engine.
_HOSTS = frozenset({None, "Android", "Chrome Mobile WebView", "Mobile Safari", "Safari", "HbbTV"})
# Tokens of browsers built on a host engine; the version is the first group that matched.
_TOKENS: tuple[tuple[str, str], ...] = (
    (r"\bACHEETAHI/", "CM Browser"),
    (r"\b(?:bd|baidu)browser(?:_i18n)?/([0-9.]+)|\bBaiduHD/([0-9.]+)", "Baidu Browser"),
    (r"\bMiuiBrowser/([0-9.]+)", "MiuiBrowser"),
    (r"\bOPR/([0-9.]+)", "Opera"),
)
_TOKEN_MATCHER = Matcher([pattern for pattern, _ in _TOKENS])
_TOKEN_RES = tuple(re.compile(pattern, re.IGNORECASE) for pattern, _ in _TOKENS)
# The browser behind a name that is no browser, from its engine's own token.
_PRESTO = re.compile(r"\bOpera/9\.80\b|\bPresto/")
_OPERA_VERSION = re.compile(r"\bVersion/([0-9.]+)")
_CHROME = re.compile(r"\bChrome/([0-9.]+)")
# Gecko browsers follow the build date with their own name: "Gecko/20100115 Prism/1.0b3".
_GECKO_PRODUCT = re.compile(
    r"\bGecko/[0-9]{8} (?:Mozilla )?([A-Za-z][A-Za-z-]{1,30})/([0-9][0-9.]*)"
)


def _major_minor(version: str | None) -> str | None:
    # "major.minor", as device.py writes ua-parser's versions.
    parts = (version or "").split(".")[:2]
    return ".".join(part for part in parts if part.isdigit()) or None


def _token(ua: str) -> tuple[str, str | None] | None:
    index = _TOKEN_MATCHER.first(ua)
    if index is None:
        return None
    match = _TOKEN_RES[index].search(ua)
    version = next((group for group in match.groups() if group), None) if match else None
    name = _TOKENS[index][1]
    if name == "Opera" and "Android" in ua:
        name = "Opera Mobile"
    return name, _major_minor(version)


def _engine(ua: str) -> tuple[str, str | None] | None:
    if _PRESTO.search(ua):
        match = _OPERA_VERSION.search(ua)
        return "Opera", _major_minor(match.group(1) if match else None)
    if match := _CHROME.search(ua):
        return "Chrome Mobile" if "Mobile" in ua else "Chrome", _major_minor(match.group(1))
    return None


def fix_browser(
    ua: str, name: str | None, version: str | None, model: str | None
) -> tuple[str | None, str | None]:
    """(browser name, version), corrected where ua-parser names none or a generic one."""
    misread = name is not None and model is not None and name in model
    if name not in _HOSTS and not misread:
        return name, version
    found = _token(ua)
    if found is None and (name in (None, "HbbTV") or misread):
        found = _engine(ua)
    if found is None and name is None and (match := _GECKO_PRODUCT.search(ua)):
        found = match.group(1), _major_minor(match.group(2))
    return found or (name, version)
