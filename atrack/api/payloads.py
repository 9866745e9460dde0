"""Write bodies into work items: plain JSON dicts, ready to queue.

Each body is validated against its declaration in `atrack.api.contract`; what is left
here is what the request adds: the receipt time, the client's address and user agent
when the body has none, a generated UUID or event id.
"""

from __future__ import annotations

import uuid as uuid_lib
from datetime import datetime, timedelta
from typing import Any

from atrack.api import contract
from atrack.ids import new_id
from atrack.times import iso
from enrichment.net import anonymize_ip

FUTURE_LIMIT = timedelta(hours=23)
SDK_AGENT_PREFIX = "atrack-sdk-"


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


def synchronous(body: dict[str, Any]) -> bool:
    return body.get("synchronous") is True


def _ip(ip: str | None, facts: RequestFacts) -> str | None:
    return anonymize_ip(ip) if ip and facts.anonymize_ip else ip


def _client(raw: dict[str, Any], given: contract.Client | None, facts: RequestFacts) -> dict:
    """The init's client (its other keys as sent), with the address and user agent taken
    from the request when the body has none."""
    given = given or contract.Client()
    client = {**raw, "ipAddress": _ip(given.ipAddress or facts.ip, facts)}
    client["userAgent"] = given.userAgent
    if given.userAgent is None:
        # A server-side SDK's own user agent says nothing about the visitor; the request's
        # Sec-CH-UA headers describe the visitor only when its User-Agent does.
        agent = None if facts.user_agent.startswith(SDK_AGENT_PREFIX) else facts.user_agent
        client["userAgent"] = agent
        if agent and facts.client_hints and given.clientHints is None:
            client["clientHints"] = facts.client_hints
    return client


def _base(kind: str, uuid: str, facts: RequestFacts) -> dict[str, Any]:
    return {
        "kind": kind,
        "project_id": facts.project_id,
        "uuid": uuid,
        "received_at": iso(facts.received_at),
    }


def init_item(body: dict[str, Any], facts: RequestFacts) -> dict[str, Any]:
    """POST /init body → work item; a missing UUID is generated here, at receipt."""
    init = contract.read(body, contract.Init)
    given = init.context or contract.InitContext()
    context = body.get("context") or {}
    user = context.get("user") or {}
    context = {
        **context,
        "url": context.get("url") or {},
        "client": _client(context.get("client") or {}, given.client, facts),
        "user": {**user, "attributes": user.get("attributes") or {}},
    }
    uuid = init.uuid or str(uuid_lib.uuid4())
    custom_data = body.get("custom_data") or {}
    return {**_base("init", uuid, facts), "context": context, "custom_data": custom_data}


def attributes_item(body: dict[str, Any], facts: RequestFacts) -> dict[str, Any]:
    """POST /attributes body → work item."""
    write = contract.read(body, contract.SetAttributes)
    return {
        **_base("attributes", write.uuid, facts),
        "attributes": body["attributes"],
        "replace": bool(write.replace),
    }


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


def event_item(body: dict[str, Any], facts: RequestFacts) -> dict[str, Any]:
    """POST /event body → work item with its occurred_at and a stable event id."""
    event = contract.read(body, contract.Event)
    # This event's own address and user agent; none given means the session's.
    client = (event.context and event.context.client) or contract.Client()
    return {
        **_base("event", event.uuid, facts),
        "name": event.event,
        "attributes": body.get("attributes") or {},
        "occurred_at": iso(occurred_at(facts.received_at, event.timestamp, event.sent_at)),
        "ip": _ip(client.ipAddress or None, facts),
        "user_agent": client.userAgent or "",
        "message_id": new_id() if event.id is None else str(event.id),
    }


BUILDERS = {"init": init_item, "attributes": attributes_item, "event": event_item}
