"""The one entry point that turns an init's raw `context` into the session's fields.

Pure and deterministic: the Celery task, the synchronous request path and the
re-enrichment command all call `enrich_session`, so they cannot disagree. Time comes in as
`seen_at_ms`; GeoIP databases come in as `geo`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from enrichment._text import as_mapping, as_text, sanitize_json
from enrichment.attribution import Attribution, TouchPoint, classify, merge_touch
from enrichment.client_hints import from_client
from enrichment.device import MAX_UA_LENGTH, parse_device, unknown_device
from enrichment.geo import GeoDatabases
from enrichment.net import classify_ip
from enrichment.urls import UrlEnrichment, parse_url_context

# Inputs of ip_data and device_data, not attributes of the visitor.
_CLIENT_IDENTITY_KEYS = ("ipAddress", "userAgent", "userAgentData", "clientHints")


def _ip_data(classified: tuple[str, bool, bool] | None, geo: GeoDatabases | None) -> dict[str, Any]:
    if classified is None:
        return {}
    if geo is None:  # no databases configured: still say what kind of address it is
        ip, private, reserved = classified
        return {"ip": ip, "is_private": private, "is_reserved": reserved}
    return geo.lookup_classified(classified)


def _is_hosting(ip_data: Mapping[str, Any]) -> bool:
    return bool(as_mapping(ip_data.get("anonymous")).get("is_hosting_provider"))


def enrich_ip_only(
    *,
    client: Mapping[str, Any],
    geo: GeoDatabases | None,
    hosting_is_bot: bool = False,
) -> dict[str, Any]:
    """ip_address, ip_data and device_data of `context.client`: what data updates change.

    A hosting-provider address marks the visitor a bot only when the project asks
    (`hosting_is_bot`); the signal itself always stays in ip_data.anonymous.
    """
    classified = classify_ip(client.get("ipAddress"))  # the address is parsed once
    ip = classified[0] if classified else None
    ip_data = _ip_data(classified, geo)
    hosting = hosting_is_bot and _is_hosting(ip_data)
    user_agent = client.get("userAgent")
    if isinstance(user_agent, str):
        hints = from_client(client)
        device = parse_device(user_agent[:MAX_UA_LENGTH], hosting_ip=hosting, hints=hints)
    else:
        device = unknown_device(hosting_ip=hosting)
    return {"ip_address": ip, "ip_data": ip_data, "device_data": device}


def _touch(url: UrlEnrichment, own_hosts: Collection[str], seen_at_ms: int) -> TouchPoint:
    # source_url is "the original source page" (docs): it stands in for a missing referer.
    source_url = as_text(url.url_data.get("source_url"), 8192)
    referer = url.referer or source_url
    hosts = [*own_hosts, url.host] if url.host else list(own_hosts)
    found = classify(url.utm_data, url.click_ids, referer, hosts)
    return TouchPoint(
        source=found.source,
        medium=found.medium,
        channel=found.channel,
        utm_data=url.utm_data,
        click_ids=url.click_ids,
        referer=None if found.is_internal_referer else url.referer,
        landing_url=as_text(url.url_data.get("href"), 8192),
        source_url=source_url,
        seen_at_ms=seen_at_ms,
        term=found.term,
    )


def _seen_at(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    return int(value)


def enrich_session(
    *,
    context: Mapping[str, Any] | None,
    previous: Mapping[str, Any] | None,
    seen_at_ms: int,
    geo: GeoDatabases | None,
    own_hosts: Collection[str] = (),
    hosting_is_bot: bool = False,
) -> dict[str, Any]:
    """All enriched session fields for one processed init (see docs/enrichment.md)."""
    context = as_mapping(context)
    client = as_mapping(context.get("client"))
    url = parse_url_context(as_mapping(context.get("url")))
    own = [host for host in own_hosts or () if isinstance(host, str)]
    merged = merge_touch(as_mapping(previous), _touch(url, own, _seen_at(seen_at_ms)))
    user_attributes = as_mapping(as_mapping(context.get("user")).get("attributes"))
    client_attributes = {k: v for k, v in client.items() if k not in _CLIENT_IDENTITY_KEYS}
    return {
        "url_data": url.url_data,
        "query_params": url.query_params,
        **merged.as_dict(),
        **enrich_ip_only(client=client, geo=geo, hosting_is_bot=hosting_is_bot),
        "client_attributes": sanitize_json(client_attributes),
        "user_attributes_patch": sanitize_json(dict(user_attributes)),
    }


def _reclassify(
    touch: Mapping[str, Any], clicks: Mapping[str, Any], referer: object
) -> Attribution | None:
    ref = referer if isinstance(referer, str) and referer else None
    if not (as_mapping(touch.get("utm_data")) or clicks or ref):
        return None  # nothing stored to classify again (a direct visit, say)
    return classify(as_mapping(touch.get("utm_data")), clicks, ref)


def reattribute(stored: Mapping[str, Any]) -> dict[str, Any]:
    """first_touch, source, medium, channel and touch_state of a stored session, classified
    again from its stored touches with today's referer data (`manage.py reenrich`).

    Internal referers were dropped when stored, so no own-host list is needed here.
    """
    out: dict[str, Any] = {}
    first = dict(as_mapping(stored.get("first_touch")))
    found = _reclassify(
        first, as_mapping(first.get("click_ids")), first.get("referer") or first.get("source_url")
    )
    if found is not None:
        first.update(source=found.source, medium=found.medium, channel=found.channel)
        first.pop("term", None)
        out["first_touch"] = {**first, **({"term": found.term} if found.term else {})}
    state = dict(as_mapping(stored.get("touch_state")))
    last_at = state.get("last_touch_at_ms")
    clicks = {
        key: item["value"]
        for key, item in as_mapping(state.get("click_ids")).items()
        if isinstance(item, Mapping) and item.get("at") == last_at and "value" in item
    }
    found = _reclassify(stored, clicks, stored.get("referer"))
    if found is not None:
        out.update(source=found.source, medium=found.medium, channel=found.channel)
        state.pop("term", None)
        out["touch_state"] = {**state, **({"term": found.term} if found.term else {})}
    return out
