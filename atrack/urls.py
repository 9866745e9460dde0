"""Routes of the whole service: the API process's (atrack/urls_api.py), the staff admin,
the API's documents and the browser SDK."""

from __future__ import annotations

from csp.decorators import csp_exempt
from django.contrib import admin
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from atrack import urls_api
from events.sdk_view import sdk_script

handler400, handler404, handler500 = urls_api.handler400, urls_api.handler404, urls_api.handler500

urlpatterns = [
    # First: the ingest endpoints are most of the traffic, resolved before anything else.
    *urls_api.urlpatterns,
    path("admin/", admin.site.urls),
    path("openapi.json", SpectacularAPIView.as_view(), {"format": "json"}, name="openapi"),
    # Swagger UI starts itself from an inline script.
    path("docs", csp_exempt()(SpectacularSwaggerView.as_view(url_name="openapi")), name="docs"),
    path("sdk/atrack.js", sdk_script, name="sdk-js"),
]
