"""Who a request comes from, honouring proxies only where they are trusted."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from enrichment.net import client_ip


def client_address(request: HttpRequest) -> str:
    """The client's address: X-Forwarded-For is believed only from TRUSTED_PROXIES."""
    meta = request.META
    forwarded = meta.get("HTTP_X_FORWARDED_FOR")
    return client_ip(meta.get("REMOTE_ADDR"), forwarded, settings.TRUSTED_PROXIES) or ""
