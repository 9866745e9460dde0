"""A-TRACK: a self-hosted visitor tracking service."""

from __future__ import annotations

from atrack.celery import app as celery_app

__all__ = ["celery_app"]
