"""ASGI entry point, for servers that prefer it."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atrack.settings")

application = get_asgi_application()
