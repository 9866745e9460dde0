"""Routes of the keyed API (at the root, as documented)."""

from __future__ import annotations

from django.urls import path

from events.ingest.views import BatchViewSet, IngestViewSet

urlpatterns = [
    path("init", IngestViewSet.as_view({"post": "init", "options": "options"}), name="init"),
    path(
        "attributes",
        IngestViewSet.as_view({"post": "attributes", "options": "options"}),
        name="attributes",
    ),
    path("event", IngestViewSet.as_view({"post": "event", "options": "options"}), name="event"),
    path("batch", BatchViewSet.as_view({"post": "batch", "options": "options"}), name="batch"),
]
