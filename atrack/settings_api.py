"""Settings of the API process (atrack/wsgi_api.py): the service's settings, with the
keyed API's routes alone behind a short middleware list.

The API authenticates by key, answers JSON and sets no cookie, so it needs none of the
dashboard's middleware (static files, sessions, CSRF, auth, messages, frame options):
about a tenth of a queued /event's CPU.
"""

from __future__ import annotations

from atrack.settings import *  # noqa: F403

MIDDLEWARE = [
    "atrack.observability.RequestScopeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]
ROOT_URLCONF = "atrack.api.urls"
WSGI_APPLICATION = "atrack.wsgi_api.application"
