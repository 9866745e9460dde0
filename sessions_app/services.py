"""Writes of sessions and their attributes, in the project's database alias.

Every function is idempotent: the same work applied twice, or work items applied in
another order, gives the same final session.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.db import connections
from django.db.models import Count

from atrack import jsons
from atrack.bulk import insert_rows, model_columns, rows_per_statement, select_in, update_rows
from atrack.geodb import geo_databases
from atrack.observability import ENRICHMENT, SESSIONS_ENRICHED
from atrack.times import parse_time
from enrichment.attribution import join_touches
from enrichment.pipeline import enrich_session
from projects.selectors import ProjectInfo
from sessions_app.models import (
    FIRST_FIELDS,
    INIT_FIELDS,
    LAST_FIELDS,
    MAP_FIELDS,
    PAGE_FIELDS,
    SPAN_FIELDS,
    TOUCH_FIELDS,
    Attribute,
    Session,
)


def sessions_upsert(
    *,
    alias: str,
    project: ProjectInfo,
    seen: Mapping[str, tuple[datetime, datetime]],
    inits: Sequence[Mapping[str, Any]],
) -> tuple[dict[str, int], set[str]]:
    """Create or update the sessions of a batch: `seen` maps every UUID of the batch to the
    first and last receipt time of its items (created_at / updated_at span them all), and
    `inits` are the batch's init items, enriched into their sessions.

    New sessions are written whole in one insert, changed ones in one update. Returns the
    uuid → id map and the UUIDs this call created.
    """
    by_uuid: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for item in sorted(inits, key=lambda i: i["received_at"]):
        by_uuid[item["uuid"]].append(item)
    if connections[alias].vendor == "postgresql":
        existing, created = _upsert_locking(alias, project, seen, by_uuid)
    else:  # one writer at a time: nothing can create a session between these statements
        existing = _existing(alias, project.id, list(seen))
        _widen_spans(alias, existing, seen)
        missing = sorted(u for u in seen if u not in existing)
        new = [_new(project, u, seen[u], by_uuid[u]) for u in missing]
        created = {str(u): pk for u, pk in _insert_rows(alias, new)}
    _apply_inits(alias, project, existing, by_uuid)
    return {**{u: row[0] for u, row in existing.items()}, **created}, set(created)


def _upsert_locking(
    alias: str,
    project: ProjectInfo,
    seen: Mapping[str, tuple[datetime, datetime]],
    inits: Mapping[str, list[Mapping[str, Any]]],
) -> tuple[dict[str, tuple[int, datetime, datetime]], dict[str, int]]:
    """One statement inserts the new sessions and locks (and widens the span of) the
    existing ones, all in UUID order: concurrent batches take their locks in one order,
    so they cannot deadlock. Returns the existing (id, created_at, updated_at) by UUID
    and the created ids by UUID."""
    # Only sessions with inits are enriched, so only theirs are looked up (none, in a
    # chunk of events alone).
    known = _known(alias, project.id, [u for u in seen if inits.get(u)])
    # Sessions believed new are enriched here; one created meanwhile is enriched again
    # from its stored state below, like any existing one. Known sessions without inits
    # only lock and widen their span: a bare row stands for them.
    bare = Session(project_id=project.id)
    order = sorted(seen)
    sessions = [
        _new(project, u, seen[u], inits[u]) if u not in known and inits.get(u) else bare
        for u in order
    ]
    returned = _insert_rows(alias, sessions, spans=[(u, *seen[u]) for u in order])
    existing, created = {}, {}
    for uuid, pk, created_at, updated_at, fresh in returned:
        if fresh:
            created[str(uuid)] = pk
        else:
            existing[str(uuid)] = (pk, created_at, updated_at)
    return existing, created


def _known(alias: str, project_id: int, uuids: list[str]) -> set[str]:
    """Those of `uuids` that are stored sessions of the project."""
    if not uuids:
        return set()
    found = select_in(
        alias=alias,
        model=Session,
        fields=["uuid"],
        where={"project_id": project_id},
        column="uuid",
        values=uuids,
    )
    return {str(u) for (u,) in found}


def _existing(
    alias: str, project_id: int, uuids: list[str]
) -> dict[str, tuple[int, datetime, datetime]]:
    """uuid → (id, created_at, updated_at) of the existing sessions."""
    rows = Session.objects.using(alias).filter(project_id=project_id, uuid__in=uuids)
    return {str(r[0]): r[1:] for r in rows.values_list("uuid", "id", "created_at", "updated_at")}


def _new(
    project: ProjectInfo, uuid: str, span: tuple[datetime, datetime], inits: list[Mapping[str, Any]]
) -> Session:
    session = Session(project_id=project.id, uuid=uuid, created_at=span[0], updated_at=span[1])
    for item in inits:
        _apply_init(session, project, item)
    return session


SPAN_UPDATE = {
    "created_at": "LEAST(t.created_at, excluded.created_at)",
    "updated_at": "GREATEST(t.updated_at, excluded.updated_at)",
}


def _insert_rows(
    alias: str,
    sessions: list[Session],
    spans: list[tuple[str, datetime, datetime]] | None = None,
) -> list[tuple[Any, ...]]:
    """Insert `sessions`, skipping clashes; with `spans` ((uuid, first, last) per
    session, overriding theirs), lock and widen the existing ones instead."""
    lock = spans is not None
    rest = [c for c in model_columns(Session) if c not in ("uuid", *SPAN_FIELDS)]
    if spans is None:
        spans = [(str(s.uuid), s.created_at, s.updated_at) for s in sessions]
    rows = [
        [*span, *(getattr(s, c) for c in rest)] for s, span in zip(sessions, spans, strict=True)
    ]
    return insert_rows(
        alias=alias,
        model=Session,
        columns=["uuid", *SPAN_FIELDS, *rest],
        rows=rows,
        unique=("project_id", "uuid"),
        returning=("uuid", "id", "created_at", "updated_at") if lock else ("uuid", "id"),
        update=SPAN_UPDATE if lock else None,
    )


def _widen_spans(
    alias: str,
    existing: dict[str, tuple[int, datetime, datetime]],
    seen: Mapping[str, tuple[datetime, datetime]],
) -> None:
    """What the PostgreSQL upsert does in SQL: stretch created_at / updated_at over the
    batch's items (and keep `existing` in step)."""
    spans = []
    for u, (pk, created, updated) in existing.items():
        first, last = seen[u]
        if first < created or last > updated:
            existing[u] = (pk, min(first, created), max(last, updated))
            spans.append(Session(pk=pk, created_at=existing[u][1], updated_at=existing[u][2]))
    update_rows(alias=alias, model=Session, columns=["created_at", "updated_at"], objs=spans)


def _apply_inits(
    alias: str,
    project: ProjectInfo,
    existing: Mapping[str, tuple[int, datetime, datetime]],
    inits: Mapping[str, list[Mapping[str, Any]]],
) -> None:
    """Apply inits to the existing sessions, read after their span was widened."""
    enriched = [existing[u][0] for u in existing if inits.get(u)]
    sessions = list(Session.objects.using(alias).filter(pk__in=enriched).order_by("pk"))
    for session in sessions:
        for item in inits[str(session.uuid)]:
            _apply_init(session, project, item)
    update_rows(alias=alias, model=Session, columns=INIT_FIELDS, objs=sessions)


def own_hosts(project: ProjectInfo) -> tuple[str, ...]:
    """Hosts of the project's own site: referers from them are internal navigation."""
    return tuple(host for host in (urlsplit(o).hostname for o in project.allowed_origins) if host)


def _attribution(session: Session) -> dict[str, Any]:
    if session.first_seen_at is None:
        return {}  # no init yet
    state = {name: getattr(session, name) for name in TOUCH_FIELDS}
    return {**state, "medium": session.medium or None, "referer": session.referer or None}


def _later(a: datetime | None, b: datetime | None) -> bool:
    return a is not None and (b is None or a >= b)


def session_merge(*, into: Session, other: Session) -> None:
    """Fold `other` into `into` in memory: an init enriched into a session of its own, or
    another copy of the session (the project mover). First by time, last by time, the
    attribution touch by touch, user attributes and custom data key by key with the
    newer side winning, the span widened, the latest attribute replace kept."""
    newer = _later(other.last_seen_at, into.last_seen_at)
    if other.first_seen_at is not None:
        if into.first_seen_at is None:
            _take(into, other, TOUCH_FIELDS)  # nothing to join with yet
        else:
            _join_attribution(into, other)
        if into.first_seen_at is None or other.first_seen_at < into.first_seen_at:
            _take(into, other, FIRST_FIELDS)
    if newer:
        _take(into, other, LAST_FIELDS)
    for name in MAP_FIELDS:
        mine, theirs = getattr(into, name) or {}, getattr(other, name) or {}
        setattr(into, name, {**mine, **theirs} if newer else {**theirs, **mine})
    into.created_at = min(into.created_at, other.created_at)
    into.updated_at = max(into.updated_at, other.updated_at)
    if _later(other.attributes_reset_at, into.attributes_reset_at):
        into.attributes_reset_at = other.attributes_reset_at


def _join_attribution(into: Session, other: Session) -> None:
    merged = join_touches(_attribution(into), _attribution(other)).as_dict()
    merged.update(medium=merged["medium"] or "", referer=merged["referer"] or "")
    for name in TOUCH_FIELDS:
        setattr(into, name, merged[name])


def _take(into: Session, other: Session, names: Iterable[str]) -> None:
    for name in names:
        setattr(into, name, getattr(other, name))


def apply_network(session: Session, enriched: Mapping[str, Any]) -> None:
    """IP and device enrichment, with the columns the lists filter on."""
    session.ip_address = enriched["ip_address"]
    session.ip_data = enriched["ip_data"]
    session.device_data = enriched["device_data"]
    country = enriched["ip_data"].get("city", {}).get("country", {}).get("iso_code")
    session.country_code = str(country or "")[:2]
    session.device_class = str(enriched["device_data"].get("device_class") or "")[:16]
    session.is_bot = bool(enriched["device_data"].get("is_bot"))


def _apply_init(session: Session, project: ProjectInfo, item: Mapping[str, Any]) -> None:
    """Enrich `item` into a session of its own and merge that into `session`."""
    received, context = parse_time(item["received_at"]), item["context"]
    with ENRICHMENT.time():
        enriched = enrich_session(
            context=context,
            previous=None,
            seen_at_ms=int(received.timestamp() * 1000),
            geo=geo_databases(),
            own_hosts=own_hosts(project),
            hosting_is_bot=project.hosting_is_bot,
        )
    fields: dict[str, Any] = dict.fromkeys(
        ("first_seen_at", "last_seen_at", "created_at", "updated_at"), received
    )
    fields.update({name: enriched[name] for name in (*TOUCH_FIELDS, *PAGE_FIELDS)})
    fields.update(medium=enriched["medium"] or "", referer=enriched["referer"] or "")
    init = Session(
        **fields,
        first_context=dict(context),
        last_context=dict(context),
        user_attributes=enriched["user_attributes_patch"],
        custom_data=item.get("custom_data") or {},
    )
    apply_network(init, enriched)
    session_merge(into=session, other=init)
    SESSIONS_ENRICHED.inc()


def _upsert_attributes(alias: str, rows: Iterable[tuple[int, str, Any, datetime]]) -> None:
    """Insert or overwrite attribute keys; a key keeps its newest value (by receipt).

    Statements are cut under the backend's parameter limit: a batch within the request
    limits can set tens of thousands of keys."""
    rows = list(rows)
    table = Attribute._meta.db_table
    size = rows_per_statement(alias, 4)
    for start in range(0, len(rows), size):
        chunk = rows[start : start + size]
        values = ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
        params = [p for s, k, v, t in chunk for p in (s, k, jsons.dumps(v), t)]
        with connections[alias].cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (session_id, key, value, set_at) VALUES {values} "
                "ON CONFLICT (session_id, key) DO UPDATE "
                "SET value = excluded.value, set_at = excluded.set_at "
                f"WHERE {table}.set_at <= excluded.set_at",
                params,
            )


def _reset_times(alias: str, session_ids: list[int]) -> dict[int, datetime | None]:
    """Each session's last replace time, share-locked so a replace cannot interleave."""
    if connections[alias].vendor == "postgresql":
        marks = ", ".join(["%s"] * len(session_ids))
        table = Session._meta.db_table
        with connections[alias].cursor() as cursor:
            cursor.execute(
                f"SELECT id FROM {table} WHERE id IN ({marks}) ORDER BY id FOR SHARE", session_ids
            )
    rows = Session.objects.using(alias).filter(pk__in=session_ids)
    return dict(rows.values_list("id", "attributes_reset_at"))


def attributes_merge(*, alias: str, merges: list[tuple[int, Mapping[str, Any], datetime]]) -> None:
    """Merge attribute maps (session id, map, receipt time): keys set by the newest write win."""
    if not merges:
        return
    resets = _reset_times(alias, sorted({session_id for session_id, _, _ in merges}))
    rows: dict[tuple[int, str], tuple[int, str, Any, datetime]] = {}
    for session_id, attributes, set_at in merges:
        reset = resets.get(session_id)
        if reset is not None and set_at < reset:
            continue  # replaced by a later write already
        for key, value in attributes.items():
            current = rows.get((session_id, key))
            if current is None or current[3] <= set_at:
                rows[(session_id, key)] = (session_id, key, value, set_at)
    _upsert_attributes(alias, sorted(rows.values(), key=lambda r: (r[0], r[1])))


def attributes_over_limit(
    *, alias: str, writes: Sequence[tuple[int, Collection[str], bool]], limit: int
) -> set[int]:
    """Indexes of the writes (session id, keys, replace) that would give their session more
    than `limit` attribute keys, taken in order: a refused write adds nothing."""
    session_ids = {session_id for session_id, _, _ in writes}
    counts = dict(
        Attribute.objects.using(alias)
        .filter(session_id__in=session_ids)
        .values_list("session_id")
        .annotate(Count("id"))
    )
    incoming: dict[int, int] = defaultdict(int)
    for session_id, keys, _ in writes:
        incoming[session_id] += len(keys)
    # Only a session that could pass the limit needs its keys read.
    near = [s for s in session_ids if counts.get(s, 0) + incoming[s] > limit]
    held: dict[int, set[str]] = defaultdict(set)
    rows = Attribute.objects.using(alias).filter(session_id__in=near)
    for session_id, key in rows.values_list("session_id", "key"):
        held[session_id].add(key)
    refused = set()
    for index, (session_id, keys, replace) in enumerate(writes):
        if session_id not in near:
            continue
        after = set(keys) if replace else held[session_id] | set(keys)
        if len(after) > limit:
            refused.add(index)
        else:
            held[session_id] = after
    return refused


def attributes_replace(
    *, alias: str, session_id: int, attributes: Mapping[str, Any], set_at: datetime
) -> None:
    """Replace the whole map, unless a later replace already happened."""
    session = Session.objects.using(alias).select_for_update().get(pk=session_id)
    if session.attributes_reset_at is not None and session.attributes_reset_at > set_at:
        return
    Session.objects.using(alias).filter(pk=session_id).update(attributes_reset_at=set_at)
    Attribute.objects.using(alias).filter(session_id=session_id, set_at__lt=set_at).delete()
    _upsert_attributes(alias, ((session_id, k, v, set_at) for k, v in attributes.items()))
