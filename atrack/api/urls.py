"""Routes of the API process (its URLconf, atrack/settings_api.py): the keyed API at the
root, as documented, and the probes. The whole service's URLconf starts with them."""

from __future__ import annotations

from django.urls import path

from atrack.api import health
from atrack.api.metrics import metrics
from atrack.api.reads import EraseViewSet, ReadViewSet
from atrack.api.writes import BatchViewSet, IngestViewSet

handler400 = "atrack.errors.bad_request"
handler404 = "atrack.errors.not_found"
handler500 = "atrack.errors.server_error"

# The keyed API, the paths the proxy sends to the API process (docker/nginx.conf.template).
keyed = [
    path("init", IngestViewSet.as_view({"post": "init", "options": "options"}), name="init"),
    path(
        "attributes",
        IngestViewSet.as_view({"post": "attributes", "options": "options"}),
        name="attributes",
    ),
    path("event", IngestViewSet.as_view({"post": "event", "options": "options"}), name="event"),
    path("batch", BatchViewSet.as_view({"post": "batch", "options": "options"}), name="batch"),
    path(
        "session/show",
        ReadViewSet.as_view({"post": "session_show", "options": "options"}),
        name="session-show",
    ),
    path(
        "event/show",
        ReadViewSet.as_view({"post": "event_show", "options": "options"}),
        name="event-show",
    ),
    path(
        "session/delete",
        EraseViewSet.as_view({"post": "session_delete", "options": "options"}),
        name="session-delete",
    ),
]

urlpatterns = [
    *keyed,
    path("health", health.health, name="health"),
    path("ready", health.ready, name="ready"),
    path("metrics", metrics, name="metrics"),
]
