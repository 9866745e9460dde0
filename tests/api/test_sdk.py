"""GET /sdk/atrack.js: the browser SDK file, cacheable and revalidated by ETag."""

from __future__ import annotations

from django.test import Client

from tests.sdks.conftest import JS_SDK


def test_the_sdk_is_served_with_cache_headers(client: Client) -> None:
    response = client.get("/sdk/atrack.js")
    assert response.status_code == 200
    assert response.content == (JS_SDK / "src" / "atrack.js").read_bytes()
    assert response["Content-Type"] == "application/javascript; charset=utf-8"
    assert response["Cache-Control"] == "public, max-age=3600, stale-while-revalidate=86400"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["X-Content-Type-Options"] == "nosniff"
    etag = response["ETag"]

    again = client.get("/sdk/atrack.js", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag

    head = client.head("/sdk/atrack.js")
    assert head.status_code == 200
    assert head.content == b""


def test_only_get_and_head(client: Client) -> None:
    response = client.post("/sdk/atrack.js")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert response["Allow"] == "GET, HEAD"
