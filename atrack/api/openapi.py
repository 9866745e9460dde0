"""OpenAPI descriptions of the keyed API, as raw JSON Schema.

The views validate by hand (a hot path), so the schema is written out here to match
them exactly: what the schema allows, the views accept.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema

from atrack.api.payloads import MAX_EVENT_ID_LENGTH, MAX_KEY_LENGTH, MAX_NAME_LENGTH
from atrack.ids import UUID_RE
from sessions_app.selectors import URL_KEYS

Schema = dict[str, Any]

UUID: Schema = {
    "type": "string",
    "pattern": UUID_RE.pattern.removesuffix("\\Z") + "$",
    "example": "b19412c6-6a91-4e18-890d-e2269a0d1249",
}
IP: Schema = {"anyOf": [{"type": "string", "format": "ipv4"}, {"type": "string", "format": "ipv6"}]}
TIME: Schema = {"type": "string", "format": "date-time", "example": "2026-04-12T02:10:00Z"}
ATTRIBUTES: Schema = {
    "type": "object",
    "propertyNames": {"minLength": 1, "maxLength": MAX_KEY_LENGTH},
    "additionalProperties": True,
}
STRING: Schema = {"type": "string"}
URL_CONTEXT: Schema = {
    "type": "object",
    "properties": {
        name: STRING for name in ("href", "raw", "path", "query", "hash", "referer", "source_url")
    },
}
CLIENT: Schema = {
    "type": "object",
    "properties": {
        "ipAddress": IP,
        "userAgent": STRING,
        # User-Agent Client Hints (docs/api.md): navigator.userAgentData's values, and the
        # visitor's Sec-CH-UA-* headers by name.
        "userAgentData": {"type": "object"},
        "clientHints": {"type": "object", "additionalProperties": STRING},
    },
}
INIT: Schema = {
    "type": "object",
    "properties": {
        "uuid": UUID,
        "context": {
            "type": "object",
            "properties": {
                "url": URL_CONTEXT,
                "client": CLIENT,
                "user": {"type": "object", "properties": {"attributes": ATTRIBUTES}},
            },
        },
        "custom_data": {"type": "object"},
        "synchronous": {"type": "boolean"},
    },
}
SET_ATTRIBUTES: Schema = {
    "type": "object",
    "required": ["uuid", "attributes"],
    "properties": {
        "uuid": UUID,
        "attributes": ATTRIBUTES,
        "replace": {"type": "boolean"},
        "synchronous": {"type": "boolean"},
    },
}
EVENT: Schema = {
    "type": "object",
    "required": ["uuid", "event"],
    "properties": {
        "uuid": UUID,
        "event": {
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_NAME_LENGTH,
            "pattern": r"[^\s\u0000]",
        },
        "attributes": {"type": "object"},
        "timestamp": TIME,
        "sent_at": TIME,
        "context": {"type": "object", "properties": {"client": CLIENT}},
        "id": {"type": "string", "minLength": 1, "maxLength": MAX_EVENT_ID_LENGTH},
        "synchronous": {"type": "boolean"},
    },
}


def _typed(kind: str, body: Schema) -> Schema:
    properties = {"type": {"type": "string", "enum": [kind]}, **body["properties"]}
    return {**body, "required": ["type", *body.get("required", [])], "properties": properties}


BATCH: Schema = {
    "type": "object",
    "required": ["batch"],
    "properties": {
        "batch": {
            "type": "array",
            "maxItems": 100,
            "items": {
                "oneOf": [
                    _typed("init", INIT),
                    _typed("attributes", SET_ATTRIBUTES),
                    _typed("event", EVENT),
                ]
            },
        },
        "synchronous": {"type": "boolean"},
    },
}
ERROR: Schema = {
    "type": "object",
    "required": ["success", "error"],
    "properties": {
        "success": {"type": "boolean", "enum": [False]},
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": STRING,
                "message": STRING,
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": STRING},
                },
            },
        },
    },
}
WRITTEN: Schema = {
    "type": "object",
    "required": ["success", "uuid", "queued"],
    "properties": {"success": {"type": "boolean"}, "uuid": UUID, "queued": {"type": "boolean"}},
}
BATCH_WRITTEN: Schema = {
    "type": "object",
    "required": ["success", "queued", "results"],
    "properties": {
        "success": {"type": "boolean"},
        "queued": {"type": "boolean"},
        "results": {"type": "array", "items": {"type": "object", "required": ["success"]}},
    },
}
NULLABLE_STRING: Schema = {"type": ["string", "null"]}
OBJECT: Schema = {"type": "object"}


def _all_required(properties: dict[str, Schema], **extra: Any) -> Schema:
    """An object whose every listed key is always present (null where the type says)."""
    return {"type": "object", "required": list(properties), "properties": properties, **extra}


SESSION_EVENT: Schema = _all_required(
    {
        "id": {"type": "integer"},
        "uuid": UUID,
        "name": STRING,
        "attributes": OBJECT,
        "occurred_at": TIME,
    }
)
EVENT_ROW: Schema = _all_required(
    {
        "id": {"type": "integer"},
        "session_id": {"type": "integer"},
        "uuid": UUID,
        "name": STRING,
        "attributes": OBJECT,
        "ip_address": NULLABLE_STRING,
        "user_agent": NULLABLE_STRING,
        "occurred_at": TIME,
        "created_at": TIME,
        "updated_at": TIME,
    }
)
_NAME_VERSION: Schema = _all_required({"name": NULLABLE_STRING, "version": NULLABLE_STRING})
SESSION: Schema = _all_required(
    {
        "id": {"type": "integer"},
        "uuid": UUID,
        "url_data": _all_required(
            {
                **{k: NULLABLE_STRING for k in URL_KEYS},
                "query_all": OBJECT,
            }
        ),
        "utm_data": OBJECT,
        "query_params": OBJECT,
        "click_ids": OBJECT,
        "source": NULLABLE_STRING,
        "medium": NULLABLE_STRING,
        "channel": NULLABLE_STRING,
        "referer": NULLABLE_STRING,
        "first_touch": {"type": ["object", "null"]},
        "ip_address": NULLABLE_STRING,
        "ip_data": _all_required(
            {
                "ip": NULLABLE_STRING,
                "city": {"type": ["object", "null"]},
                "isp": {"type": ["object", "null"]},
                "asn": {"type": ["object", "null"]},
                "anonymous": {"type": ["object", "null"]},
                "is_private": {"type": ["boolean", "null"]},
                "is_reserved": {"type": ["boolean", "null"]},
            }
        ),
        "device_data": _all_required(
            {
                "model": NULLABLE_STRING,
                "brand": NULLABLE_STRING,
                "os": _NAME_VERSION,
                "client": _NAME_VERSION,
                "device_class": NULLABLE_STRING,
                **{
                    k: {"type": ["boolean", "null"]}
                    for k in ("is_mobile", "is_desktop", "is_tablet", "is_bot")
                },
                "bot": {"type": ["object", "null"]},
            }
        ),
        "client_attributes": OBJECT,
        "user_attributes": OBJECT,
        "custom_data": OBJECT,
        "created_at": TIME,
        "updated_at": TIME,
    }
)
ERASE: Schema = {"type": "object", "required": ["uuid"], "properties": {"uuid": UUID}}
SESSION_SHOW: Schema = {
    "type": "object",
    "required": ["uuid"],
    "properties": {
        "uuid": UUID,
        "events_limit": {"type": "integer", "minimum": 0, "maximum": 1000, "default": 100},
        "sort": {"type": "string", "enum": ["asc", "desc"], "default": "desc"},
    },
}
EVENT_SHOW: Schema = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": MAX_NAME_LENGTH},
        "page": {"type": "integer", "minimum": 1, "maximum": 10_000_000, "default": 1},
        "per_page": {"type": "integer", "minimum": 1, "maximum": 500, "default": 25},
        "sort": {"type": "string", "enum": ["asc", "desc"], "default": "desc"},
        "uuid": UUID,
        "from": TIME,
        "to": TIME,
    },
}
SESSION_SHOWN: Schema = {
    "type": "object",
    "required": ["success", "data"],
    "properties": {
        "success": {"type": "boolean"},
        "data": {
            "type": "object",
            "required": ["session", "attributes", "events", "meta"],
            "properties": {
                "session": SESSION,
                "attributes": OBJECT,
                "events": {"type": "array", "items": SESSION_EVENT},
                "meta": _all_required(
                    {
                        "uuid": UUID,
                        "events_limit": {"type": "integer"},
                        "events_count": {"type": "integer"},
                        "sort": {"type": "string", "enum": ["asc", "desc"]},
                    }
                ),
            },
        },
    },
}
EVENTS_SHOWN: Schema = {
    "type": "object",
    "required": ["success", "data", "meta"],
    "properties": {
        "success": {"type": "boolean"},
        "data": {"type": "array", "items": EVENT_ROW},
        "meta": _all_required(
            {
                "name": STRING,
                "sort": {"type": "string", "enum": ["asc", "desc"]},
                "per_page": {"type": "integer"},
                "current_page": {"type": "integer"},
                "last_page": {"type": "integer"},
                "from": {"type": ["integer", "null"]},
                "to": {"type": ["integer", "null"]},
                "total": {"type": "integer"},
            }
        ),
    },
}
COUNT: Schema = {"type": "integer", "minimum": 0}
ERASED: Schema = {
    "type": "object",
    "required": ["success", "uuid", "deleted"],
    "properties": {
        "success": {"type": "boolean"},
        "uuid": UUID,
        "deleted": {
            "type": "object",
            "required": ["sessions", "attributes", "events", "parked"],
            "properties": {
                "sessions": COUNT,
                "attributes": COUNT,
                "events": COUNT,
                "parked": COUNT,
            },
        },
    },
}


def _errors(*codes: int) -> dict[int, OpenApiResponse]:
    text = {
        400: "Malformed JSON or invalid fields",
        401: "Missing, unknown or expired key",
        403: "Key not allowed here (public key on a read, origin not allowed, revoked key)",
        404: "Unknown session",
        409: "The write would give its session more attributes than MAX_SESSION_ATTRIBUTES",
        410: "The session was erased: writes for its UUID are not stored",
        413: "Body too large (64 KiB; 512 KiB and 100 items for /batch)",
        415: "Content type other than application/json or text/plain",
        429: "Rate limit exceeded; see Retry-After",
        503: "Neither the queue nor the database can take the write; see Retry-After",
    }
    return {code: OpenApiResponse(response=ERROR, description=text[code]) for code in codes}


WRITE_ERRORS = (400, 401, 403, 410, 413, 415, 429, 503)
READ_ERRORS = (400, 401, 403, 404, 413, 415, 429)


def write(
    summary: str, body: Schema, example: dict[str, Any] | None = None, *, limited: bool = False
) -> Any:
    """`limited`: the write can pass the per-session attribute limit (409)."""
    examples = (
        [OpenApiExample("Documented example", value=example, request_only=True)] if example else []
    )
    return extend_schema(
        summary=summary,
        request={"application/json": body, "text/plain": body},
        responses={
            200: OpenApiResponse(
                response=WRITTEN, description="Queued, or processed for an existing session"
            ),
            201: OpenApiResponse(
                response=WRITTEN, description="Processed, and this request created the session"
            ),
            **_errors(*sorted(WRITE_ERRORS + ((409,) if limited else ()))),
        },
        examples=examples,
    )


def batch() -> Any:
    return extend_schema(
        summary="Several writes in one request (SDK flushing)",
        request={"application/json": BATCH, "text/plain": BATCH},
        responses={
            200: OpenApiResponse(response=BATCH_WRITTEN, description="A result per item"),
            **_errors(*(code for code in WRITE_ERRORS if code != 410)),
        },
    )


def read(summary: str, body: Schema, response: Schema, *, found: bool = True) -> Any:
    codes = READ_ERRORS if found else tuple(c for c in READ_ERRORS if c != 404)
    return extend_schema(
        summary=summary,
        request={"application/json": body, "text/plain": body},
        responses={200: OpenApiResponse(response=response, description="OK"), **_errors(*codes)},
    )


hidden = extend_schema(exclude=True)


class ProjectKeyScheme(OpenApiAuthenticationExtension):
    target_class = "atrack.api.auth.ProjectKeyAuthentication"
    name = ["projectKey", "secretBearer"]

    def get_security_definition(self, auto_schema: Any) -> list[Schema]:
        return [
            {"type": "apiKey", "in": "header", "name": "x-a-track-key"},
            {"type": "http", "scheme": "bearer", "description": "Secret keys only"},
        ]


PROBES: Schema = {
    "/health": ("The process is up", {200: "Up"}),
    "/ready": (
        "Every database alias and the broker answer",
        {200: "Ready", 503: "Something is down (named in `down`)"},
    ),
}


def finish_schema(result: Schema, generator: Any, request: Any, public: bool) -> Schema:
    """drf-spectacular postprocessing hook: either key scheme suffices; add the probes."""
    for path, operations in result["paths"].items():
        for operation in operations.values():
            if "requestBody" in operation and path != "/init":  # only /init takes {}
                operation["requestBody"]["required"] = True
            if operation.get("security"):
                operation["security"] = [{"projectKey": []}, {"secretBearer": []}]
    for path, (summary, codes) in PROBES.items():
        responses = {
            str(code): {
                "description": text,
                "content": {"application/json": {"schema": {"type": "object"}}},
            }
            for code, text in codes.items()
        }
        result["paths"][path] = {
            "get": {
                "operationId": path.strip("/"),
                "summary": summary,
                "security": [],
                "responses": responses,
            }
        }
    return result
