"""Routes of the API process: the keyed API at the root, as documented, and the probes."""

from __future__ import annotations

from django.urls import path

from atrack import health
from atrack.metrics_view import metrics
from events.urls import urlpatterns as api_routes

handler400 = "atrack.errors.bad_request"
handler404 = "atrack.errors.not_found"
handler500 = "atrack.errors.server_error"

urlpatterns = [
    # The API's own patterns, not an include: one level fewer to resolve per request.
    *api_routes,
    path("health", health.health, name="health"),
    path("ready", health.ready, name="ready"),
    path("metrics", metrics, name="metrics"),
]
