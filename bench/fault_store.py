"""What the fault matrix finds stored: read straight from the project's database."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from bench.fault_load import WriteKey


@dataclass
class Found:
    """Every stored write of a project, keyed as the load keys its writes, with row counts."""

    rows: Counter[WriteKey]

    def present(self) -> set[WriteKey]:
        return set(self.rows)

    def duplicates(self) -> int:
        return sum(n - 1 for n in self.rows.values() if n > 1)


def _connect(url: str) -> Any:
    import psycopg

    return psycopg.connect(url, connect_timeout=2, autocommit=True)


def found(url: str, project_id: int) -> Found | None:
    """The project's stored writes, or None while its database cannot be read."""
    import psycopg

    rows: Counter[WriteKey] = Counter()
    try:
        with _connect(url) as conn:
            for message_id, n in conn.execute(
                "SELECT message_id, count(*) FROM events_event WHERE project_id = %s "
                "GROUP BY message_id",
                (project_id,),
            ):
                rows["event", message_id] = n
            for session, n in conn.execute(
                "SELECT uuid::text, count(*) FROM sessions_app_session WHERE project_id = %s "
                "GROUP BY uuid",
                (project_id,),
            ):
                rows["init", session] = n
            for session, key, n in conn.execute(
                "SELECT s.uuid::text, a.key, count(*) FROM sessions_app_attribute a "
                "JOIN sessions_app_session s ON s.id = a.session_id WHERE s.project_id = %s "
                "GROUP BY s.uuid, a.key",
                (project_id,),
            ):
                rows["attr", f"{session}/{key}"] = n
    except psycopg.Error:
        return None
    return Found(rows)


def rows_of_sessions(url: str, project_id: int, sessions: list[str]) -> int | None:
    """Rows (sessions, attributes, events) left for these session UUIDs."""
    import psycopg

    try:
        with _connect(url) as conn:
            row = conn.execute(
                "SELECT (SELECT count(*) FROM sessions_app_session WHERE project_id = %(p)s"
                "        AND uuid::text = ANY(%(u)s))"
                " + (SELECT count(*) FROM events_event WHERE project_id = %(p)s"
                "        AND uuid::text = ANY(%(u)s))"
                " + (SELECT count(*) FROM sessions_app_attribute a JOIN sessions_app_session s"
                "        ON s.id = a.session_id WHERE s.project_id = %(p)s"
                "        AND s.uuid::text = ANY(%(u)s))",
                {"p": project_id, "u": sessions},
            ).fetchone()
    except psycopg.Error:
        return None
    return int(row[0]) if row else 0


def parked(url: str, project_id: int) -> int | None:
    """Work items parked as failed for the project (None where that table is not found)."""
    import psycopg

    try:
        with _connect(url) as conn:
            row = conn.execute(
                "SELECT count(*) FROM events_failedwork WHERE project_id = %s", (project_id,)
            ).fetchone()
    except psycopg.Error:
        return None
    return int(row[0]) if row else 0
