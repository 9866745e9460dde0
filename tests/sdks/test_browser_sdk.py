"""The browser SDK in headless Chromium against the live service (see sdks/js/e2e)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from events.models import Event
from sessions_app.models import Session
from tests.sdks.conftest import JS_SDK, Service, run_node

pytestmark = [pytest.mark.urls("tests.sdks.urls"), pytest.mark.django_db(transaction=True)]


def test_browser_sdk_end_to_end(service: Service, chromium: str, node: str) -> None:
    port = urlsplit(service.url).port
    out = run_node(
        node,
        JS_SDK / "e2e" / "browser-sdk.js",
        {
            # The page on localhost; the SDK (and so the API) on 127.0.0.1: cross-origin.
            "ATRACK_PAGE_URL": f"http://localhost:{port}/sdk-test/page?sdk_host=127.0.0.1:{port}",
            "ATRACK_ENDPOINT": service.url,
            "ATRACK_PUBLIC_KEY": service.public_key,
            "ATRACK_SECRET_KEY": service.secret_key,
            "ATRACK_CHROMIUM": chromium,
        },
    )
    # Every documented client field Chromium exposes was captured and stored.
    assert {"locale", "timezone", "screenWidth", "viewportWidth", "pixelRatio"} <= set(
        out["captured"]
    )
    assert set(out["notExposedByThisBrowser"]) <= {"connectionType", "deviceMemoryGb"}
    session = Session.objects.get(uuid=out["uuid"])
    names = sorted(Event.objects.filter(session=session).values_list("name", flat=True))
    assert names == sorted(
        ["checkout_started", "offline_1", "offline_2", "offline_across_pages", "left_the_page"]
    )
    assert out["beacons"] >= 1


def test_the_service_serves_the_sdk_with_cache_headers(service: Service) -> None:
    import urllib.request

    with urllib.request.urlopen(service.url + "/sdk/atrack.js") as response:
        body = response.read()
        headers = response.headers
    assert body == (JS_SDK / "src" / "atrack.js").read_bytes()
    assert headers["Content-Type"] == "application/javascript; charset=utf-8"
    assert "max-age=3600" in headers["Cache-Control"]
    assert headers["ETag"]
