"""The service's routes plus a test page that loads the browser SDK the service serves.

Used with `@pytest.mark.urls("tests.sdks.urls")` by the browser tests only.
"""

from __future__ import annotations

from csp.decorators import csp_exempt
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>A-TRACK SDK test page</title>
<script src="{sdk}"></script>
</head>
<body>
<h1 id="pricing">Pricing</h1>
<a id="next" href="/sdk-test/page?step=2">next</a>
</body>
</html>
"""


@csp_exempt()  # a customer's page, not the dashboard: it loads the SDK from anywhere
def sdk_test_page(request: HttpRequest) -> HttpResponse:
    """A customer's page. `?sdk_host=` loads the SDK from another origin (cross-origin API)."""
    host = request.GET.get("sdk_host")
    sdk = f"http://{host}/sdk/atrack.js" if host else "/sdk/atrack.js"
    response = HttpResponse(PAGE.format(sdk=sdk), content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


urlpatterns = [
    path("sdk-test/page", sdk_test_page, name="sdk-test-page"),
    path("", include("atrack.urls")),
]
