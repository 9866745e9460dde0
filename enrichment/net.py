"""IP address helpers: validation, anonymisation, client address behind proxies."""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Sequence

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

MAX_FORWARDED_HOPS = 20
# Not globally routable and meant for private use: RFC 1918, carrier-grade NAT, ULA.
_PRIVATE = tuple(
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
                                      "100.64.0.0/10", "fc00::/7")
)  # fmt: skip


def _parse(value: object) -> IPAddress | None:
    if isinstance(value, ipaddress.IPv4Address | ipaddress.IPv6Address):
        return _unmapped(value)
    if isinstance(value, str) and len(value) <= 64:
        return _parse_text(value)
    return None


@functools.lru_cache(maxsize=4096)
def _parse_text(value: str) -> IPAddress | None:
    """Cached: every request parses its peer's address (often a proxy's, always the same)
    and a visitor's requests repeat theirs."""
    text = value.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.9:8080"
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])  # zone ids are local
    except ValueError:
        return None
    return _unmapped(address)


def _unmapped(address: IPAddress) -> IPAddress:
    """An IPv4-mapped IPv6 address as the IPv4 address it carries."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def normalize_ip(value: object) -> str | None:
    """Canonical text of an IPv4/IPv6 address (IPv4-mapped IPv6 → IPv4), else None."""
    address = _parse(value)
    return str(address) if address is not None else None


def anonymize_ip(ip: str) -> str:
    """Zero the last octet (IPv4) or the last 80 bits (IPv6); "" when `ip` is invalid."""
    address = _parse(ip)
    if address is None:
        return ""
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False).network_address)


def _private(address: IPAddress) -> bool:
    """Private-use ranges: RFC 1918, carrier-grade NAT 100.64/10, IPv6 ULA."""
    return any(address in net for net in _PRIVATE)


def _reserved(address: IPAddress, private: bool) -> bool:
    """Neither public nor private-use: loopback, link-local, multicast, unspecified,
    documentation, benchmarking, future-use and the like."""
    return not private and (address.is_multicast or not address.is_global)


def classify_ip(value: object) -> tuple[str, bool, bool] | None:
    """(canonical text, is_private, is_reserved) of an address, parsed once; None when
    `value` is not one."""
    address = _parse(value)
    if address is None:
        return None
    private = _private(address)
    return str(address), private, _reserved(address, private)


@functools.lru_cache(maxsize=64)
def _networks(trusted: tuple[str, ...]) -> tuple[Network, ...]:
    found: list[Network] = []
    for entry in trusted:
        try:
            network = ipaddress.ip_network(str(entry).strip(), strict=False)
        except ValueError:
            continue  # a bad setting entry trusts nothing rather than failing requests
        found.append(network)
    return tuple(found)


def _is_trusted(address: IPAddress, networks: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_ip(
    remote_addr: str | None, forwarded_for: str | None, trusted_proxies: Sequence[str]
) -> str | None:
    """The client's address: X-Forwarded-For is only believed from trusted proxies.

    The header is walked from the right (the hop our own proxy appended) and trusted hops
    are skipped; the first untrusted address is the client. Anything to its left was
    written by the client itself and could be forged.
    """
    remote = _parse(remote_addr)
    networks = _networks(tuple(str(p) for p in trusted_proxies or ()))
    if remote is None or not forwarded_for or not _is_trusted(remote, networks):
        return str(remote) if remote is not None else None
    client = remote
    hops = str(forwarded_for).split(",")[-MAX_FORWARDED_HOPS:]
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            break  # a garbled hop: keep the last address we could verify
        client = address
        if not _is_trusted(address, networks):
            break
    return str(client)
