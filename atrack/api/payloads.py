"""Validation of write bodies into work items: plain JSON dicts, ready to queue.

Hand-written rather than DRF serializers: this runs on every ingest request, and the
checks are few. Errors are collected per field, in DRF's `{"field": ["message"]}` shape.
"""

from __future__ import annotations

import uuid as uuid_lib
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings

from atrack.ids import UUID_RE, new_id
from atrack.times import iso, parse_time
from enrichment.net import anonymize_ip, normalize_ip

MAX_KEY_LENGTH = 255
MAX_NAME_LENGTH = 255
MAX_EVENT_ID_LENGTH = 128
FUTURE_LIMIT = timedelta(hours=23)
SDK_AGENT_PREFIX = "atrack-sdk-"

Errors = dict[str, list[str]]


class Invalid(Exception):
    """The body has invalid fields; `fields` maps each to its messages."""

    def __init__(self, fields: Errors) -> None:
        super().__init__("invalid payload")
        self.fields = fields


class RequestFacts:
    """What the request itself tells: receipt time, address and user agent."""

    __slots__ = ("anonymize_ip", "client_hints", "ip", "project_id", "received_at", "user_agent")

    def __init__(
        self,
        *,
        project_id: int,
        received_at: datetime,
        ip: str | None,
        user_agent: str,
        anonymize_ip: bool,
        client_hints: dict[str, str] | None = None,
    ) -> None:
        self.project_id = project_id
        self.received_at = received_at
        self.ip = ip
        self.user_agent = user_agent
        self.anonymize_ip = anonymize_ip
        self.client_hints = client_hints or {}


def _object(
    body: dict[str, Any], name: str, errors: Errors, *, required: bool = False
) -> dict[str, Any]:
    value = body.get(name)
    if value is None:
        if required:
            errors.setdefault(name, []).append("This field is required.")
        return {}
    if not isinstance(value, dict):
        errors.setdefault(name, []).append("Must be a JSON object.")
        return {}
    return value


def _uuid(body: dict[str, Any], errors: Errors, *, required: bool) -> str | None:
    value = body.get("uuid")
    if value is None:
        if required:
            errors["uuid"] = ["This field is required."]
        return None
    if not isinstance(value, str) or not UUID_RE.match(value):
        errors["uuid"] = ["Must be a UUID string such as b19412c6-6a91-4e18-890d-e2269a0d1249."]
        return None
    return value.lower()


def _flag(body: dict[str, Any], name: str, errors: Errors) -> bool:
    value = body.get(name, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        errors[name] = ["Must be true or false."]
        return False
    return value


def synchronous(body: dict[str, Any]) -> bool:
    return body.get("synchronous") is True


URL_FIELDS = ("href", "raw", "path", "query", "hash", "referer", "source_url")


def _sub_object(parent: dict[str, Any], name: str, path: str, errors: Errors) -> dict[str, Any]:
    value = parent.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        errors[path] = ["Must be a JSON object."]
        return {}
    return value


def _client_ip(
    client: dict[str, Any], path: str, facts: RequestFacts, errors: Errors
) -> str | None:
    given = client.get("ipAddress")
    if given in (None, ""):
        ip = facts.ip
    else:
        ip = normalize_ip(given) if isinstance(given, str) else None
        if ip is None:
            errors[path] = ["Must be an IPv4 or IPv6 address."]
            return None
    if ip and facts.anonymize_ip:
        return anonymize_ip(ip)
    return ip


def _user_agent(
    client: dict[str, Any], path: str, facts: RequestFacts, errors: Errors
) -> str | None:
    given = client.get("userAgent")
    if given is None:
        # A server-side SDK's own user agent says nothing about the visitor.
        return None if facts.user_agent.startswith(SDK_AGENT_PREFIX) else facts.user_agent
    if not isinstance(given, str):
        errors[path] = ["Must be a string."]
        return ""
    return given


def _context(body: dict[str, Any], facts: RequestFacts, errors: Errors) -> dict[str, Any]:
    """The init context with the client's address and user agent resolved."""
    context = _object(body, "context", errors)
    url = _sub_object(context, "url", "context.url", errors)
    for name in URL_FIELDS:
        if url.get(name) is not None and not isinstance(url[name], str):
            errors[f"context.url.{name}"] = ["Must be a string."]
    client = dict(_sub_object(context, "client", "context.client", errors))
    user = _sub_object(context, "user", "context.user", errors)
    attributes = _sub_object(user, "attributes", "context.user.attributes", errors)
    _check_keys(attributes, "context.user.attributes", errors)
    client["ipAddress"] = _client_ip(client, "context.client.ipAddress", facts, errors)
    from_request = client.get("userAgent") is None
    client["userAgent"] = _user_agent(client, "context.client.userAgent", facts, errors)
    _client_hints(client, facts if from_request and client["userAgent"] else None, errors)
    return {**context, "url": url, "client": client, "user": {**user, "attributes": attributes}}


def _client_hints(client: dict[str, Any], facts: RequestFacts | None, errors: Errors) -> None:
    """userAgentData (browser SDK) and clientHints (headers) are objects; the request's own
    Sec-CH-UA headers describe the visitor only when its User-Agent does."""
    _sub_object(client, "userAgentData", "context.client.userAgentData", errors)
    hints = _sub_object(client, "clientHints", "context.client.clientHints", errors)
    if any(not isinstance(value, str) for value in hints.values()):
        errors["context.client.clientHints"] = ["Values must be strings (header values)."]
    if facts is not None and facts.client_hints and client.get("clientHints") is None:
        client["clientHints"] = facts.client_hints


def _check_keys(mapping: dict[str, Any], path: str, errors: Errors) -> None:
    bad = [key for key in mapping if not key or len(key) > MAX_KEY_LENGTH]
    if bad:
        errors[path] = [f"Keys must be 1 to {MAX_KEY_LENGTH} characters long."]


def _base(kind: str, uuid: str, facts: RequestFacts) -> dict[str, Any]:
    return {
        "kind": kind,
        "project_id": facts.project_id,
        "uuid": uuid,
        "received_at": iso(facts.received_at),
    }


def init_item(body: dict[str, Any], facts: RequestFacts) -> dict[str, Any]:
    """POST /init body → work item; a missing UUID is generated here, at receipt."""
    errors: Errors = {}
    uuid = _uuid(body, errors, required=False) or str(uuid_lib.uuid4())
    context = _context(body, facts, errors)
    custom_data = _object(body, "custom_data", errors)
    _flag(body, "synchronous", errors)
    if errors:
        raise Invalid(errors)
    return {**_base("init", uuid, facts), "context": context, "custom_data": custom_data}


def attributes_item(body: dict[str, Any], facts: RequestFacts) -> dict[str, Any]:
    """POST /attributes body → work item."""
    errors: Errors = {}
    uuid = _uuid(body, errors, required=True)
    attributes = _object(body, "attributes", errors, required=True)
    _check_keys(attributes, "attributes", errors)
    if len(attributes) > settings.MAX_SESSION_ATTRIBUTES:
        errors["attributes"] = [
            f"A session holds at most {settings.MAX_SESSION_ATTRIBUTES} attributes."
        ]
    replace = _flag(body, "replace", errors)
    _flag(body, "synchronous", errors)
    if errors or uuid is None:
        raise Invalid(errors)
    return {**_base("attributes", uuid, facts), "attributes": attributes, "replace": replace}


def _time(body: dict[str, Any], name: str, errors: Errors) -> datetime | None:
    value = body.get(name)
    if value is None:
        return None
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        return parse_time(value)
    except (ValueError, OverflowError):
        errors[name] = ["Must be an ISO 8601 date-time, e.g. 2026-04-12T02:10:00Z."]
        return None


def occurred_at(
    received: datetime, timestamp: datetime | None, sent_at: datetime | None
) -> datetime:
    """When the event happened, corrected for the device's clock skew when `sent_at` is sent."""
    if timestamp is None:
        return received
    try:
        moment = received + (timestamp - sent_at) if sent_at is not None else timestamp
    except OverflowError:  # a skew past the calendar's ends is no skew to trust
        return received
    return received if moment > received + FUTURE_LIMIT else moment


def _event_name(body: dict[str, Any], errors: Errors) -> str:
    name = body.get("event")
    if name is None or name == "":
        errors["event"] = ["This field is required."]
    elif not isinstance(name, str) or len(name) > MAX_NAME_LENGTH or not name.strip():
        errors["event"] = [f"Must be a non-blank string of at most {MAX_NAME_LENGTH} characters."]
    return name if isinstance(name, str) else ""


def _event_id(body: dict[str, Any], errors: Errors) -> str:
    value = body.get("id")
    if value is None:
        return new_id()
    if isinstance(value, bool) or not isinstance(value, str | int):
        errors["id"] = ["Must be a string."]
        return ""
    text = str(value)
    if not text or len(text) > MAX_EVENT_ID_LENGTH:
        errors["id"] = [f"Must be 1 to {MAX_EVENT_ID_LENGTH} characters long."]
    return text


def _event_client(
    body: dict[str, Any], facts: RequestFacts, errors: Errors
) -> tuple[str | None, str]:
    """This event's own address and user agent; none given means the session's."""
    context = _object(body, "context", errors)
    client = _sub_object(context, "client", "context.client", errors)
    ip = None
    if client.get("ipAddress") not in (None, ""):
        ip = _client_ip(client, "context.client.ipAddress", facts, errors)
    user_agent = ""
    if client.get("userAgent") is not None:
        user_agent = _user_agent(client, "context.client.userAgent", facts, errors) or ""
    return ip, user_agent


def event_item(body: dict[str, Any], facts: RequestFacts) -> dict[str, Any]:
    """POST /event body → work item with its occurred_at and a stable event id."""
    errors: Errors = {}
    uuid = _uuid(body, errors, required=True)
    name = _event_name(body, errors)
    attributes = _object(body, "attributes", errors)
    timestamp, sent_at = _time(body, "timestamp", errors), _time(body, "sent_at", errors)
    ip, user_agent = _event_client(body, facts, errors)
    message_id = _event_id(body, errors)
    _flag(body, "synchronous", errors)
    if errors or uuid is None:
        raise Invalid(errors)
    return {
        **_base("event", uuid, facts),
        "name": name,
        "attributes": attributes,
        "occurred_at": iso(occurred_at(facts.received_at, timestamp, sent_at)),
        "ip": ip,
        "user_agent": user_agent,
        "message_id": message_id,
    }


BUILDERS = {"init": init_item, "attributes": attributes_item, "event": event_item}
