"""Set-based writes of many rows in one statement.

On PostgreSQL each column travels as one array parameter and `unnest()` turns the arrays
back into rows: one statement and one round trip for any number of rows, with no model
instances and none of the per-row SQL that `bulk_create` / `bulk_update` build (the
latter's CASE over many columns grows with rows x columns). Other databases (the
embedded SQLite) take the ORM's path, which is correct everywhere and fast enough there.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import psycopg
from django.db import connections, models

from atrack import jsons

Row = Sequence[Any]


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


def model_columns(model: type[models.Model]) -> list[str]:
    """Every column of `model` but its primary key, by attribute name, in field order."""
    return [f.attname for f in model._meta.concrete_fields if not f.primary_key]


def _column(model: type[models.Model], name: str) -> str:
    return str(_field(model, name).column)


def _json(value: Any, encoder: type[json.JSONEncoder] | None) -> str | None:
    if value is None:
        return None
    if encoder is None:
        return jsons.dumps(value)
    return json.dumps(value, cls=encoder)


def select_in(
    *,
    alias: str,
    model: type[models.Model],
    fields: Sequence[str],
    where: Mapping[str, Any],
    column: str,
    values: Sequence[Any],
) -> list[tuple[Any, ...]]:
    """`fields` of the rows matching `where` whose `column` is one of `values`: on
    PostgreSQL one array parameter rather than a placeholder per value.

    Each value is looked up on its own (a lateral subquery the planner may not flatten),
    so an index on `where`'s columns and `column` serves every lookup whatever the
    statistics say. `column = ANY(array)` is not used: with stale statistics (a table or a
    project that grew since the last ANALYZE) PostgreSQL scans all of a project's rows and
    compares each with every value, 40 ms for 1,000 values among 65,000 sessions.
    """
    connection = connections[alias]
    if connection.vendor != "postgresql":
        rows = model._default_manager.using(alias).filter(**where, **{f"{column}__in": values})
        return [tuple(r) for r in rows.values_list(*fields)]
    table = connection.ops.quote_name(model._meta.db_table)
    conditions = [f"{_column(model, k)} = %s" for k in where]
    conditions.append(f"{_column(model, column)} = v.key")
    names = ", ".join(_column(model, f) for f in fields)
    cast = _field(model, column).db_type(connection)
    sql = (
        f"SELECT t.* FROM unnest(%b::{cast}[]) AS v(key) CROSS JOIN LATERAL "
        f"(SELECT {names} FROM {table} WHERE {' AND '.join(conditions)} OFFSET 0) AS t"
    )
    return _execute(alias, sql, [list(values), *where.values()], fetch=True)


# PostgreSQL's wire protocol numbers parameters with 16 bits.
POSTGRES_MAX_PARAMS = 65_535


def rows_per_statement(alias: str, params_per_row: int) -> int:
    """How many rows of `params_per_row` placeholders one statement may carry on `alias`."""
    limit = connections[alias].features.max_query_params or POSTGRES_MAX_PARAMS
    return max(1, min(limit, POSTGRES_MAX_PARAMS) // params_per_row)


def _execute(alias: str, sql: str, params: list[Any], *, fetch: bool) -> list[tuple[Any, ...]]:
    """Run on a server-side binding cursor: the arrays travel as parameters, not as SQL
    literals that psycopg's client-side binding (Django's default) would have to build."""
    connection = connections[alias]
    connection.ensure_connection()
    # Raise Django's exception classes, as the ORM would (callers retry DatabaseError).
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params)
        return [tuple(r) for r in cursor.fetchall()] if fetch else []


def _unnest(
    alias: str, model: type[models.Model], columns: Sequence[str], rows: Sequence[Row]
) -> tuple[str, list[str], list[list[Any]]]:
    """`unnest(...) AS v(...)` over one array parameter per column, the value expression
    of each column, and the arrays. Values go as they are (the casts convert them), but
    JSON, which is serialised here.

    JSON columns travel as text arrays and are cast row by row (`v.col::jsonb`). Cast as
    a whole array (`$1::jsonb[]`), PostgreSQL folds the cast into a constant while
    planning, at about twice the cost of parsing the same JSON while executing: for
    1,000 new sessions, 23 ms of planning against 11 ms more of execution."""
    connection = connections[alias]
    names, args, values, arrays = [], [], [], []
    for index, column in enumerate(columns):
        field = _field(model, column)
        name = str(field.column)
        array = [row[index] for row in rows]
        if isinstance(field, models.JSONField):
            array = [_json(v, field.encoder) for v in array]
            args.append("%b::text[]")
            values.append(f"v.{name}::jsonb")
        else:
            args.append(f"%b::{field.db_type(connection)}[]")  # binary: no literal quoting
            values.append(f"v.{name}")
        names.append(name)
        arrays.append(array)
    return f"unnest({', '.join(args)}) AS v({', '.join(names)})", values, arrays


def insert_rows(
    *,
    alias: str,
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Row],
    unique: Sequence[str] | None = None,
    returning: Sequence[str] = (),
    update: Mapping[str, str] | None = None,
) -> list[tuple[Any, ...]]:
    """Insert `rows` (values in `columns` order); a row clashing on `unique` is skipped.

    Returns the `returning` columns of the rows inserted. Only PostgreSQL can tell those
    apart from skipped ones; elsewhere every row's are returned (the embedded database
    has a single writer, so nothing else inserts the same rows meanwhile).

    PostgreSQL only: with `update` (column -> SQL over `t.` and `excluded.`), a clashing
    row is locked and updated instead, in `rows` order, and returned too, with a last
    value that tells whether the row was inserted.
    """
    if not rows:
        return []
    connection = connections[alias]
    if connection.vendor != "postgresql":
        if update is not None:
            raise NotImplementedError("insert_rows(update=...) needs PostgreSQL")
        return _orm_insert(alias, model, columns, rows, unique, returning)
    columns, rows = _with_defaults(model, columns, rows)
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(_column(model, c) for c in columns)
    source, values, params = _unnest(alias, model, columns, rows)
    sql = f"INSERT INTO {table} AS t ({names}) SELECT {', '.join(values)} FROM {source}"
    if unique is not None:
        sql += f" ON CONFLICT ({', '.join(_column(model, c) for c in unique)}) "
        sql += "DO NOTHING" if update is None else "DO UPDATE SET "
        sql += ", ".join(f"{_column(model, c)} = {expr}" for c, expr in (update or {}).items())
    if returning:
        sql += f" RETURNING {', '.join('t.' + _column(model, c) for c in returning)}"
        sql += ", t.xmax = 0" if update is not None else ""  # xmax 0: a fresh row
    return _execute(alias, sql, params, fetch=bool(returning))


def _with_defaults(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[Row]
) -> tuple[list[str], list[list[Any]]]:
    """Add the columns left out, with their model defaults, as the ORM would."""
    given = {_field(model, c).name for c in columns}
    rest = [f for f in model._meta.concrete_fields if not f.primary_key and f.name not in given]
    return [*columns, *(f.name for f in rest)], [
        [*row, *(f.get_default() for f in rest)] for row in rows
    ]


def _orm_insert(
    alias: str,
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Row],
    unique: Sequence[str] | None,
    returning: Sequence[str],
) -> list[tuple[Any, ...]]:
    names = [_field(model, c).attname for c in columns]
    objs = [model(**dict(zip(names, row, strict=True))) for row in rows]
    model._default_manager.using(alias).bulk_create(objs, ignore_conflicts=unique is not None)
    if not returning:
        return []
    keys = [_field(model, c).attname for c in unique or columns]
    wanted = {tuple(str(getattr(o, k)) for k in keys) for o in objs}  # str: "1" and UUIDs alike
    lookup = {f"{k}__in": {w[i] for w in wanted} for i, k in enumerate(keys)}
    found = model._default_manager.using(alias).filter(**lookup).values_list(*keys, *returning)
    return [tuple(r[len(keys) :]) for r in found if tuple(map(str, r[: len(keys)])) in wanted]


def update_rows(
    *, alias: str, model: type[models.Model], columns: Sequence[str], objs: Sequence[models.Model]
) -> None:
    """Write `columns` of each of `objs` (found by primary key) in one statement."""
    if not objs:
        return
    connection = connections[alias]
    if connection.vendor != "postgresql":
        for obj in objs:
            obj.save(using=alias, update_fields=columns)
        return
    pk = model._meta.pk
    assert pk is not None
    rows = [[obj.pk, *(getattr(obj, _field(model, c).attname) for c in columns)] for obj in objs]
    source, values, params = _unnest(alias, model, [pk.name, *columns], rows)
    table = connection.ops.quote_name(model._meta.db_table)
    sets = ", ".join(f"{_column(model, c)} = {v}" for c, v in zip(columns, values[1:], strict=True))
    sql = f"UPDATE {table} SET {sets} FROM {source} WHERE {table}.{pk.column} = v.{pk.column}"
    _execute(alias, sql, params, fetch=False)
