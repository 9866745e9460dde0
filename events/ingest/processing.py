"""Apply work items to storage in batches: sessions, attributes, then events.

Items are grouped by project; each group is one transaction on the project's alias.
Rows are locked in session-id order so concurrent batches cannot deadlock each other.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.db import transaction

from atrack.observability import EVENTS_STORED
from atrack.times import parse_time
from events.services import events_store
from projects.routing import alias_for
from projects.selectors import ProjectInfo, project_info
from sessions_app.services import attributes_merge, attributes_replace, sessions_upsert

Item = Mapping[str, Any]


class UnknownProject(Exception):
    """The items name a project that does not exist (deleted after they were queued)."""


def by_project(items: Iterable[Item]) -> dict[int, list[Item]]:
    groups: dict[int, list[Item]] = defaultdict(list)
    for item in items:
        groups[int(item["project_id"])].append(item)
    return dict(sorted(groups.items()))


def process_items(items: Iterable[Item]) -> set[str]:
    """Store every item; returns the UUIDs of the sessions this call created."""
    created: set[str] = set()
    for project_id, group in by_project(items).items():
        project = project_info(project_id=project_id)
        if project is None:
            raise UnknownProject(project_id)
        created |= _process_project(project, group)
    return created


def _seen(items: list[Item]) -> dict[str, tuple[datetime, datetime]]:
    """uuid → (first, last) receipt time of its items."""
    seen: dict[str, tuple[datetime, datetime]] = {}
    for item in items:
        received = parse_time(item["received_at"])
        first, last = seen.get(item["uuid"], (received, received))
        seen[item["uuid"]] = (min(first, received), max(last, received))
    return seen


def _process_project(project: ProjectInfo, items: list[Item]) -> set[str]:
    alias = alias_for(project)
    with transaction.atomic(using=alias):
        inits = [i for i in items if i["kind"] == "init"]
        ids, created = sessions_upsert(alias=alias, project=project, seen=_seen(items), inits=inits)

        def order(item: Item) -> tuple[int, str]:
            return ids[item["uuid"]], item["received_at"]

        _apply_attributes(
            alias, ids, sorted((i for i in items if i["kind"] == "attributes"), key=order)
        )
        events = [(ids[i["uuid"]], i) for i in items if i["kind"] == "event"]
        events_store(alias=alias, project_id=project.id, items=events)
    EVENTS_STORED.inc(len(events))
    return created


def _apply_attributes(alias: str, ids: Mapping[str, int], items: list[Item]) -> None:
    merges = []
    for item in items:
        set_at = parse_time(item["received_at"])
        if item["replace"]:
            attributes_replace(
                alias=alias,
                session_id=ids[item["uuid"]],
                attributes=item["attributes"],
                set_at=set_at,
            )
        else:
            merges.append((ids[item["uuid"]], item["attributes"], set_at))
    attributes_merge(alias=alias, merges=merges)
