"""The read and erase endpoints: POST /session/show, /event/show and /session/delete."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from atrack.errors import ApiError
from atrack.times import iso, parse_time
from events import openapi
from events.erasure import erasure_create
from events.ingest.payloads import MAX_NAME_LENGTH, UUID_RE
from events.ingest.views import KeyApiViewSet, request_body
from events.selectors import EventFilter, event_list, session_events
from projects.auth import CanErase, CanRead, key_info
from sessions_app.models import Session
from sessions_app.selectors import session_attributes, session_data, session_get

Errors = dict[str, list[str]]


def _invalid(errors: Errors) -> ApiError:
    return ApiError(400, "invalid_payload", "The request body has invalid fields.", fields=errors)


def _uuid(body: dict[str, Any], errors: Errors) -> str:
    value = body.get("uuid")
    if not isinstance(value, str) or not UUID_RE.match(value):
        errors["uuid"] = ["Required: a UUID string such as b19412c6-6a91-4e18-890d-e2269a0d1249."]
        return ""
    return value.lower()


def _integer(
    body: dict[str, Any], name: str, default: int, low: int, high: int, errors: Errors
) -> int:
    value = body.get(name, default)
    if value is None:
        return default
    if isinstance(value, float) and value.is_integer():  # JSON Schema: 2.0 is an integer
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors[name] = [f"Must be an integer from {low} to {high}."]
        return default
    return value


def _sort(body: dict[str, Any], errors: Errors) -> str:
    value = body.get("sort", "desc")
    if value is None:
        return "desc"
    if value not in ("asc", "desc"):
        errors["sort"] = ['Must be "asc" or "desc".']
        return "desc"
    return str(value)


def _session(request: Request, uuid: str) -> Session:
    session = session_get(project=key_info(request).project, uuid=uuid)
    if session is None:
        raise ApiError(404, "not_found", f"No session {uuid} in this project.")
    return session


def _utc(value: str, key: str, errors: Errors) -> str:
    # In UTC before the database sees it: PostgreSQL refuses offsets past ±15:59.
    try:
        return iso(parse_time(value))
    except (ValueError, OverflowError):
        errors[key] = ["Must be an ISO 8601 date-time, e.g. 2026-04-12T02:10:00Z."]
        return value


def _filters(body: dict[str, Any], errors: Errors, project: Any) -> EventFilter:
    data = {}
    for key in ("uuid", "from", "to"):
        value = body.get(key)
        if value is not None and not isinstance(value, str):
            errors[key] = ["Must be a string."]
        elif value and key in ("from", "to"):
            data[key] = _utc(value, key, errors)
        elif value:
            data[key] = value
    filters = EventFilter(data=data, project=project)
    if not filters.is_valid():
        errors.update({k: [str(m) for m in v] for k, v in filters.errors.items()})
    return filters


class ReadViewSet(KeyApiViewSet):
    permission_classes = [CanRead]

    @openapi.read(
        "A session with its attributes and events", openapi.SESSION_SHOW, openapi.SESSION_SHOWN
    )
    def session_show(self, request: Request) -> Response:
        body, errors = request_body(request), Errors()
        uuid = _uuid(body, errors)
        limit = _integer(body, "events_limit", 100, 0, 1000, errors)
        sort = _sort(body, errors)
        if errors:
            raise _invalid(errors)
        project = key_info(request).project
        session = _session(request, uuid)
        events = session_events(project=project, session=session, limit=limit, sort=sort)
        meta = {"uuid": uuid, "events_limit": limit, "events_count": len(events), "sort": sort}
        data = {
            "session": session_data(session),
            "attributes": session_attributes(project=project, session=session),
            "events": events,
            "meta": meta,
        }
        return Response({"success": True, "data": data})

    @openapi.read(
        "Events by name, paginated", openapi.EVENT_SHOW, openapi.EVENTS_SHOWN, found=False
    )
    def event_show(self, request: Request) -> Response:
        body, errors = request_body(request), Errors()
        name = body.get("name")
        if not isinstance(name, str) or not name or len(name) > MAX_NAME_LENGTH:
            errors["name"] = [f"Required: an event name of 1 to {MAX_NAME_LENGTH} characters."]
        page = _integer(body, "page", 1, 1, 10_000_000, errors)
        per_page = _integer(body, "per_page", 25, 1, 500, errors)
        sort = _sort(body, errors)
        filters = _filters(body, errors, key_info(request).project)
        if errors:
            raise _invalid(errors)
        result = event_list(
            project=key_info(request).project,
            name=str(name),
            filters=filters,
            page=page,
            per_page=per_page,
            sort=sort,
        )
        return Response({"success": True, "data": result.data, "meta": result.meta})


class EraseViewSet(KeyApiViewSet):
    permission_classes = [CanErase]

    @openapi.read(
        "Erase a session, its attributes, events, queued and parked work, and suppress its "
        "later writes",
        openapi.ERASE,
        openapi.ERASED,
        found=False,
    )
    def session_delete(self, request: Request) -> Response:
        errors: Errors = {}
        uuid = _uuid(request_body(request), errors)
        if errors:
            raise _invalid(errors)
        # No 404 for a UUID with nothing stored: its work may still be queued, and the
        # erasure must cover that too.
        deleted = erasure_create(project=key_info(request).project, uuid=uuid)
        return Response({"success": True, "uuid": uuid, "deleted": deleted})
