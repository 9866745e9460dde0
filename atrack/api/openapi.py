"""The OpenAPI document of the keyed API, from the Structs in `atrack.api.contract`.

drf-spectacular cannot see them (the views read `request.data` themselves), so each view
names its request and response Struct here; `finish_schema` adds the JSON Schema msgspec
derives from them as components.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema

from atrack.api import contract

Schema = dict[str, Any]


def ref(kind: type) -> Schema:
    return {"$ref": f"#/components/schemas/{kind.__name__}"}


def _errors(*codes: int) -> dict[int, OpenApiResponse]:
    kib = settings.MAX_BODY_BYTES // 1024, settings.MAX_BATCH_BODY_BYTES // 1024
    text = {
        400: "Malformed JSON or invalid fields",
        401: "Missing, unknown or expired key",
        403: "Key not allowed here (public key on a read, origin not allowed, revoked key)",
        404: "Unknown session",
        409: "The write would give its session more attributes than MAX_SESSION_ATTRIBUTES",
        410: "The session was erased: writes for its UUID are not stored",
        413: f"Body too large ({kib[0]} KiB; {kib[1]} KiB and "
        f"{settings.MAX_BATCH_ITEMS} items for /batch)",
        415: "Content type other than application/json or text/plain",
        429: "Rate limit exceeded; see Retry-After",
        503: "Neither the queue nor the database can take the write; see Retry-After",
    }
    error = ref(contract.Error)
    return {code: OpenApiResponse(response=error, description=text[code]) for code in codes}


WRITE_ERRORS = (400, 401, 403, 410, 413, 415, 429, 503)
READ_ERRORS = (400, 401, 403, 404, 413, 415, 429)


def _operation(summary: str, body: type, responses: dict[int, OpenApiResponse]) -> Any:
    schema = ref(body)
    return extend_schema(
        summary=summary,
        request={"application/json": schema, "text/plain": schema},
        responses=responses,
    )


def write(summary: str, body: type, *, limited: bool = False) -> Any:
    """`limited`: the write can pass the per-session attribute limit (409)."""
    written = ref(contract.Written)
    return _operation(
        summary,
        body,
        {
            200: OpenApiResponse(written, description="Queued, or processed for an existing session"),
            201: OpenApiResponse(written, description="Processed, and this request created the session"),
            **_errors(*sorted(WRITE_ERRORS + ((409,) if limited else ()))),
        },
    )  # fmt: skip


def batch() -> Any:
    return _operation(
        "Several writes in one request (SDK flushing)",
        contract.Batch,
        {
            200: OpenApiResponse(ref(contract.BatchWritten), description="A result per item"),
            **_errors(*(code for code in WRITE_ERRORS if code != 410)),
        },
    )


def read(summary: str, body: type, response: type, *, found: bool = True) -> Any:
    codes = READ_ERRORS if found else tuple(c for c in READ_ERRORS if c != 404)
    ok = OpenApiResponse(ref(response), description="OK")
    return _operation(summary, body, {200: ok, **_errors(*codes)})


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
    "/health": ("The process is up", {200: ("Up", contract.Health)}),
    "/ready": (
        "Every database alias and the broker answer",
        {
            200: ("Ready", contract.Ready),
            503: ("Something is down (named in `down`)", contract.Ready),
        },
    ),
}


def finish_schema(result: Schema, generator: Any, request: Any, public: bool) -> Schema:
    """drf-spectacular postprocessing hook: the contract's components, either key scheme
    suffices, the probes."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(contract.COMPONENTS)
    for path, operations in result["paths"].items():
        for operation in operations.values():
            if "requestBody" in operation and path != "/init":  # only /init takes {}
                operation["requestBody"]["required"] = True
            if operation.get("security"):
                operation["security"] = [{"projectKey": []}, {"secretBearer": []}]
    for path, (summary, codes) in PROBES.items():
        responses = {
            str(code): {"description": text, "content": {"application/json": {"schema": ref(kind)}}}
            for code, (text, kind) in codes.items()
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
