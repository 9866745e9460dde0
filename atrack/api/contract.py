"""The keyed API's contract: every request and response body, declared once.

The views validate request bodies with `read` (msgspec Structs: a documented /event body
in a few µs, where a DRF serializer takes hundreds; bench/validation_bench.py), build
every response as one of the Structs below, which msgspec writes (`ENCODE`, `Renderer`),
and /openapi.json publishes the JSON Schema msgspec derives from the same Structs
(atrack/api/openapi.py). Limits come from settings. A Struct keeps only the fields it
declares; the work item takes the open parts of a body (the client's other context keys)
from the body itself.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from django.conf import settings
from django.http import HttpResponse
from msgspec import Meta, Struct
from rest_framework.renderers import BaseRenderer

from atrack.errors import Error, ErrorDetail
from atrack.ids import UUID_RE
from atrack.times import parse_time
from enrichment.net import normalize_ip
from sessions_app.selectors import DEVICE_KEYS, IP_KEYS, URL_KEYS

MAX_KEY_LENGTH = 255
MAX_NAME_LENGTH = 255
MAX_EVENT_ID_LENGTH = 128
EXAMPLE_UUID = "b19412c6-6a91-4e18-890d-e2269a0d1249"
Errors = dict[str, list[str]]


class Invalid(Exception):
    """The body has invalid fields; `fields` maps each to its messages."""

    def __init__(self, fields: Errors) -> None:
        super().__init__("invalid payload")
        self.fields = fields


# Types msgspec does not know: each parses its JSON string or raises ValueError.
class Uuid(str):
    """A canonical UUID string, any case, kept in lower case."""

    schema = {
        "type": "string",
        "pattern": UUID_RE.pattern[:-2] + "$",
        "description": f"a UUID such as {EXAMPLE_UUID}",
        "example": EXAMPLE_UUID,
    }

    @classmethod
    def parse(cls, value: str) -> Uuid:
        if not UUID_RE.match(value):
            raise ValueError(value)
        return cls(value.lower())


class IpAddress(str):
    """An IPv4 or IPv6 address in its canonical text; "" stands for none given."""

    schema = {
        "anyOf": [{"type": "string", "format": f} for f in ("ipv4", "ipv6")],
        "description": "an IPv4 or IPv6 address",
    }

    @classmethod
    def parse(cls, value: str) -> IpAddress:
        ip = normalize_ip(value) if value else ""
        if ip is None:
            raise ValueError(value)
        return cls(ip)


class Moment(datetime):
    """An ISO 8601 date-time, in UTC (naive means UTC)."""

    schema = {
        "type": "string",
        "format": "date-time",
        "description": "an ISO 8601 date-time, e.g. 2026-04-12T02:10:00Z",
        "example": "2026-04-12T02:10:00Z",
    }

    @classmethod
    def parse(cls, value: str) -> Moment:
        moment = parse_time(value)
        return cls.combine(moment.date(), moment.timetz())


CUSTOM = (Uuid, IpAddress, Moment)


def _parse(kind: type, value: Any) -> Any:
    if kind not in CUSTOM:
        raise NotImplementedError(kind)
    if not isinstance(value, str):
        raise TypeError(value)
    return kind.parse(value)


def schema_hook(kind: type) -> dict[str, Any]:
    if kind not in CUSTOM:
        raise NotImplementedError(kind)
    return dict(kind.schema)


Key = Annotated[str, Meta(min_length=1, max_length=MAX_KEY_LENGTH)]
KEYS = f"keys 1 to {MAX_KEY_LENGTH} characters long"
Attributes = Annotated[dict[Key, Any], Meta(description=f"a JSON object with {KEYS}")]
SessionAttributes = Annotated[
    dict[Key, Any],
    Meta(
        max_length=settings.MAX_SESSION_ATTRIBUTES,
        description=f"a JSON object of at most {settings.MAX_SESSION_ATTRIBUTES} attributes "
        f"with {KEYS}",
    ),
]
Flag = Annotated[bool | None, Meta(description="true or false")]
Sort = Annotated[Literal["asc", "desc"], Meta(description='"asc" or "desc"')]


# Requests. `null` is accepted wherever a field may be left out.
class UrlContext(Struct):
    """The page of the visit."""

    href: str | None = None
    raw: str | None = None
    path: str | None = None
    query: str | None = None
    hash: str | None = None
    referer: str | None = None
    source_url: str | None = None


class Client(Struct):
    """The visitor's browser; its other keys (locale, screen, ...) are kept as sent."""

    ipAddress: IpAddress | None = None
    userAgent: str | None = None
    # User-Agent Client Hints (docs/api.md): navigator.userAgentData's values, and the
    # visitor's Sec-CH-UA-* headers by name.
    userAgentData: dict[str, Any] | None = None
    clientHints: Annotated[
        dict[str, str] | None, Meta(description="a JSON object of header values (strings) by name")
    ] = None


class User(Struct):
    attributes: Attributes | None = None


class InitContext(Struct):
    url: UrlContext | None = None
    client: Client | None = None
    user: User | None = None


class Init(Struct):
    """POST /init: create or continue a session."""

    uuid: Uuid | None = None
    context: InitContext | None = None
    custom_data: dict[str, Any] | None = None
    synchronous: Flag = None


class SetAttributes(Struct):
    """POST /attributes: merge (or replace) a session's attributes."""

    uuid: Uuid
    attributes: SessionAttributes
    replace: Flag = None
    synchronous: Flag = None


class EventContext(Struct):
    client: Client | None = None


EventName = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=MAX_NAME_LENGTH,
        pattern=r"[^\s\u0000]",
        description=f"a non-blank string of at most {MAX_NAME_LENGTH} characters",
    ),
]
EventId = Annotated[
    Annotated[str, Meta(min_length=1, max_length=MAX_EVENT_ID_LENGTH)]
    | Annotated[int, Meta(ge=-(2**63), le=2**63 - 1)]
    | None,
    Meta(description=f"a string of 1 to {MAX_EVENT_ID_LENGTH} characters, or an integer"),
]


class Event(Struct):
    """POST /event: record an event."""

    uuid: Uuid
    event: EventName
    attributes: dict[str, Any] | None = None
    timestamp: Moment | None = None
    sent_at: Moment | None = None
    context: EventContext | None = None
    id: EventId = None
    synchronous: Flag = None


class InitItem(Init, tag_field="type", tag="init"):
    pass


class SetAttributesItem(SetAttributes, tag_field="type", tag="attributes"):
    pass


class EventItem(Event, tag_field="type", tag="event"):
    pass


class Batch(Struct):
    """POST /batch: several writes, each validated on its own."""

    batch: Annotated[
        list[InitItem | SetAttributesItem | EventItem], Meta(max_length=settings.MAX_BATCH_ITEMS)
    ]
    synchronous: Flag = None


class SessionShow(Struct):
    uuid: Uuid
    events_limit: Annotated[int, Meta(ge=0, le=1000)] = 100
    sort: Sort = "desc"


class EventShow(Struct):
    name: Annotated[str, Meta(min_length=1, max_length=MAX_NAME_LENGTH)]
    page: Annotated[int, Meta(ge=1, le=10_000_000)] = 1
    per_page: Annotated[int, Meta(ge=1, le=500)] = 25
    sort: Sort = "desc"
    uuid: Uuid | None = None
    from_: Moment | None = msgspec.field(default=None, name="from")
    to: Moment | None = None


class Erase(Struct):
    uuid: Uuid


# Responses: the views build these, and `Renderer` writes them.
Stamp = Annotated[str, Meta(extra_json_schema=Moment.schema)]  # atrack.times.iso


class Written(Struct):
    success: bool
    uuid: Uuid
    queued: bool


class BatchResult(Struct, omit_defaults=True):
    """One item's outcome: its UUID and `queued` when taken, `error` when refused."""

    success: bool
    uuid: Uuid | None = None
    queued: bool | None = None
    error: ErrorDetail | None = None


class BatchWritten(Struct):
    success: bool
    queued: bool
    results: list[BatchResult]


Obj = dict[str, Any]
Text = str | None
# The session's JSON parts are open objects: every key named here is always present (null
# when unknown), and whatever else enrichment stored is kept.
NameVersion = msgspec.defstruct("NameVersion", [("name", Text), ("version", Text)])
UrlData = msgspec.defstruct("UrlData", [*((k, Text) for k in URL_KEYS), ("query_all", Obj)])
_IP_TYPES = {"ip": Text, "is_private": bool | None, "is_reserved": bool | None}
IpData = msgspec.defstruct("IpData", [(k, _IP_TYPES.get(k, Obj | None)) for k in IP_KEYS])
_DEVICE_TYPES = {"model": Text, "brand": Text, "device_class": Text, "bot": Obj | None}
DeviceData = msgspec.defstruct(
    "DeviceData",
    [
        *((k, _DEVICE_TYPES.get(k, bool | None)) for k in DEVICE_KEYS),
        ("os", NameVersion),
        ("client", NameVersion),
    ],
)


class Session(Struct):
    id: int
    uuid: Uuid
    url_data: UrlData  # type: ignore[valid-type]
    utm_data: Obj
    query_params: Obj
    click_ids: Obj
    source: Text
    medium: Text
    channel: Text
    referer: Text
    first_touch: Obj | None
    ip_address: Text
    ip_data: IpData  # type: ignore[valid-type]
    device_data: DeviceData  # type: ignore[valid-type]
    client_attributes: Obj
    user_attributes: Obj
    custom_data: Obj
    created_at: Stamp
    updated_at: Stamp


class SessionEvent(Struct):
    id: int
    uuid: Uuid
    name: str
    attributes: Obj
    occurred_at: Stamp


class SessionMeta(Struct):
    uuid: Uuid
    events_limit: int
    events_count: int
    sort: Literal["asc", "desc"]


class SessionData(Struct):
    session: Session
    attributes: Obj
    events: list[SessionEvent]
    meta: SessionMeta


class SessionShown(Struct):
    success: bool
    data: SessionData


class EventRow(SessionEvent):
    session_id: int
    ip_address: Text
    user_agent: Text
    created_at: Stamp
    updated_at: Stamp


class EventsMeta(Struct):
    name: str
    sort: Literal["asc", "desc"]
    per_page: int
    current_page: int
    last_page: int
    from_: int | None = msgspec.field(name="from")
    to: int | None
    total: int


class EventsShown(Struct):
    success: bool
    data: list[EventRow]
    meta: EventsMeta


Count = Annotated[int, Meta(ge=0)]


class Deleted(Struct):
    sessions: Count
    attributes: Count
    events: Count
    parked: Count


class Erased(Struct):
    success: bool
    uuid: Uuid
    deleted: Deleted


class Health(Struct):
    status: Literal["ok"]


class Ready(Struct):
    status: Literal["ok", "unavailable"]
    checks: Annotated[
        dict[str, Literal["ok", "down"]],
        Meta(description='"database:ALIAS" for each database alias, and "broker"'),
    ]
    down: list[str]


class Renderer(BaseRenderer):
    """DRF renderer of the Structs above (and plain JSON data), by msgspec."""

    media_type = "application/json"
    format = "json"

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> bytes:
        return b"" if data is None else ENCODE(data)


def _plain(value: Any) -> Any:
    """The Uuid and IpAddress that requests were read into, as the strings they are."""
    if isinstance(value, str):
        return str(value)
    raise NotImplementedError(type(value))


ENCODE = msgspec.json.Encoder(enc_hook=_plain).encode


def json_response(body: Struct, status: int = 200) -> HttpResponse:
    """`body` as the response, for views that answer without DRF's Response."""
    return HttpResponse(ENCODE(body), status=status, content_type="application/json")


# Validation errors, in our words: the field's path and what the schema says it must be.
REQUESTS = (Init, SetAttributes, Event, SessionShow, EventShow, Erase)
RESPONSES = (Written, BatchWritten, Error, SessionShown, EventsShown, Erased, Health, Ready)
_, COMPONENTS = msgspec.json.schema_components(
    (*REQUESTS, Batch, *RESPONSES),
    schema_hook=schema_hook,
    ref_template="#/components/schemas/{name}",
)
# msgspec's message: "Object missing required field `x` - at `$.a.b`", "... - at `$.a[0]`",
# "... - at `key` in `$.a`"; the path is cut before any index or key.
_WHERE = re.compile(
    r"(?:Object missing required field `(?P<missing>[^`]*)`)?.*?"
    r"(?: - at `(?:key` in `)?\$\.?(?P<path>[^`\[]*)[^`]*`)?",
    re.S,
)
_NAMES = {"object": "a JSON object", "string": "a string", "integer": "an integer"}


def _phrase(node: dict[str, Any]) -> str:
    """What a value of `node`'s schema must be, in a few words."""
    if "description" in node and "$ref" not in node:
        return str(node["description"])
    options = [n for n in node.get("anyOf", [node]) if n.get("type") != "null"]
    if len(options) == 1 and options[0] is not node:
        return _phrase(options[0])
    if "$ref" in node or node.get("type") == "object":
        return "a JSON object"
    if "minimum" in node:
        return f"an integer from {node['minimum']} to {node['maximum']}"
    if "enum" in node:
        return " or ".join(f'"{v}"' for v in node["enum"])
    return _NAMES.get(node.get("type", ""), "a valid value")


def _messages(node: dict[str, Any], prefix: str, out: dict[str, str]) -> dict[str, str]:
    """Each field path under `node` (a schema with properties) → its error message."""
    for name, field in node.get("properties", {}).items():
        path = f"{prefix}{name}"
        out[path] = f"Must be {_phrase(field)}."
        for option in field.get("anyOf", [field]):
            ref = option.get("$ref", "").rpartition("/")[2]
            if ref:
                _messages(COMPONENTS[ref], f"{path}.", out)
    return out


MESSAGES = {k: _messages(COMPONENTS[k.__name__], "", {}) for k in REQUESTS}


def read(body: Any, kind: type[Any], *, strict: bool = True) -> Any:
    """`body` as a `kind` Struct; Invalid naming the field and the rule it breaks."""
    try:
        return msgspec.convert(body, kind, strict=strict, dec_hook=_parse)
    except msgspec.ValidationError as exc:
        where = _WHERE.fullmatch(str(exc))
        path, missing = (where["path"] or "", where["missing"]) if where else ("", None)
        if missing:
            path = f"{path}.{missing}" if path else missing
            raise Invalid({path: ["This field is required."]}) from exc
        message = MESSAGES[kind].get(path, "Invalid value.")
        raise Invalid({path or "body": [message]}) from exc
