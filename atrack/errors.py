"""One JSON error shape for every refusal the API gives."""

from __future__ import annotations

from typing import Any, Literal

import msgspec
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

# DRF exception class → (our error code) when the exception carries no code of ours.
_CODES: dict[type[exceptions.APIException], str] = {
    exceptions.ParseError: "malformed_json",
    exceptions.ValidationError: "invalid_payload",
    exceptions.NotAuthenticated: "missing_key",
    exceptions.AuthenticationFailed: "invalid_key",
    exceptions.PermissionDenied: "forbidden",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "rate_limited",
}


class ApiError(exceptions.APIException):
    """An error with our own code, status and optional per-field messages."""

    def __init__(
        self,
        status_code: int,
        code: str,
        message: str,
        fields: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        self.error_code = code
        self.fields = fields
        self.headers = headers or {}


class ErrorDetail(msgspec.Struct, omit_defaults=True):
    code: str
    message: str
    fields: dict[str, list[str]] | None = None


class Error(msgspec.Struct):
    """Every refusal's body (atrack.api.contract publishes its schema)."""

    success: Literal[False]
    error: ErrorDetail


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> Error:
    return Error(
        success=False, error=ErrorDetail(code=code, message=message, fields=fields or None)
    )


def body_too_large(limit: int) -> ApiError:
    """The 413 for a body over `limit` bytes, worded alike at every entry point."""
    return ApiError(413, "payload_too_large", f"The body is over {limit // 1024} KiB.")


def error_json(error: ApiError) -> bytes:
    """`error` as the response body, for the entry points that answer below Django."""
    return msgspec.json.encode(error_body(error.error_code, str(error.detail), error.fields))


def _describe(exc: exceptions.APIException) -> tuple[str, str, dict[str, Any] | None]:
    if isinstance(exc, ApiError):
        return exc.error_code, str(exc.detail), exc.fields
    code = next((c for cls, c in _CODES.items() if isinstance(exc, cls)), "error")
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        fields = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        return code, "The request body has invalid fields.", fields
    return code, str(exc.detail), None


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler with our body shape; `Retry-After` and friends are kept."""
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    code, message, fields = _describe(exc)
    # Plain data, so that any DRF renderer writes it (the schema view's included).
    response.data = msgspec.to_builtins(error_body(code, message, fields))
    for name, value in getattr(exc, "headers", {}).items():
        response[name] = value
    return response


def json_error(
    status_code: int, code: str, message: str, fields: dict[str, Any] | None = None
) -> HttpResponse:
    body = msgspec.json.encode(error_body(code, message, fields))
    return HttpResponse(body, status=status_code, content_type="application/json")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return json_error(status.HTTP_404_NOT_FOUND, "not_found", f"No route for {request.path}.")


def server_error(request: HttpRequest) -> HttpResponse:
    return json_error(
        status.HTTP_500_INTERNAL_SERVER_ERROR, "server_error", "Internal error; it was logged."
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's own 400s (a Host not in ALLOWED_HOSTS, say) in the API's error shape."""
    if isinstance(exception, DisallowedHost):
        return json_error(
            status.HTTP_400_BAD_REQUEST, "invalid_host", "This host name is not served here."
        )
    return json_error(status.HTTP_400_BAD_REQUEST, "bad_request", "The request was refused.")
