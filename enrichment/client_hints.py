"""User-Agent Client Hints: what Chromium browsers no longer put in the UA string.

Chrome's reduced UA says "Windows NT 10.0" on Windows 11 and "Android 10; K" whatever the
phone. The truth comes in client hints, either as request headers (Sec-CH-UA-*) or from
`navigator.userAgentData.getHighEntropyValues()` in the browser SDK. Both are read into
one `Hints`, which then corrects the OS, model and browser version parsed from the UA.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

HEADERS = {
    "sec-ch-ua": "brands",
    "sec-ch-ua-mobile": "mobile",
    "sec-ch-ua-platform": "platform",
    "sec-ch-ua-platform-version": "platformVersion",
    "sec-ch-ua-model": "model",
    "sec-ch-ua-full-version-list": "fullVersionList",
}
# What the request's WSGI environ calls them.
META_KEYS = {"HTTP_" + name.upper().replace("-", "_"): name for name in HEADERS}
_BRAND = re.compile(r'"((?:[^"\\]|\\.){0,64})"\s*;\s*v\s*=\s*"((?:[^"\\]|\\.){0,32})"')
_LIMIT = 128
# Browser brands as ua-parser names the family; "Chromium" is every Chromium browser.
_FAMILY_BRANDS = {
    "Chrome": ("Google Chrome",),
    "Chrome Mobile": ("Google Chrome",),
    "Edge": ("Microsoft Edge",),
    "Edge Mobile": ("Microsoft Edge",),
    "Opera": ("Opera",),
    "Opera Mobile": ("Opera",),
    "Yandex Browser": ("YaBrowser", "Yandex"),
    "Samsung Internet": ("Samsung Internet",),
    "Brave": ("Brave",),
    "Chromium": ("Chromium",),
}
# Sec-CH-UA-Platform names → ua-parser OS families.
_PLATFORMS = {
    "windows": "Windows",
    "android": "Android",
    "macos": "Mac OS X",
    "chrome os": "Chrome OS",
    "chromeos": "Chrome OS",
    "linux": "Linux",
    "ios": "iOS",
}


@dataclass(frozen=True)
class Hints:
    """The client hints of one request, each None when not sent."""

    platform: str | None = None
    platform_version: str | None = None
    model: str | None = None
    mobile: bool | None = None
    brands: tuple[tuple[str, str], ...] = ()  # (brand, version): full versions first


def _text(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    text = value.strip().strip('"').strip()[:_LIMIT]
    return text or None


def _brand_list(value: object) -> list[tuple[str, str]]:
    """[(brand, version)] from a header string or a userAgentData list of objects."""
    if isinstance(value, str):
        return [(b.replace('\\"', '"'), v) for b, v in _BRAND.findall(value[:1024])]
    if isinstance(value, list):
        items = [item for item in value[:16] if isinstance(item, Mapping)]
        pairs = [(_text(item.get("brand")), _text(item.get("version"))) for item in items]
        return [(b, v) for b, v in pairs if b and v]
    return []


def _mobile(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip() in ("?1", "?0"):
        return value.strip() == "?1"
    return None


def from_values(values: Mapping[str, Any]) -> Hints | None:
    """Hints from userAgentData-shaped values (the SDK's, or headers renamed)."""
    full = _brand_list(values.get("fullVersionList"))
    hints = Hints(
        platform=_text(values.get("platform")),
        platform_version=_text(values.get("platformVersion")),
        model=_text(values.get("model")),
        mobile=_mobile(values.get("mobile")),
        brands=tuple(full + _brand_list(values.get("brands"))),
    )
    return None if hints == Hints() else hints


def from_headers(headers: Mapping[str, Any]) -> dict[str, str]:
    """The client-hint headers of a request (any case), as userAgentData field names."""
    found = {}
    for name, value in headers.items():
        field = HEADERS.get(str(name).lower())
        if field and isinstance(value, str):
            found[field] = value[:1024]
    return found


def from_meta(meta: Mapping[str, Any]) -> dict[str, str]:
    """The client-hint headers of a WSGI environ, by header name (what `clientHints` holds)."""
    return {name: str(meta[key])[:1024] for key, name in META_KEYS.items() if key in meta}


def from_client(client: Mapping[str, Any]) -> Hints | None:
    """Hints from `context.client`: `userAgentData` (the browser SDK) wins over
    `clientHints` (headers, forwarded by a server SDK or taken from the request)."""
    headers = client.get("clientHints")
    data = client.get("userAgentData")
    values = from_headers(headers) if isinstance(headers, Mapping) else {}
    if isinstance(data, Mapping):
        values.update({k: v for k, v in data.items() if v not in (None, "")})
    return from_values(values) if values else None


def os_version(platform: str, version: str | None) -> str | None:
    """The OS version a platform version stands for (Windows 11 says 13.0.0 or more)."""
    if not version:
        return None
    parts = version.split(".")
    if not parts[0].isdigit():
        return None
    if platform == "Windows":
        major = int(parts[0])
        if major >= 13:
            return "11"
        if major >= 1:
            return "10"
        return {"1": "7", "2": "8", "3": "8.1"}.get(parts[1] if len(parts) > 1 else "")
    minor = parts[1] if len(parts) > 1 and parts[1].isdigit() and parts[1] != "0" else None
    return f"{parts[0]}.{minor}" if minor else parts[0]


def os_name(hints: Hints) -> str | None:
    """The ua-parser OS family of the hinted platform."""
    return _PLATFORMS.get(hints.platform.lower()) if hints.platform else None


def browser_version(hints: Hints, family: str | None) -> str | None:
    """The full version of the browser ua-parser named, from the brand list."""
    if not family:
        return None
    wanted = _FAMILY_BRANDS.get(family, (family,))
    return next((v for b, v in hints.brands if b in wanted and "." in v), None)
