"""The official Python SDK of A-TRACK (standard library only)."""

from __future__ import annotations

from atrack_sdk.client import ATrackClient
from atrack_sdk.errors import (
    APIError,
    ATrackError,
    AuthenticationError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    QueueFullError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    ServiceUnavailableError,
    TransportError,
    ValidationError,
)

__version__ = "0.1.0"

__all__ = [
    "APIError",
    "ATrackClient",
    "ATrackError",
    "AuthenticationError",
    "NotFoundError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "QueueFullError",
    "RateLimitError",
    "RequestTimeoutError",
    "ServerError",
    "ServiceUnavailableError",
    "TransportError",
    "ValidationError",
    "__version__",
]
