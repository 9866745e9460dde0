"""device_data: browser, OS, device and bot, from ua-parser plus our own rules."""

from __future__ import annotations

import dataclasses
import functools
import logging
import re
from dataclasses import dataclass
from typing import Any

import ua_parser

from enrichment._text import clean_text
from enrichment.bots import LIBRARY, Bot, named_bot, unnamed_bot
from enrichment.browser_rules import fix_browser
from enrichment.client_hints import Hints, browser_version, os_name, os_version
from enrichment.clients import client_type
from enrichment.device_rules import BOT, DESKTOP, MOBILE, TABLET, UNKNOWN, device_class
from enrichment.os_rules import fix_os

logger = logging.getLogger(__name__)

# Long enough for every real browser; bounds the regex work on hostile input.
MAX_UA_LENGTH = 1024
CACHE_SIZE = 10_000
DATACENTER_BOT = Bot("datacenter traffic", "datacenter")

_GENERIC_BRANDS = frozenset({"Generic", "Generic_Android", "Generic_Android_Tablet", "Spider"})
_GENERIC_MODELS = frozenset({"Smartphone", "Tablet", "Feature Phone", "Desktop", "Other"})
_APP_CLIENTS = frozenset(
    {
        "Facebook",
        "Instagram",
        "Twitter",
        "LinkedIn",
        "Pinterest",
        "Snapchat",
        "WeChat",
        "LINE",
        "TikTok",
        "Facebook Messenger",
        "Google",
        "Slack",
        "Teams",
        "WhatsApp",
    }
)


@dataclass(frozen=True)
class _Device:
    """The cached, immutable result for one UA string."""

    model: str | None = None
    brand: str | None = None
    os_name: str | None = None
    os_version: str | None = None
    client_name: str | None = None
    client_version: str | None = None
    client_type: str | None = None
    device_class: str = UNKNOWN
    bot: Bot | None = None


def resolver_name() -> str:
    """The ua-parser resolver in use ("regex" is the Rust ua-parser-rs one)."""
    resolver = getattr(ua_parser.parser.resolver, "parser", ua_parser.parser.resolver)
    return type(resolver).__module__.rsplit(".", 1)[-1]


def _version(major: str | None, minor: str | None) -> str | None:
    # "major.minor" is what the documentation shows ("17.2" for iOS 17_2_1).
    if not major:
        return None
    return f"{major}.{minor}" if minor else major


def _client_type(family: str | None, bot: Bot | None, kind: str | None) -> str | None:
    if bot is not None:
        return "library" if bot.category == LIBRARY else "bot"
    if kind is not None:
        return kind
    if not family or family == "Other":
        return None
    if "WebView" in family:
        return "webview"
    return "app" if family in _APP_CLIENTS else "browser"


def _client(ua: str, result: ua_parser.Result) -> tuple[str | None, str | None]:
    agent, os, device = result.user_agent, result.os, result.device
    if agent is None or agent.family == "Other":
        name, version = None, None
    else:
        name, version = agent.family, _version(agent.major, agent.minor)
    if name == "Mobile Safari UI/WKWebView" and "AppleWebKit" not in ua and os:
        # A UA cut after the platform ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2_1 like
        # Mac OS X)", as in the docs) names no browser: Safari, whose version is the OS's.
        return "Mobile Safari", _version(os.major, os.minor)
    return fix_browser(ua, name, version, device.model if device else None)


def _parser_bot(ua: str, result: ua_parser.Result) -> Bot | None:
    """Bots only ua-parser knows, and clients that identify as no browser, OS or device."""
    agent, device, os = result.user_agent, result.device, result.os
    if device is not None and device.family == "Spider":
        return Bot(agent.family if agent else "unknown bot", "crawler")
    # A person's browser names a known browser, OS or device; a UA that names none of
    # them ("Mozilla/5.0 (compatible)", "Linux Gnu (cow)") is a script or a service.
    unknown = (agent is None or agent.family == "Other") and (os is None or os.family == "Other")
    unknown = unknown and (device is None or device.family == "Other")
    # ...and our own TV/console/phone rules know nothing of it either.
    if unknown and device_class(ua) == UNKNOWN:
        return Bot("unidentified client", "unknown")
    return None


def _device(ua: str) -> _Device:
    result = ua_parser.parse(ua)
    device, os = result.device, result.os
    # Named crawlers first. People's non-browser software (podcast apps, VLC, feed readers)
    # is only looked for when a generic signature fired: it is what would catch them.
    bot = named_bot(ua)
    kind = None
    if bot is None:
        bot = unnamed_bot(ua) or _parser_bot(ua, result)
        kind = client_type(ua) if bot is not None else None
        bot = None if kind else bot
    name, version = _client(ua, result)
    family = device.family if device else None
    brand = device.brand if device else None
    known_os = os is not None and os.family != "Other"
    os_name, os_version = fix_os(
        ua,
        os.family if known_os and os else None,
        _version(os.major, os.minor) if known_os and os else None,
    )
    return _Device(
        model=device.model if device and device.model not in _GENERIC_MODELS else None,
        brand=brand if brand not in _GENERIC_BRANDS else None,
        os_name=os_name,
        os_version=os_version,
        client_name=name,
        client_version=version,
        client_type=_client_type(name, bot, kind),
        device_class=BOT if bot else device_class(ua, family, brand),
        bot=bot,
    )


@functools.lru_cache(maxsize=CACHE_SIZE)
def _parse_cached(ua: str) -> _Device:
    try:
        return _device(ua)
    except Exception:  # a parser bug must not fail enrichment; report it as unknown
        logger.warning("user agent parsing failed for %r", ua[:200], exc_info=True)
        return _Device()


def _as_dict(info: _Device, bot: Bot | None) -> dict[str, Any]:
    return {
        "model": info.model,
        "brand": info.brand,
        "os": {"name": info.os_name, "version": info.os_version},
        "client": {
            "name": info.client_name,
            "version": info.client_version,
            "type": info.client_type,
        },
        "device_class": info.device_class,
        "is_mobile": info.device_class == MOBILE,
        "is_desktop": info.device_class == DESKTOP,
        "is_tablet": info.device_class == TABLET,
        "is_bot": bot is not None,
        "bot": {"name": bot.name, "category": bot.category} if bot else None,
    }


# Chrome's reduced Android UA: "(Linux; Android 10; K)" whatever the phone.
_ANDROID_PLATFORM = re.compile(r"\(Linux; Android [0-9.]+; [^;)]*\)")


def _unreduced(ua: str, hints: Hints) -> str:
    """The UA Chrome would have sent before UA reduction, rebuilt from the hints."""
    if hints.platform != "Android" or not (hints.model or hints.platform_version):
        return ua
    version = os_version("Android", hints.platform_version) or "10"
    model = (hints.model or "K").replace(")", "").replace(";", "")
    return _ANDROID_PLATFORM.sub(f"(Linux; Android {version}; {model})", ua, count=1)


@functools.lru_cache(maxsize=CACHE_SIZE)
def _hinted(ua: str, hints: Hints) -> _Device:
    info = _parse_cached(_unreduced(ua, hints))
    if info.bot is not None:
        return info
    name = os_name(hints) or info.os_name
    version = os_version(name, hints.platform_version) if name else None
    if version is None and name == info.os_name:
        version = info.os_version
    klass = info.device_class
    if hints.mobile and klass == DESKTOP:
        klass = MOBILE
    return dataclasses.replace(
        info,
        os_name=name,
        os_version=version,
        client_version=browser_version(hints, info.client_name) or info.client_version,
        device_class=klass,
    )


def parse_device(
    user_agent: str | None, *, hosting_ip: bool = False, hints: Hints | None = None
) -> dict[str, Any]:
    """device_data for a UA, corrected by client hints; `hosting_ip` (datacenter origin)
    marks a non-bot UA as a bot."""
    ua = clean_text(user_agent, MAX_UA_LENGTH).strip() if isinstance(user_agent, str) else ""
    info = _hinted(ua, hints) if hints is not None else _parse_cached(ua)
    bot = info.bot
    if bot is None and hosting_ip:
        bot = DATACENTER_BOT
    return _as_dict(info, bot)


def unknown_device(*, hosting_ip: bool = False) -> dict[str, Any]:
    """device_data when no UA was sent at all (a server-side init, say): nothing known."""
    bot = DATACENTER_BOT if hosting_ip else None
    return _as_dict(_Device(), bot)
