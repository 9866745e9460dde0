"""DRF authentication and permissions for project keys.

`request.auth` is the `KeyInfo` of the key the request carried; views take the project
from it and nothing else.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from atrack.clients import public_address
from atrack.errors import ApiError
from atrack.observability import note_key
from projects.keys import SECRET, TAGS
from projects.selectors import KeyInfo, key_lookup
from projects.windows import AddressWindow

HEADER = "HTTP_X_A_TRACK_KEY"
failures = AddressWindow(seconds=60.0)


def _raw_key(request: Request) -> str:
    raw = request.META.get(HEADER, "")
    if raw:
        return str(raw).strip()
    scheme, _, token = str(request.META.get("HTTP_AUTHORIZATION", "")).partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        token = token.strip()
        if not token.startswith(TAGS[SECRET]):
            raise ApiError(401, "invalid_key", "Only secret keys may be sent as a Bearer token.")
        return token
    return _query_key(request)


def _query_key(request: Request) -> str:
    # navigator.sendBeacon cannot set headers, so a public key may ride in `?key=`.
    raw = str(request.query_params.get("key", "")).strip()
    if raw.startswith(TAGS[SECRET]):
        raise ApiError(401, "invalid_key", "Secret keys must never be sent in a URL.")
    return raw


def authenticate_key(raw: str) -> KeyInfo:
    """The active key `raw` stands for; raises the documented 401/403 otherwise."""
    if not raw:
        raise ApiError(401, "missing_key", "Send your project key in the x-a-track-key header.")
    info = key_lookup(raw=raw)
    if info is None:
        raise ApiError(401, "invalid_key", "Unknown API key.")
    if info.revoked_at is not None:
        raise ApiError(403, "revoked_key", "This API key has been revoked.")
    if info.is_expired:
        raise ApiError(401, "expired_key", "This API key has expired after rotation.")
    return info


def key_info(request: Request) -> KeyInfo:
    """The authenticated key of `request` (views behind `CanWrite`/`CanRead` only)."""
    info = request.auth
    if not isinstance(info, KeyInfo):
        raise ApiError(401, "missing_key", "Send your project key in the x-a-track-key header.")
    return info


class ProjectKeyAuthentication(BaseAuthentication):
    """Reads `x-a-track-key` (or `Authorization: Bearer <secret key>`).

    An address that sent more than UNKNOWN_KEYS_PER_MINUTE keys that do not exist is
    refused (429) without a look-up until the minute is over: guessing keys costs the
    guesser, not the database."""

    def authenticate(self, request: Request) -> tuple[None, KeyInfo]:
        address = public_address(request.META)
        limit = settings.UNKNOWN_KEYS_PER_MINUTE
        if address and limit > 0 and failures.count(address) >= limit:
            raise ApiError(
                429,
                "rate_limited",
                "Too many unknown keys from this address; retry later.",
                headers={"Retry-After": "60"},
            )
        try:
            info = authenticate_key(_raw_key(request))
        except ApiError as exc:
            if address and exc.error_code == "invalid_key":
                failures.hit(address)
            raise
        note_key(
            project=info.project.slug,
            key_prefix=info.prefix,
            ip=request.META.get("REMOTE_ADDR"),
            log_ip=not info.project.anonymize_ip,
        )
        return None, info

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="a-track", header="x-a-track-key"'


class CanWrite(BasePermission):
    """Public and secret keys may write."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, KeyInfo)


class CanRead(BasePermission):
    """Reads need a secret key, or a public key on a project with `public_reads`."""

    def has_permission(self, request: Request, view: Any) -> bool:
        info = request.auth
        if not isinstance(info, KeyInfo):
            return False
        if info.is_secret or info.project.public_reads:
            return True
        raise ApiError(403, "read_not_allowed", "Reading needs a secret key.")


class CanErase(BasePermission):
    """Erasing data needs a secret key, whatever `public_reads` says."""

    def has_permission(self, request: Request, view: Any) -> bool:
        info = request.auth
        if not isinstance(info, KeyInfo):
            return False
        if info.is_secret:
            return True
        raise ApiError(403, "erase_not_allowed", "Erasing needs a secret key.")
