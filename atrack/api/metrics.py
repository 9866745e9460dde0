"""GET /metrics: Prometheus text format, behind `METRICS_TOKEN`.

Counters of every process on the host are aggregated when `PROMETHEUS_MULTIPROC_DIR`
is set (the same folder for web and Celery workers); the gauges below are read live.
"""

from __future__ import annotations

import hmac
import logging
import os
import time
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import REGISTRY, Collector

from atrack.errors import json_error
from atrack.geodb import geo_databases
from events.ingest import stream
from events.ingest.broker import broker_redis
from events.models import FailedWork

logger = logging.getLogger(__name__)


class LiveGauges(Collector):
    """Queue depth, processing lag, parked work and GeoIP database age, read at scrape."""

    def collect(self) -> Iterator[Metric]:
        yield from self._queue()
        yield from self._failed()
        yield from self._geoip()

    def _queue(self) -> Iterator[Metric]:
        if broker_redis() is None:
            return
        try:
            depth, lag = stream.depth()
        except Exception:
            logger.warning("metrics: the ingest stream is unreachable")
            return
        yield GaugeMetricFamily(
            "atrack_queue_depth", "Ingest stream entries queued or being stored", value=depth
        )
        yield GaugeMetricFamily(
            "atrack_processing_lag_seconds", "Age of the oldest queued ingest entry", value=lag
        )

    def _failed(self) -> Iterator[Metric]:
        pending = 0
        for alias in settings.DATABASES:  # an unreachable alias leaves the others' count
            try:
                pending += FailedWork.objects.using(alias).filter(replayed_at__isnull=True).count()
            except Exception:
                logger.warning("metrics: failed work on %r is unreadable", alias)
        yield GaugeMetricFamily(
            "atrack_failed_work_pending", "Parked batches not replayed yet", value=pending
        )

    def _geoip(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(
            "atrack_geoip_database_age_seconds", "Age of each GeoIP database", labels=["database"]
        )
        for name, info in _database_info(geo_databases().database_info()):
            epoch = info.get("build_epoch")
            if isinstance(epoch, int | float):
                family.add_metric([name], time.time() - float(epoch))
        yield family


def _database_info(info: Any) -> list[tuple[str, dict[str, Any]]]:
    if isinstance(info, dict):
        return [(str(k), v) for k, v in info.items() if isinstance(v, dict)]
    return []


def _registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(LiveGauges())
        return registry
    return REGISTRY


_live_registered = False


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    global _live_registered
    token = settings.METRICS_TOKEN
    if not token:
        return json_error(404, "not_found", "Metrics are off; set METRICS_TOKEN to turn them on.")
    scheme, _, sent = str(request.META.get("HTTP_AUTHORIZATION", "")).partition(" ")
    if scheme != "Bearer" or not hmac.compare_digest(sent.strip().encode(), token.encode()):
        return json_error(401, "invalid_token", "Send `Authorization: Bearer <METRICS_TOKEN>`.")
    registry = _registry()
    if registry is REGISTRY and not _live_registered:
        REGISTRY.register(LiveGauges())
        _live_registered = True
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
