"""WSGI entry point of the whole service: the dashboard, the probes and the keyed API.

In the compose deployment the proxy sends the keyed API's paths to the API process
(atrack/wsgi_api.py) and everything else here; served alone, this answers them all.
"""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

from atrack.chunked import ChunkedBodies

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atrack.settings")

application = ChunkedBodies(get_wsgi_application())
