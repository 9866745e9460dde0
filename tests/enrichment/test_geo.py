"""GeoDatabases over tiny .mmdb files built by mmdb_factory."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from enrichment.geo import GeoDatabases
from tests.enrichment.mmdb_factory import (
    DOC_IP,
    HOSTING_IP,
    IPV6_IP,
    LONDON_IP,
    TOR_IP,
    write_test_databases,
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("geoip")
    write_test_databases(path)
    return path


@pytest.fixture(scope="module")
def geo(folder: Path) -> GeoDatabases:
    return GeoDatabases(folder)


def test_the_documented_ip_is_in_orlando_with_spectrum(geo: GeoDatabases) -> None:
    data = geo.lookup(DOC_IP)
    assert data["ip"] == DOC_IP
    assert data["city"]["country"] == {"iso_code": "US", "names": {"en": "United States"}}
    assert data["city"]["location"]["time_zone"] == "America/New_York"
    assert data["city"]["location"]["latitude"] == 28.53
    assert data["city"]["subdivisions"] == [{"iso_code": "FL", "names": {"en": "Florida"}}]
    assert data["city"]["city"] == {"names": {"en": "Orlando"}}
    assert data["isp"] == {"isp": "Spectrum", "organization": "Spectrum"}
    assert data["asn"] == {"number": 33363, "organization": "BHN-33363"}
    assert data["is_private"] is False
    assert data["is_reserved"] is False


def test_a_hosting_provider_is_flagged(geo: GeoDatabases) -> None:
    anonymous = geo.lookup(HOSTING_IP)["anonymous"]
    assert anonymous["is_hosting_provider"] is True
    assert anonymous["is_tor_exit_node"] is False


def test_a_tor_exit_node_is_flagged(geo: GeoDatabases) -> None:
    assert geo.lookup(TOR_IP)["anonymous"]["is_tor_exit_node"] is True


def test_an_ipv6_address_is_looked_up(geo: GeoDatabases) -> None:
    data = geo.lookup(IPV6_IP)
    assert data["city"]["country"]["iso_code"] == "DE"
    assert data["asn"]["number"] == 24940
    # no ISP record: the AS organisation stands in, marked as such
    assert data["isp"] == {
        "isp": "Hetzner Online GmbH",
        "organization": "Hetzner Online GmbH",
        "source": "asn",
    }


def test_an_ipv4_mapped_ipv6_address_is_looked_up_as_ipv4(geo: GeoDatabases) -> None:
    assert geo.lookup("::ffff:" + DOC_IP)["ip"] == DOC_IP


def test_an_address_in_no_network_has_only_the_anonymous_flags(geo: GeoDatabases) -> None:
    data = geo.lookup("8.8.8.8")
    assert "city" not in data
    assert "asn" not in data
    assert data["anonymous"]["is_anonymous"] is False


@pytest.mark.parametrize("ip", ["10.0.0.1", "192.168.1.20", "fd00::1"])
def test_private_addresses_are_marked_and_not_looked_up(geo: GeoDatabases, ip: str) -> None:
    assert geo.lookup(ip) == {"ip": ip, "is_private": True, "is_reserved": False}


@pytest.mark.parametrize("ip", ["127.0.0.1", "::1", "169.254.0.1", "224.0.0.1", "192.0.2.1"])
def test_reserved_addresses_are_marked(geo: GeoDatabases, ip: str) -> None:
    assert geo.lookup(ip) == {"ip": ip, "is_private": False, "is_reserved": True}


@pytest.mark.parametrize("ip", [None, "", "x", "999.1.1.1", 12])
def test_an_invalid_address_gives_nothing(geo: GeoDatabases, ip: object) -> None:
    assert geo.lookup(ip) == {}  # type: ignore[arg-type]


def test_database_info_lists_each_file(geo: GeoDatabases, folder: Path) -> None:
    info = geo.database_info()
    assert info["city"] is not None
    assert info["city"]["type"] == "GeoLite2-City"
    assert info["city"]["path"] == str(folder / "GeoLite2-City.mmdb")
    assert isinstance(info["asn"]["build_epoch"] if info["asn"] else None, int)


def test_a_missing_folder_degrades_to_address_flags(tmp_path: Path) -> None:
    geo = GeoDatabases(tmp_path / "nope")
    assert geo.lookup(DOC_IP) == {"ip": DOC_IP, "is_private": False, "is_reserved": False}
    assert geo.database_info() == {"city": None, "asn": None, "isp": None, "anonymous": None}


def test_no_folder_at_all_degrades_too() -> None:
    assert GeoDatabases(None).lookup(LONDON_IP)["ip"] == LONDON_IP


def test_only_an_asn_database_gives_asn_and_isp_from_it(tmp_path: Path, folder: Path) -> None:
    shutil.copy(folder / "GeoLite2-ASN.mmdb", tmp_path / "GeoLite2-ASN.mmdb")
    data = GeoDatabases(tmp_path).lookup(DOC_IP)
    assert data["asn"]["number"] == 33363
    assert data["isp"]["source"] == "asn"
    assert "city" not in data
    assert "anonymous" not in data


def test_dbip_lite_file_names_are_found(tmp_path: Path, folder: Path) -> None:
    shutil.copy(folder / "GeoLite2-City.mmdb", tmp_path / "dbip-city-lite-2024-01.mmdb")
    shutil.copy(folder / "GeoLite2-City.mmdb", tmp_path / "dbip-city-lite-2024-05.mmdb")
    geo = GeoDatabases(tmp_path)
    assert geo.lookup(DOC_IP)["city"]["country"]["iso_code"] == "US"
    assert geo.database_info()["city"]["path"].endswith("2024-05.mmdb")  # type: ignore[index]


def test_a_single_file_path_is_used_as_the_city_database(folder: Path) -> None:
    geo = GeoDatabases(folder / "GeoLite2-City.mmdb")
    assert geo.lookup(DOC_IP)["city"]["city"]["names"]["en"] == "Orlando"


def test_a_corrupted_file_does_not_raise(tmp_path: Path, folder: Path) -> None:
    (tmp_path / "GeoLite2-City.mmdb").write_bytes(b"\x00garbage" * 100)
    shutil.copy(folder / "GeoLite2-ASN.mmdb", tmp_path / "GeoLite2-ASN.mmdb")
    data = GeoDatabases(tmp_path).lookup(DOC_IP)
    assert "city" not in data
    assert data["asn"]["number"] == 33363


def test_a_truncated_file_does_not_raise(tmp_path: Path, folder: Path) -> None:
    whole = (folder / "GeoLite2-City.mmdb").read_bytes()
    (tmp_path / "GeoLite2-City.mmdb").write_bytes(whole[: len(whole) // 2] + whole[-200:])
    assert GeoDatabases(tmp_path).lookup(DOC_IP)["ip"] == DOC_IP


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_replaced_file_is_picked_up_after_the_recheck_interval(tmp_path: Path) -> None:
    write_test_databases(tmp_path, variant="a")
    clock = FakeClock()
    geo = GeoDatabases(tmp_path, recheck_interval=10, clock=clock)
    assert geo.lookup(DOC_IP)["city"]["city"]["names"]["en"] == "Orlando"
    write_test_databases(tmp_path, variant="b")
    clock.now = 5  # within the interval: the open reader is still used
    assert geo.lookup(DOC_IP)["city"]["city"]["names"]["en"] == "Orlando"
    clock.now = 11
    assert geo.lookup(DOC_IP)["city"]["city"]["names"]["en"] == "Austin"


def test_a_file_that_appears_later_is_picked_up(tmp_path: Path) -> None:
    clock = FakeClock()
    geo = GeoDatabases(tmp_path, recheck_interval=1, clock=clock)
    assert "city" not in geo.lookup(DOC_IP)
    write_test_databases(tmp_path)
    clock.now = 2
    assert geo.lookup(DOC_IP)["city"]["country"]["iso_code"] == "US"


def test_a_removed_file_degrades(tmp_path: Path) -> None:
    write_test_databases(tmp_path)
    clock = FakeClock()
    geo = GeoDatabases(tmp_path, recheck_interval=1, clock=clock)
    assert "city" in geo.lookup(DOC_IP)
    os.remove(tmp_path / "GeoLite2-City.mmdb")
    clock.now = 2
    assert "city" not in geo.lookup(DOC_IP)
