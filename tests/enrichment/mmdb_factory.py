"""Tiny GeoIP2-format databases for tests, written with mmdb-writer.

`write_test_databases(folder)` writes GeoLite2-City, GeoLite2-ASN, GeoIP2-ISP and
GeoIP2-Anonymous-IP files. Variant "b" moves the same addresses to other cities, for
tests of re-enrichment after a database update.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import netaddr
from mmdb_writer import MMDBWriter

DOC_IP = "50.89.98.90"  # the documentation's example address: Spectrum, Orlando
HOSTING_IP = "3.80.10.20"  # an AWS address, flagged as hosting provider
TOR_IP = "185.220.101.7"
LONDON_IP = "81.2.69.160"
IPV6_IP = "2a01:4f8:1:2::3"  # Hetzner, hosting provider

SPECTRUM = "50.89.96.0/20"
AWS = "3.80.0.0/12"
TOR = "185.220.101.0/24"
LONDON = "81.2.69.0/24"
HETZNER = "2a01:4f8::/32"


def _names(en: str) -> dict[str, str]:
    return {"en": en, "de": en + " (de)"}


def _city(country: tuple[str, str], region: tuple[str, str], city: str, **extra: Any) -> dict:
    continent = {"code": "EU", "names": _names("Europe")}
    if country[0] == "US":
        continent = {"code": "NA", "names": _names("North America")}
    return {
        "continent": continent,
        "country": {"iso_code": country[0], "names": _names(country[1])},
        "subdivisions": [{"iso_code": region[0], "names": _names(region[1])}],
        "city": {"names": _names(city)},
        **extra,
    }


def _location(lat: float, lon: float, zone: str) -> dict[str, Any]:
    return {"latitude": lat, "longitude": lon, "time_zone": zone, "accuracy_radius": 20}


def _city_records(variant: str) -> dict[str, dict]:
    if variant == "b":
        return {
            SPECTRUM: _city(("US", "United States"), ("TX", "Texas"), "Austin",
                            location=_location(30.2672, -97.7431, "America/Chicago"),
                            postal={"code": "73301"}),
            LONDON: _city(("GB", "United Kingdom"), ("ENG", "England"), "Manchester",
                          location=_location(53.48, -2.24, "Europe/London")),
        }  # fmt: skip
    return {
        SPECTRUM: _city(("US", "United States"), ("FL", "Florida"), "Orlando",
                        location=_location(28.53, -81.4807, "America/New_York"),
                        postal={"code": "32801"}),
        LONDON: _city(("GB", "United Kingdom"), ("ENG", "England"), "London",
                      location=_location(51.5142, -0.0931, "Europe/London")),
        AWS: _city(("US", "United States"), ("VA", "Virginia"), "Ashburn",
                   location=_location(39.0469, -77.4903, "America/New_York")),
        HETZNER: _city(("DE", "Germany"), ("BY", "Bavaria"), "Nuremberg",
                       location=_location(49.4478, 11.0683, "Europe/Berlin")),
    }  # fmt: skip


ASN_RECORDS = {
    SPECTRUM: {"autonomous_system_number": 33363, "autonomous_system_organization": "BHN-33363"},
    AWS: {"autonomous_system_number": 14618, "autonomous_system_organization": "AMAZON-AES"},
    HETZNER: {
        "autonomous_system_number": 24940,
        "autonomous_system_organization": "Hetzner Online GmbH",
    },
}
ISP_RECORDS = {
    SPECTRUM: {
        "isp": "Spectrum",
        "organization": "Spectrum",
        "autonomous_system_number": 33363,
        "autonomous_system_organization": "BHN-33363",
    },
    AWS: {"isp": "Amazon.com", "organization": "Amazon Web Services"},
}
ANONYMOUS_RECORDS = {
    AWS: {"is_anonymous": True, "is_hosting_provider": True},
    HETZNER: {"is_anonymous": True, "is_hosting_provider": True},
    TOR: {"is_anonymous": True, "is_tor_exit_node": True},
}


def write_database(path: Path, database_type: str, records: Mapping[str, Any]) -> None:
    """One .mmdb file, written beside `path` and renamed over it (as geoipupdate does)."""
    writer = MMDBWriter(
        ip_version=6,
        ipv4_compatible=True,
        database_type=database_type,
        languages=["en", "de"],
        description={lang: f"A-TRACK test {database_type}" for lang in ("en", "de")},
    )
    for cidr, record in records.items():
        writer.insert_network(netaddr.IPSet([cidr]), record)
    handle, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(handle)
    writer.to_db_file(tmp)
    os.replace(tmp, path)


def write_test_databases(folder: Path, *, variant: str = "a") -> None:
    """City, ASN, ISP and Anonymous-IP databases in `folder` (created if missing)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    write_database(folder / "GeoLite2-City.mmdb", "GeoLite2-City", _city_records(variant))
    write_database(folder / "GeoLite2-ASN.mmdb", "GeoLite2-ASN", ASN_RECORDS)
    write_database(folder / "GeoIP2-ISP.mmdb", "GeoIP2-ISP", ISP_RECORDS)
    write_database(folder / "GeoIP2-Anonymous-IP.mmdb", "GeoIP2-Anonymous-IP", ANONYMOUS_RECORDS)
