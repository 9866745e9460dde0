"""Who a request comes from, honouring proxies only where they are trusted."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from enrichment.net import classify_ip, client_ip


def address_of(meta: Mapping[str, Any]) -> str:
    """The client's address: X-Forwarded-For is believed only from TRUSTED_PROXIES."""
    forwarded = meta.get("HTTP_X_FORWARDED_FOR")
    return client_ip(meta.get("REMOTE_ADDR"), forwarded, settings.TRUSTED_PROXIES) or ""


def client_address(request: HttpRequest) -> str:
    return address_of(request.META)


def public_address(meta: Mapping[str, Any]) -> str:
    """The client's address when it is a public one; "" for private and loopback
    addresses, the deployment's own (a proxy left out of TRUSTED_PROXIES, a probe), which
    per-address limits leave alone."""
    address = address_of(meta)
    classified = classify_ip(address)
    return "" if classified is None or classified[1] or classified[2] else address
