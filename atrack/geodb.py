"""The per-process enrichment resources, built from settings once."""

from __future__ import annotations

from functools import cache

from django.conf import settings

from enrichment.geo import GeoDatabases


@cache
def geo_databases() -> GeoDatabases:
    """One GeoDatabases a process: readers open lazily and reopen when files change."""
    return GeoDatabases(settings.GEOIP_PATH)
