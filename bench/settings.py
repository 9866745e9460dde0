"""Benchmark settings: production settings plus the plain-view reference route."""

from __future__ import annotations

from atrack.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
