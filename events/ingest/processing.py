"""Apply work items to storage in batches: sessions, attributes, then events.

Items are grouped by project; each group is one transaction on the project's alias.
Rows are locked in session-id order so concurrent batches cannot deadlock each other.
Work for an erased UUID is dropped here (sessions_app.erasures), whatever path it came by.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction

from atrack.observability import EVENTS_STORED, FAILED_WORK
from atrack.times import parse_time
from events.models import FailedWork
from events.services import events_store
from projects.routing import alias_for
from projects.selectors import ProjectInfo, project_info
from sessions_app.erasures import erasure_lock, without_erased
from sessions_app.services import (
    attributes_merge,
    attributes_over_limit,
    attributes_replace,
    sessions_upsert,
)

logger = logging.getLogger(__name__)

Item = Mapping[str, Any]


class UnknownProject(Exception):
    """The items name a project that does not exist (deleted after they were queued)."""


@dataclass
class Applied:
    """What storing a set of items did: sessions created, UUIDs refused as erased, items
    parked because they could not be stored, and items refused by the attribute limit."""

    created: set[str] = field(default_factory=set)
    erased: set[str] = field(default_factory=set)
    parked: list[Item] = field(default_factory=list)
    # /attributes items refused because their session would pass MAX_SESSION_ATTRIBUTES
    over_limit: list[Item] = field(default_factory=list)

    def add(self, other: Applied) -> None:
        self.created |= other.created
        self.erased |= other.erased
        self.parked += other.parked
        self.over_limit += other.over_limit


def by_project(items: Iterable[Item]) -> dict[int, list[Item]]:
    groups: dict[int, list[Item]] = defaultdict(list)
    for item in items:
        groups[int(item["project_id"])].append(item)
    return dict(sorted(groups.items()))


def process_items(items: Iterable[Item]) -> Applied:
    """Store every item, all or nothing per project."""
    applied = Applied()
    for project_id, group in by_project(items).items():
        project = project_info(project_id=project_id)
        if project is None:
            raise UnknownProject(project_id)
        applied.add(_process_project(project, group))
    return applied


def store_isolating(items: Sequence[Item], *, attempts: int = 1) -> Applied:
    """Store `items`; when a project's group fails for a reason other than its database,
    store its items one by one and park those that fail alone, so that one bad item
    never holds back the others. Database errors and unknown projects propagate."""
    applied = Applied()
    for group in by_project(items).values():
        try:
            applied.add(process_items(group))
        except (DatabaseError, UnknownProject):
            raise
        except Exception:
            logger.exception("storing %d items failed; storing them one by one", len(group))
            for item in group:
                applied.add(_store_alone(item, attempts))
    return applied


def _store_alone(item: Item, attempts: int) -> Applied:
    try:
        return process_items([item])
    except (DatabaseError, UnknownProject):
        raise
    except Exception as exc:
        park([item], FailedWork.PROCESSING_ERROR, exc, attempts)
        return Applied(parked=[item])


def park(items: Sequence[Item], reason: str, error: BaseException, attempts: int) -> int:
    """Keep work that cannot be stored with its project's data, a row per session UUID
    (never dropped); items of an erased UUID are not kept. Work of a project deleted
    since it was queued is dropped with it. Returns the number of items kept."""
    detail = f"{type(error).__name__}: {error}"[:5000]
    kept = 0
    for project_id, group in by_project(items).items():
        project = project_info(project_id=project_id)
        if project is None:
            drop_unknown(project_id, len(group))
            continue
        alias = alias_for(project)
        with transaction.atomic(using=alias):
            erasure_lock(alias=alias, project_id=project_id, exclusive=False)
            group, _ = without_erased(alias=alias, project_id=project_id, items=group)
            by_uuid: dict[str, list[Item]] = defaultdict(list)
            for item in group:
                by_uuid[str(item["uuid"])].append(item)
            FailedWork.objects.using(alias).bulk_create(
                FailedWork(
                    project_id=project_id,
                    uuid=uuid,
                    reason=reason,
                    detail=detail,
                    payload=list(its),
                    attempts=attempts,
                )
                for uuid, its in by_uuid.items()
            )
        FAILED_WORK.labels(reason).inc(len(group))
        kept += len(group)
    return kept


def park_unreadable(raw: str, error: BaseException, attempts: int) -> None:
    """A stream entry with no readable work (and so no project): kept in `default`."""
    FAILED_WORK.labels(FailedWork.UNREADABLE).inc()
    FailedWork.objects.using("default").create(
        reason=FailedWork.UNREADABLE,
        detail=f"{type(error).__name__}: {error}"[:5000],
        payload=[{"unreadable_entry": raw}],
        attempts=attempts,
    )


def drop_unknown(project_id: int, count: int) -> None:
    """Deleting a project deletes its data, work still queued for it included."""
    FAILED_WORK.labels("unknown_project").inc(count)
    logger.warning("dropped %d queued items of deleted project %s", count, project_id)


def _seen(items: list[Item]) -> dict[str, tuple[datetime, datetime]]:
    """uuid → (first, last) receipt time of its items."""
    seen: dict[str, tuple[datetime, datetime]] = {}
    for item in items:
        received = parse_time(item["received_at"])
        first, last = seen.get(item["uuid"], (received, received))
        seen[item["uuid"]] = (min(first, received), max(last, received))
    return seen


def _process_project(project: ProjectInfo, items: list[Item]) -> Applied:
    alias = alias_for(project)
    with transaction.atomic(using=alias):
        erasure_lock(alias=alias, project_id=project.id, exclusive=False)
        items, erased = without_erased(alias=alias, project_id=project.id, items=items)
        inits = [i for i in items if i["kind"] == "init"]
        ids, created = sessions_upsert(alias=alias, project=project, seen=_seen(items), inits=inits)

        def order(item: Item) -> tuple[int, str]:
            return ids[item["uuid"]], item["received_at"]

        over_limit = _apply_attributes(
            alias, ids, sorted((i for i in items if i["kind"] == "attributes"), key=order)
        )
        events = [(ids[i["uuid"]], i) for i in items if i["kind"] == "event"]
        events_store(alias=alias, project_id=project.id, items=events)
    EVENTS_STORED.inc(len(events))
    return Applied(created=created, erased=erased, over_limit=over_limit)


def _apply_attributes(alias: str, ids: Mapping[str, int], items: list[Item]) -> list[Item]:
    """Apply the attribute items in order; returns those the attribute limit refuses."""
    writes = [(ids[i["uuid"]], i["attributes"].keys(), i["replace"]) for i in items]
    refused = attributes_over_limit(
        alias=alias, writes=writes, limit=settings.MAX_SESSION_ATTRIBUTES
    )
    merges = []
    for item in (item for index, item in enumerate(items) if index not in refused):
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
    return [items[index] for index in sorted(refused)]
