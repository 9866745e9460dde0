"""GET /sdk/atrack.js: the browser SDK, served by the service itself with cache headers.

The file is `sdks/js/src/atrack.js`, the SDK's single-file build (no bundler: the source
is the build). It is read once per change of the file and answered with an ETag, so a
revalidation costs a 304.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from atrack.errors import json_error

SDK_FILE = Path(settings.BASE_DIR) / "sdks" / "js" / "src" / "atrack.js"
CACHE_CONTROL = "public, max-age=3600, stale-while-revalidate=86400"

_lock = threading.Lock()
_cached: dict[str, tuple[int, bytes, str]] = {}


def _bundle() -> tuple[bytes, str] | None:
    """The SDK's bytes and ETag, re-read only when the file changes."""
    try:
        mtime = SDK_FILE.stat().st_mtime_ns
    except OSError:
        return None
    with _lock:
        cached = _cached.get("sdk")
        if cached is None or cached[0] != mtime:
            body = SDK_FILE.read_bytes()
            etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            cached = (mtime, body, etag)
            _cached["sdk"] = cached
    return cached[1], cached[2]


def _headers(response: HttpResponse, etag: str) -> HttpResponse:
    response["Cache-Control"] = CACHE_CONTROL
    response["ETag"] = etag
    response["Access-Control-Allow-Origin"] = "*"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def sdk_script(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        refusal = json_error(405, "method_not_allowed", f"Method {request.method} not allowed.")
        refusal["Allow"] = "GET, HEAD"
        return refusal
    bundle = _bundle()
    if bundle is None:
        return json_error(404, "not_found", "The browser SDK is not installed on this server.")
    body, etag = bundle
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        return _headers(HttpResponse(status=304), etag)
    response = HttpResponse(
        b"" if request.method == "HEAD" else body,
        content_type="application/javascript; charset=utf-8",
    )
    response["Content-Length"] = str(len(body))
    return _headers(response, etag)
