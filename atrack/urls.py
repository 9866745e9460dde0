"""Routes of the whole service: the API process's (atrack/api/urls.py), the staff admin,
the API's documents and the browser SDK."""

from __future__ import annotations

from csp.decorators import csp_exempt
from django.contrib import admin
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from atrack.api import urls as api_urls
from atrack.api.sdk import sdk_script

handler400, handler404, handler500 = api_urls.handler400, api_urls.handler404, api_urls.handler500

urlpatterns = [
    # First: the ingest endpoints are most of the traffic, resolved before anything else.
    *api_urls.urlpatterns,
    path("admin/", admin.site.urls),
    path("openapi.json", SpectacularAPIView.as_view(), {"format": "json"}, name="openapi"),
    # Swagger UI starts itself from an inline script.
    path("docs", csp_exempt()(SpectacularSwaggerView.as_view(url_name="openapi")), name="docs"),
    path("sdk/atrack.js", sdk_script, name="sdk-js"),
]
