"""Routes of the keyed API (at the root, as documented)."""

from __future__ import annotations

from django.urls import path

from atrack.api.reads import EraseViewSet, ReadViewSet
from atrack.api.writes import BatchViewSet, IngestViewSet

urlpatterns = [
    path("init", IngestViewSet.as_view({"post": "init", "options": "options"}), name="init"),
    path(
        "attributes",
        IngestViewSet.as_view({"post": "attributes", "options": "options"}),
        name="attributes",
    ),
    path("event", IngestViewSet.as_view({"post": "event", "options": "options"}), name="event"),
    path("batch", BatchViewSet.as_view({"post": "batch", "options": "options"}), name="batch"),
    path(
        "session/show",
        ReadViewSet.as_view({"post": "session_show", "options": "options"}),
        name="session-show",
    ),
    path(
        "event/show",
        ReadViewSet.as_view({"post": "event_show", "options": "options"}),
        name="event-show",
    ),
    path(
        "session/delete",
        EraseViewSet.as_view({"post": "session_delete", "options": "options"}),
        name="session-delete",
    ),
]
