"""Typed errors: one class per kind of failure, all under `ATrackError`."""

from __future__ import annotations

from typing import Any


class ATrackError(Exception):
    """Any failure of an A-TRACK call.

    `status` is the HTTP status (None when no answer came), `code` the service's error
    code (`invalid_payload`, `rate_limited`...), `fields` its per-field messages.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
        retry_after: float | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.fields = fields or {}
        self.retry_after = retry_after
        self.body = body

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, code={self.code!r}, {self.message!r})"
        )


class TransportError(ATrackError):
    """No HTTP answer: connection refused or reset, DNS failure, timeout."""


class RequestTimeoutError(TransportError):
    """The service did not answer within the client's timeout."""


class QueueFullError(ATrackError):
    """Background batching: the local queue is full, the write was dropped."""


class APIError(ATrackError):
    """The service answered with an error status."""


class ValidationError(APIError):
    """400: the body is not JSON or has invalid fields (see `fields`)."""


class AuthenticationError(APIError):
    """401: missing, unknown or expired key."""


class PermissionDeniedError(APIError):
    """403: revoked key, a public key on a read or erase, or an origin not allowed."""


class NotFoundError(APIError):
    """404: unknown session (on show/delete) or route."""


class PayloadTooLargeError(APIError):
    """413: body over 64 KiB (512 KiB for /batch) or over 100 batch items."""


class RateLimitError(APIError):
    """429: too many requests for this key; `retry_after` says when to retry (seconds)."""


class ServerError(APIError):
    """5xx: the service failed; retried automatically."""


class ServiceUnavailableError(ServerError):
    """503: neither the queue nor the database could take the write."""


_BY_STATUS: dict[int, type[APIError]] = {
    400: ValidationError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    413: PayloadTooLargeError,
    429: RateLimitError,
    503: ServiceUnavailableError,
}


def error_for(status: int, body: Any, retry_after: float | None = None) -> APIError:
    """The typed error an unsuccessful answer stands for."""
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else APIError)
    fields = error.get("fields")
    return cls(
        str(error.get("message") or f"A-TRACK answered HTTP {status}."),
        status=status,
        code=str(error.get("code") or f"http_{status}"),
        fields=fields if isinstance(fields, dict) else None,
        retry_after=retry_after,
        body=body,
    )
