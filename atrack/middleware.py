"""Middleware of the keyed API's lean chain (see atrack/wsgi.py)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class ApiRoutes:
    """Resolve the API's requests against its own routes alone, not the whole site's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.urlconf = "events.urls"
        return self.get_response(request)
