"""Shaping raw MaxMind/DB-IP records into the documented ip_data parts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

ANONYMOUS_FLAGS = (
    "is_anonymous",
    "is_anonymous_vpn",
    "is_hosting_provider",
    "is_public_proxy",
    "is_tor_exit_node",
    "is_residential_proxy",
)
_LOCATION_KEYS = ("latitude", "longitude", "time_zone", "accuracy_radius")


def _map(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _names(part: Mapping[str, Any], languages: Sequence[str]) -> dict[str, str]:
    # Keeping a few languages instead of MaxMind's eight keeps each session row small.
    names = _map(part.get("names"))
    return {lang: names[lang] for lang in languages if isinstance(names.get(lang), str)}


def _named(part: object, languages: Sequence[str], code_key: str) -> dict[str, Any] | None:
    part = _map(part)
    if not part:
        return None
    found: dict[str, Any] = {}
    if part.get(code_key) is not None:
        found[code_key] = part[code_key]
    names = _names(part, languages)
    if names:
        found["names"] = names
    return found or None


def city_part(record: Mapping[str, Any], languages: Sequence[str]) -> dict[str, Any]:
    """country, subdivisions, city, location, postal, continent: the parts present."""
    result: dict[str, Any] = {}
    country = _named(record.get("country"), languages, "iso_code")
    country = country or _named(record.get("registered_country"), languages, "iso_code")
    if country:
        result["country"] = country
    subdivisions = record.get("subdivisions")
    if isinstance(subdivisions, list):
        parts = [_named(item, languages, "iso_code") for item in subdivisions]
        if any(parts):
            result["subdivisions"] = [part for part in parts if part]
    city = _named(record.get("city"), languages, "geoname_id")
    if city and "names" in city:
        result["city"] = {"names": city["names"]}
    location = _map(record.get("location"))
    found = {key: location[key] for key in _LOCATION_KEYS if location.get(key) is not None}
    if found:
        result["location"] = found
    postal = _map(record.get("postal"))
    if postal.get("code"):
        result["postal"] = {"code": postal["code"]}
    continent = _named(record.get("continent"), languages, "code")
    if continent:
        result["continent"] = continent
    return result


def asn_part(record: Mapping[str, Any]) -> dict[str, Any] | None:
    """{"number", "organization"} from an ASN or ISP record."""
    number = record.get("autonomous_system_number")
    organization = record.get("autonomous_system_organization")
    if number is None and organization is None:
        return None
    return {"number": number, "organization": organization}


def isp_part(record: Mapping[str, Any]) -> dict[str, Any] | None:
    """{"isp", "organization"} (plus mobile network codes when present) from an ISP record."""
    found = {key: record.get(key) for key in ("isp", "organization")}
    if found["isp"] is None and found["organization"] is None:
        return None
    for key in ("mobile_country_code", "mobile_network_code"):
        if record.get(key) is not None:
            found[key] = record[key]
    return found


def isp_from_asn(asn: Mapping[str, Any]) -> dict[str, Any] | None:
    """Without the paid ISP database the AS organisation is the best ISP name we have."""
    organization = asn.get("organization")
    if not isinstance(organization, str):
        return None
    return {"isp": organization, "organization": organization, "source": "asn"}


def anonymous_part(record: Mapping[str, Any] | None) -> dict[str, bool]:
    """The six Anonymous-IP flags; an address absent from the database has none set."""
    record = record or {}
    return {flag: bool(record.get(flag, False)) for flag in ANONYMOUS_FLAGS}
