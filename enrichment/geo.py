"""GeoIP lookups over MaxMind (GeoIP2/GeoLite2) and DB-IP Lite .mmdb files.

Files are found by their standard names in one folder, opened lazily once, and reopened
when replaced on disk (geoipupdate writes a new file and renames it over the old one).
Nothing here raises on a lookup: a missing, corrupt or unreadable database only makes its
part of ip_data disappear, as PostHog's geoip does.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import maxminddb

from enrichment.geo_records import (
    anonymous_part,
    asn_part,
    city_part,
    isp_from_asn,
    isp_part,
)
from enrichment.net import classify_ip

logger = logging.getLogger(__name__)

# Per kind, the file names tried in order: paid GeoIP2 first, then free GeoLite2, then
# DB-IP Lite (same format; its monthly files carry the date, the newest name wins).
DATABASE_FILES: dict[str, tuple[str, ...]] = {
    "city": (
        "GeoIP2-City.mmdb",
        "GeoLite2-City.mmdb",
        "dbip-city-lite*.mmdb",
        "GeoIP2-Country.mmdb",
        "GeoLite2-Country.mmdb",
        "dbip-country-lite*.mmdb",
    ),
    "asn": ("GeoIP2-ASN.mmdb", "GeoLite2-ASN.mmdb", "dbip-asn-lite*.mmdb"),
    "isp": ("GeoIP2-ISP.mmdb",),
    "anonymous": ("GeoIP2-Anonymous-IP.mmdb",),
}
_Signature = tuple[str, int, int, int]


def _find(folder: Path, names: Sequence[str]) -> Path | None:
    for name in names:
        try:
            if "*" in name:
                matches = sorted(p for p in folder.glob(name) if p.is_file())
                if matches:
                    return matches[-1]
            elif (folder / name).is_file():
                return folder / name
        except OSError:
            continue
    return None


def _signature(path: Path | None) -> _Signature | None:
    if path is None:
        return None
    try:
        stat = path.stat()
    except OSError:
        return None
    return (str(path), stat.st_ino, stat.st_mtime_ns, stat.st_size)


class _Slot:
    """One database kind: finds its file, opens it, reopens it when it changes."""

    def __init__(self, folder: Path | None, names: Sequence[str], interval: float) -> None:
        self._folder, self._names, self._interval = folder, tuple(names), interval
        self._lock = threading.Lock()
        self._reader: maxminddb.Reader | None = None
        self._signature: _Signature | None = None
        self._next_check = float("-inf")
        self.path: Path | None = None

    def reader(self, now: float) -> maxminddb.Reader | None:
        """The current reader; the disk is looked at no more than once per interval."""
        if now < self._next_check:
            return self._reader
        with self._lock:
            if now >= self._next_check:
                self._next_check = now + self._interval
                self._refresh()
        return self._reader

    def _refresh(self) -> None:
        path = _find(self._folder, self._names) if self._folder else None
        signature = _signature(path)
        if signature == self._signature:
            return
        self._signature, self.path = signature, path
        # The old reader is not closed: a lookup in another thread may still use it; it
        # is released when the last reference goes.
        self._reader = self._open(path) if path else None

    @staticmethod
    def _open(path: Path) -> maxminddb.Reader | None:
        try:
            return maxminddb.open_database(str(path), maxminddb.MODE_AUTO)
        except Exception as error:  # corrupt, truncated, unreadable: degrade, never fail
            logger.warning("cannot open GeoIP database %s: %s", path, error)
            return None


class GeoDatabases:
    """The GeoIP databases of one folder (GEOIP_PATH)."""

    def __init__(
        self,
        folder: str | Path | None,
        *,
        recheck_interval: float = 5.0,
        languages: Sequence[str] = ("en",),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        base = Path(folder) if folder else None
        files = dict(DATABASE_FILES)
        if base is not None and base.suffix == ".mmdb":  # a single file, as Django allows
            files = {"city": (base.name,)}
            base = base.parent
        self._slots = {kind: _Slot(base, names, recheck_interval) for kind, names in files.items()}
        self._languages = tuple(languages)
        self._clock = clock

    def _record(self, kind: str, ip: str) -> tuple[bool, Mapping[str, Any] | None]:
        """(database present, record) for one kind; errors count as not found."""
        slot = self._slots.get(kind)
        reader = slot.reader(self._clock()) if slot else None
        if reader is None:
            return False, None
        try:
            record = reader.get(ip)
        except Exception as error:
            logger.warning("GeoIP %s lookup failed for %s: %s", kind, ip, error)
            return True, None
        return True, record if isinstance(record, Mapping) else None

    def lookup(self, ip: str | None) -> dict[str, Any]:
        """ip_data for one address; {} for an invalid one."""
        classified = classify_ip(ip)
        return {} if classified is None else self.lookup_classified(classified)

    def lookup_classified(self, classified: tuple[str, bool, bool]) -> dict[str, Any]:
        """ip_data for an address already parsed by `classify_ip`."""
        address, private, reserved = classified
        data: dict[str, Any] = {"ip": address}
        if not (private or reserved):
            data.update(self._parts(address))
        data["is_private"], data["is_reserved"] = private, reserved
        return data

    def _parts(self, ip: str) -> dict[str, Any]:
        parts: dict[str, Any] = {}
        _, city = self._record("city", ip)
        if city and (shaped := city_part(city, self._languages)):
            parts["city"] = shaped
        _, isp = self._record("isp", ip)
        _, asn_record = self._record("asn", ip)
        asn = asn_part(asn_record or {}) or asn_part(isp or {})
        isp_data = isp_part(isp or {}) or (isp_from_asn(asn) if asn else None)
        if isp_data:
            parts["isp"] = isp_data
        if asn:
            parts["asn"] = asn
        present, anonymous = self._record("anonymous", ip)
        if present:
            parts["anonymous"] = anonymous_part(anonymous)
        return parts

    def database_info(self) -> dict[str, dict[str, Any] | None]:
        """Per kind: path, database type and build epoch of the file in use (None if none)."""
        info: dict[str, dict[str, Any] | None] = {}
        for kind, slot in self._slots.items():
            reader = slot.reader(self._clock())
            try:
                meta = reader.metadata() if reader else None
            except Exception:
                meta = None
            info[kind] = (
                None
                if meta is None
                else {
                    "path": str(slot.path),
                    "type": meta.database_type,
                    "build_epoch": meta.build_epoch,
                    "ip_version": meta.ip_version,
                }
            )
        return info
