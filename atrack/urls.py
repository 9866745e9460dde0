"""Routes: the ingest and read API at the root, probes, and the staff admin."""

from __future__ import annotations

from csp.decorators import csp_exempt
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from atrack.api import health
from atrack.api.metrics import metrics
from atrack.api.sdk import sdk_script

handler400 = "atrack.errors.bad_request"
handler404 = "atrack.errors.not_found"
handler500 = "atrack.errors.server_error"

urlpatterns = [
    # First: the ingest endpoints are most of the traffic, resolved before anything else.
    path("", include("atrack.api.urls")),
    path("health", health.health, name="health"),
    path("ready", health.ready, name="ready"),
    path("metrics", metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("openapi.json", SpectacularAPIView.as_view(), {"format": "json"}, name="openapi"),
    # Swagger UI starts itself from an inline script.
    path("docs", csp_exempt()(SpectacularSwaggerView.as_view(url_name="openapi")), name="docs"),
    path("sdk/atrack.js", sdk_script, name="sdk-js"),
]
