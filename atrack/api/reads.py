"""The read and erase endpoints: POST /session/show, /event/show and /session/delete."""

from __future__ import annotations

import math
from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from atrack.api import contract, openapi
from atrack.api.auth import CanErase, CanRead, key_info
from atrack.api.writes import KeyApiViewSet, request_body
from atrack.errors import ApiError
from events.erasure import erasure_create
from events.selectors import event_list, session_events
from sessions_app.models import Session
from sessions_app.selectors import session_attributes, session_data, session_get


def _read(request: Request, kind: type[Any]) -> Any:
    """The body as a `kind` Struct, or a 400 naming the field."""
    # Read bodies are flat: null means not given, and 2.0 is an integer (as JSON Schema
    # counts it; msgspec does not).
    body = {
        key: int(value) if isinstance(value, float) and value.is_integer() else value
        for key, value in request_body(request).items()
        if value is not None
    }
    try:
        return contract.read(body, kind)
    except contract.Invalid as exc:
        raise ApiError(
            400, "invalid_payload", "The request body has invalid fields.", fields=exc.fields
        ) from exc


def _session(request: Request, uuid: str) -> Session:
    session = session_get(project=key_info(request).project, uuid=uuid)
    if session is None:
        raise ApiError(404, "not_found", f"No session {uuid} in this project.")
    return session


class ReadViewSet(KeyApiViewSet):
    permission_classes = [CanRead]

    @openapi.read(
        "A session with its attributes and events", contract.SessionShow, contract.SessionShown
    )
    def session_show(self, request: Request) -> Response:
        show = _read(request, contract.SessionShow)
        project = key_info(request).project
        session = _session(request, show.uuid)
        events = session_events(
            project=project, session=session, limit=show.events_limit, sort=show.sort
        )
        meta = contract.SessionMeta(
            uuid=show.uuid, events_limit=show.events_limit, events_count=len(events), sort=show.sort
        )
        data = contract.SessionData(
            session=contract.Session(**session_data(session)),
            attributes=session_attributes(project=project, session=session),
            events=[contract.SessionEvent(**event) for event in events],
            meta=meta,
        )
        return Response(contract.SessionShown(success=True, data=data))

    @openapi.read(
        "Events by name, paginated", contract.EventShow, contract.EventsShown, found=False
    )
    def event_show(self, request: Request) -> Response:
        show = _read(request, contract.EventShow)
        result = event_list(
            project=key_info(request).project,
            name=show.name,
            uuid=show.uuid,
            since=show.from_,
            until=show.to,
            page=show.page,
            per_page=show.per_page,
            sort=show.sort,
        )
        start, rows = (show.page - 1) * show.per_page, len(result.data)
        meta = contract.EventsMeta(
            name=show.name,
            sort=show.sort,
            per_page=show.per_page,
            current_page=show.page,
            last_page=max(1, math.ceil(result.total / show.per_page)),
            from_=start + 1 if rows else None,
            to=start + rows if rows else None,
            total=result.total,
        )
        data = [contract.EventRow(**row) for row in result.data]
        return Response(contract.EventsShown(success=True, data=data, meta=meta))


class EraseViewSet(KeyApiViewSet):
    permission_classes = [CanErase]

    @openapi.read(
        "Erase a session, its attributes, events, queued and parked work, and suppress its "
        "later writes",
        contract.Erase,
        contract.Erased,
        found=False,
    )
    def session_delete(self, request: Request) -> Response:
        uuid = _read(request, contract.Erase).uuid
        # No 404 for a UUID with nothing stored: its work may still be queued, and the
        # erasure must cover that too.
        deleted = erasure_create(project=key_info(request).project, uuid=uuid)
        erased = contract.Erased(success=True, uuid=uuid, deleted=contract.Deleted(**deleted))
        return Response(erased)
