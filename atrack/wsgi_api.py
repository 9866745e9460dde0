"""WSGI entry point of the API process: the keyed API and the probes, with the API's
settings (atrack/settings_api.py: its own middleware list and URL conf)."""

from __future__ import annotations

import os

# Always, not as a default: importing the atrack package has made the whole service's
# settings the default already (atrack/celery.py). And first: importing DRF (through
# atrack.chunked) loads the settings.
os.environ["DJANGO_SETTINGS_MODULE"] = "atrack.settings_api"

from django.core.cache import close_caches
from django.core.handlers.base import reset_urlconf
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, reset_queries

from atrack.chunked import ChunkedBodies

application = ChunkedBodies(get_wsgi_application())

# Request-signal receivers with nothing to do in this process, though each walks every
# database or cache alias on every request: queries are logged only with DEBUG, the
# in-memory cache holds nothing to close, no request here sets a URL conf of its own, and
# the connection check after each request (kept) makes the one before the next redundant.
request_started.disconnect(reset_queries)
request_started.disconnect(close_old_connections)
request_finished.disconnect(close_caches)
request_finished.disconnect(reset_urlconf)
