"""Hosts and registrable domains, offline (tldextract's bundled public-suffix snapshot)."""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import urlsplit

import tldextract

# suffix_list_urls=() and cache_dir=None: never fetch the list, never write a cache; the
# snapshot shipped inside the wheel is used. Private suffixes stay off so that
# "foo.blogspot.com" counts as blogspot.com, the way analytics tools report it.
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)
_HOST = re.compile(r"^[a-z0-9_]([a-z0-9\-_]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9\-_]*[a-z0-9_])?)*$")
_BARE_HOST = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?([/?#]|$)", re.IGNORECASE)
_ANDROID_PACKAGE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


@dataclass(frozen=True)
class Referer:
    """A referer reduced to what attribution needs."""

    host: str  # a host name, an IP literal, or an Android package name
    domain: str  # the registrable domain ("google.co.uk") or the package name
    label: str  # the registrable label ("google"), or the package name
    suffix: str  # the public suffix ("co.uk"), "" for IPs, single labels and packages
    is_app: bool = False
    path: str = ""
    query: str = ""


def normalize_host(value: str) -> str | None:
    """Lower-case host without port, brackets or trailing dot; None when not a host."""
    host = value.strip().lower().rstrip(".")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not host or len(host) > 253:
        return None
    if not host.isascii():
        try:  # an internationalised name: compare it in its ASCII (punycode) form
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    if _HOST.match(host):
        return host
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


@functools.lru_cache(maxsize=4096)
def split_host(host: str) -> tuple[str, str, str]:
    """(subdomain, label, suffix) of a normalised host; IPs keep the whole address."""
    if ":" in host or host.replace(".", "").isdigit():
        return "", host, ""
    parts = _EXTRACT(host)
    if not parts.suffix:
        return parts.subdomain, parts.domain, ""
    return parts.subdomain, parts.domain, parts.suffix


@functools.lru_cache(maxsize=4096)
def parse_referer(value: str | None) -> Referer | None:
    """The host and registrable domain of a referer URL (or android-app:// URI).

    Cached: the same few referers (a search engine's home page, a newsletter link) come
    back for many sessions, and urlsplit's own cache holds only 128 URLs.
    """
    if not value:
        return None
    value = value.strip()[:2048]
    if "//" not in value and _BARE_HOST.match(value):
        value = "//" + value  # a scheme-less "google.com/" as some SDKs send it
    try:
        parts = urlsplit(value)
        raw_host = parts.hostname if parts.netloc else None
    except ValueError:
        return None
    if parts.scheme.lower() == "android-app" and parts.netloc:
        package = parts.netloc.lower()
        if _ANDROID_PACKAGE.match(package):
            return Referer(package, package, package, "", is_app=True)
        return None
    host = normalize_host(raw_host) if raw_host else None
    if host is None:
        return None
    _, label, suffix = split_host(host)
    domain = f"{label}.{suffix}" if suffix else label
    return Referer(
        host=host, domain=domain, label=label, suffix=suffix, path=parts.path, query=parts.query
    )


def is_own_host(host: str, own_hosts: Collection[str]) -> bool:
    """True when `host` is one of `own_hosts` or a subdomain of one ("www." ignored)."""
    host = host.removeprefix("www.")
    for own in own_hosts:
        own_host = normalize_host(own.split("://")[-1].split("/")[0].rsplit(":", 1)[0])
        if not own_host:
            continue
        own_host = own_host.removeprefix("www.")
        if host == own_host or host.endswith("." + own_host):
            return True
    return False
