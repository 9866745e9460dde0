"""The write endpoints: POST /init, /attributes, /event and /batch.

Each request authenticates (cached), validates, hands its work items to the queue and
answers `{"success": true, "uuid": ..., "queued": ...}`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from rest_framework import viewsets
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from atrack.api import contract, openapi, payloads
from atrack.api.auth import CanWrite, ProjectKeyAuthentication, key_info
from atrack.api.guards import (
    PREFLIGHT_HEADERS,
    KeyRateLimit,
    content_length_guard,
    origin_allowed,
)
from atrack.api.jsonbody import BadItem, JsonBodyParser, TextJsonParser
from atrack.errors import ApiError, ErrorDetail
from enrichment import client_hints
from enrichment.net import client_ip
from events.ingest.queue import Outcome, submit
from projects.keys import PUBLIC
from projects.selectors import KeyInfo


class JsonOnly(BaseContentNegotiation):
    """JSON is the only output: skip DRF's negotiation on the hot path."""

    def select_parser(self, request: Request, parsers: Iterable[Any]) -> Any:
        content_type = (request.content_type or "").partition(";")[0].strip().lower()
        for parser in parsers:
            if parser.media_type == content_type:
                return parser
        return None

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


class KeyApiViewSet(viewsets.ViewSet):
    """Shared plumbing of the keyed API: JSON only, CORS, origin policy."""

    authentication_classes = [ProjectKeyAuthentication]
    parser_classes = [JsonBodyParser, TextJsonParser]
    renderer_classes = [contract.Renderer]
    content_negotiation_class = JsonOnly
    throttle_classes = [KeyRateLimit]
    max_body_bytes = settings.MAX_BODY_BYTES
    # The authenticated key's allowed origins, for the CORS headers of any answer that
    # follows authentication (a refusal by the rate limit included).
    allowed_origins: tuple[str, ...] | None = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        if request.method == "OPTIONS":
            return  # a CORS preflight carries no key
        content_length_guard(request, self.max_body_bytes)
        super().initial(request, *args, **kwargs)
        origin = request.META.get("HTTP_ORIGIN")
        info = key_info(request)
        if (
            origin
            and info.kind == PUBLIC
            and not origin_allowed(origin, info.project.allowed_origins)
        ):
            raise ApiError(
                403, "origin_not_allowed", f"Origin {origin} is not allowed for this project."
            )

    def perform_authentication(self, request: Request) -> None:
        super().perform_authentication(request)
        if isinstance(request.auth, KeyInfo):
            self.allowed_origins = request.auth.project.allowed_origins

    @openapi.hidden
    def options(self, request: Request, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        response = Response(status=204, headers=PREFLIGHT_HEADERS)
        origin = request.META.get("HTTP_ORIGIN")
        if origin:
            response["Access-Control-Allow-Origin"] = origin
        return response

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        origin = request.META.get("HTTP_ORIGIN")
        if origin and request.method != "OPTIONS":
            allowed = self.allowed_origins
            if allowed is not None and origin_allowed(origin, allowed):
                response["Access-Control-Allow-Origin"] = origin
                response["Access-Control-Expose-Headers"] = "Retry-After"
            response["Vary"] = "Origin"
        return response


def request_body(request: Request) -> dict[str, Any]:
    data = request.data
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_payload", "The body must be a JSON object.")
    return data


def _facts(request: Request) -> payloads.RequestFacts:
    info = key_info(request)
    meta = request.META
    return payloads.RequestFacts(
        project_id=info.project.id,
        received_at=timezone.now(),
        ip=client_ip(
            meta.get("REMOTE_ADDR"), meta.get("HTTP_X_FORWARDED_FOR"), settings.TRUSTED_PROXIES
        ),
        user_agent=str(meta.get("HTTP_USER_AGENT", "")),
        anonymize_ip=info.project.anonymize_ip,
        client_hints=client_hints.from_meta(meta),
    )


def _invalid(exc: contract.Invalid) -> ApiError:
    return ApiError(
        400, "invalid_payload", "The request body has invalid fields.", fields=exc.fields
    )


class IngestViewSet(KeyApiViewSet):
    permission_classes = [CanWrite]

    def _write(self, kind: str, request: Request) -> HttpResponse:
        body = request_body(request)
        try:
            item = payloads.BUILDERS[kind](body, _facts(request))
        except contract.Invalid as exc:
            raise _invalid(exc) from exc
        outcome = submit([item], synchronous=payloads.synchronous(body))
        if item["uuid"] in outcome.erased:
            raise erased_error(item["uuid"])
        if id(item) in outcome.over_limit:
            raise over_limit_error(item["uuid"])
        status = 201 if item["uuid"] in outcome.created else 200
        written = contract.Written(success=True, uuid=item["uuid"], queued=outcome.queued)
        # Written directly: DRF's Response would only add its negotiation and rendering.
        return contract.json_response(written, status=status)

    @openapi.write("Create or continue a session", contract.Init)
    def init(self, request: Request) -> HttpResponse:
        return self._write("init", request)

    @openapi.write(
        "Set (merge or replace) a session's attributes", contract.SetAttributes, limited=True
    )
    def attributes(self, request: Request) -> HttpResponse:
        return self._write("attributes", request)

    @openapi.write("Record an event", contract.Event)
    def event(self, request: Request) -> HttpResponse:
        return self._write("event", request)


class BatchViewSet(IngestViewSet):
    max_body_bytes = settings.MAX_BATCH_BODY_BYTES
    items_field = "batch"  # a bad number refuses its item, not the whole batch

    @openapi.batch()
    def batch(self, request: Request) -> Response:
        """Validate each item on its own; queue (or process) the valid ones together."""
        body = request_body(request)
        entries = body.get("batch")
        if not isinstance(entries, list):
            raise ApiError(
                400,
                "invalid_payload",
                "`batch` must be a list.",
                fields={"batch": ["Must be a list."]},
            )
        if len(entries) > settings.MAX_BATCH_ITEMS:
            raise ApiError(
                413, "too_many_items", f"A batch holds at most {settings.MAX_BATCH_ITEMS} items."
            )
        facts = _facts(request)
        entries_read = [_batch_entry(entry, facts) for entry in entries]
        items = [item for _, item in entries_read if item is not None]
        outcome = submit(items, synchronous=payloads.synchronous(body))
        results = [_batch_result(result, item, outcome) for result, item in entries_read]
        return Response(
            contract.BatchWritten(
                success=all(r.success for r in results), queued=outcome.queued, results=results
            )
        )


def _batch_result(
    result: contract.BatchResult, item: dict[str, Any] | None, outcome: Outcome
) -> contract.BatchResult:
    """An item's result once the batch went through: refused if its session was erased
    or is full."""
    if item is None:
        return result
    refused = None
    if item["uuid"] in outcome.erased:
        refused = erased_error(item["uuid"])
    elif id(item) in outcome.over_limit:
        refused = over_limit_error(item["uuid"])
    if refused is None:
        result.queued = outcome.queued
        return result
    error = ErrorDetail(code=refused.error_code, message=str(refused.detail))
    return contract.BatchResult(success=False, uuid=item["uuid"], error=error)


def erased_error(uuid: str) -> ApiError:
    return ApiError(
        410,
        "erased",
        f"Session {uuid} was erased at the project's request; writes for it are not stored.",
    )


def over_limit_error(uuid: str) -> ApiError:
    limit = settings.MAX_SESSION_ATTRIBUTES
    return ApiError(
        409,
        "attribute_limit",
        f"This write would give session {uuid} more than {limit} attributes, the most a "
        "session may have; nothing in it was stored.",
    )


def _item_error(message: str, fields: dict[str, list[str]]) -> contract.BatchResult:
    error = ErrorDetail(code="invalid_payload", message=message, fields=fields)
    return contract.BatchResult(success=False, error=error)


def _batch_entry(
    entry: Any, facts: payloads.RequestFacts
) -> tuple[contract.BatchResult, dict[str, Any] | None]:
    if isinstance(entry, BadItem):
        return _item_error("The item has invalid fields.", entry.fields), None
    kind = entry.get("type") if isinstance(entry, dict) else None
    if not isinstance(kind, str) or kind not in payloads.BUILDERS:
        return _item_error(
            "Unknown item type.", {"type": ["Must be one of init, attributes, event."]}
        ), None
    try:
        item = payloads.BUILDERS[kind](entry, facts)
    except contract.Invalid as exc:
        return _item_error("The item has invalid fields.", exc.fields), None
    return contract.BatchResult(success=True, uuid=item["uuid"]), item
