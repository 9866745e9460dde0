"""The service's routes plus `/bench/plain`: a plain Django view, the reference figure."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def plain(request: HttpRequest) -> JsonResponse:
    """What a minimal Django JSON view costs on the same server: no auth, no storage."""
    return JsonResponse(
        {"success": True, "uuid": "b19412c6-6a91-4e18-890d-e2269a0d1249", "queued": True}
    )


urlpatterns = [path("bench/plain", plain), path("", include("atrack.urls"))]
