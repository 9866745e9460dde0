"""OS names ua-parser misses: lower-cased or obfuscated Android ("andr0id", "diordnA" on
TVs, "Adr 9" in UC Browser), Android apps on Chromebooks, UC Browser's iOS form
("dv(iPh12,3);...;ov(15_3_1)"), Windows Mobile behind a generic "Windows", Nokia feature
phones, game consoles and game launchers ("(win10 x64)"). Only applied where ua-parser
names no OS or a more generic one.
"""

from __future__ import annotations

import re

from enrichment.fastmatch import Matcher

_GENERIC = frozenset({None, "Linux", "Windows", "Other"})
_ANDROID = re.compile(r"\b(?:andr[o0]id|adr)[ /]?([0-9]+(?:\.[0-9]+)?)|diordnA ([0-9]+)", re.I)
_IOS = re.compile(r"dv\(iP(?:h|ad|od)[^)]*\).*?ov\(([0-9]+)(?:_([0-9]+))?")
_RULES: tuple[tuple[str, str], ...] = (
    (r"Chromebook|\bCrOS\b", "Chrome OS"),
    (r"(?i)\bandr[o0]id\b|diordnA|\bAdr [0-9]", "Android"),
    (r"dv\(iP(h|ad|od)", "iOS"),
    (r"WPDesktop|Windows Phone|ZuneWP7", "Windows Phone"),
    (r"(?i)Windows CE|IEMobile|Windows Mobile", "Windows Mobile"),
    (r"Series ?60|SymbOS|Symbian", "Symbian OS"),
    (r"Series ?40|S40OviBrowser|Nokia[0-9]{3,4}[a-z]?(-[0-9])?/|NOKIA-RH-", "Nokia Series 40"),
    (r"(?i)playstation|\bPS[345]\b", "PlayStation"),
    (r"Nintendo", "Nintendo"),
    (r"\bXbox", "Xbox"),
    (r"\(win(7|8|10|11|xp)\b|\bwin(32|64)\b", "Windows"),
)
_MATCHER = Matcher([pattern for pattern, _ in _RULES])


def _version(name: str, ua: str) -> str | None:
    found = _ANDROID if name == "Android" else _IOS if name == "iOS" else None
    match = found.search(ua) if found else None
    if match is None:
        return None
    major, minor = (match.group(1) or match.group(2)), match.group(2) if name == "iOS" else None
    if name == "Android":
        return match.group(1) or match.group(2)
    return f"{major}.{minor}" if minor else major


_WINDOWS_MOBILE = ("Windows CE", "IEMobile", "WPDesktop", "Windows Phone", "Windows Mobile")


def fix_os(ua: str, name: str | None, version: str | None) -> tuple[str | None, str | None]:
    """(OS name, version), corrected where ua-parser names none or a generic one."""
    # Most traffic is Android and Windows: plain substring tests keep their cost near zero.
    if name == "Android":
        return ("Chrome OS", None) if "Chromebook" in ua or "CrOS" in ua else (name, version)
    if name == "Windows" and not any(token in ua for token in _WINDOWS_MOBILE):
        return name, version
    if name not in _GENERIC:
        return name, version
    index = _MATCHER.first(ua)
    if index is None:
        return name, version
    found = _RULES[index][1]
    if found == name:
        return name, version
    if name == "Windows" and found not in ("Windows Phone", "Windows Mobile"):
        return name, version
    return found, _version(found, ua)
