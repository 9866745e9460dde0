"""Write bodies as JSON: size limit, numbers that JSON columns can store, text they can hold.

Python's parser reads `NaN`, `Infinity` and numbers past a double's range (`1e999`) as
floats that no JSON column can store (PostgreSQL's jsonb keeps them as null, SQLite's
JSON check refuses them). They are refused here, before anything is queued, with the
path of each field that holds one; so are values nested deeper than MAX_JSON_DEPTH,
which stored values, the pages that show them and the code that walks them would pay
for.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from typing import IO, Any

from django.conf import settings
from rest_framework.parsers import BaseParser

from atrack.errors import ApiError

NOT_FINITE = "Must be a finite number: NaN, Infinity and numbers beyond ±1.8e308 cannot be stored."
TOO_DEEP = "Nested deeper than {} levels (objects and arrays, counted from the body)."


class _NotFinite:
    """Stands where the body held NaN, Infinity or a number out of range."""

    __slots__ = ()


NON_FINITE = _NotFinite()


class BadItem:
    """A /batch entry refused before validation; `fields` says why."""

    __slots__ = ("fields",)

    def __init__(self, fields: dict[str, list[str]]) -> None:
        self.fields = fields


class _Hooks:
    """The parser's number hooks for one body; `found` once a number cannot be stored."""

    __slots__ = ("found",)

    def __init__(self) -> None:
        self.found = False

    def number(self, text: str) -> Any:
        value = float(text)
        if math.isinf(value):
            self.found = True
            return NON_FINITE
        return value

    def constant(self, name: str) -> Any:
        self.found = True
        return NON_FINITE


def _dotted(path: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in path)


def unstorable_paths(
    value: Any, *, max_depth: int, finite: bool = True
) -> Iterator[tuple[tuple[Any, ...], str]]:
    """The paths (keys and list indexes) under which `value` holds a NON_FINITE (unless
    `finite` says there is none), or a container deeper than `max_depth`, each with
    why it cannot be stored. Iterative: depth costs no recursion."""
    stack: list[tuple[tuple[Any, ...], Any]] = [((), value)]
    while stack:
        here, node = stack.pop()
        if node is NON_FINITE:
            yield here, NOT_FINITE
        elif isinstance(node, dict | list):
            if len(here) >= max_depth:
                yield here, TOO_DEEP.format(max_depth)
                continue
            if isinstance(node, dict):
                stack.extend(((*here, k), v) for k, v in node.items())
            elif not finite or any(isinstance(v, dict | list) or v is NON_FINITE for v in node):
                stack.extend(((*here, i), v) for i, v in enumerate(node))


def _too_deep(raw: bytes, max_depth: int) -> bool:
    """Whether the body may nest deeper than `max_depth`: a depth needs that many
    brackets, and counting them is far cheaper than walking the parsed body."""
    return raw.count(b"{") + raw.count(b"[") > max_depth


def _refuse(paths: Iterator[tuple[tuple[Any, ...], str]], data: Any, per_item: str | None) -> Any:
    """Raise a 400 naming the fields; a view with items (`per_item`) refuses only theirs."""
    items = data.get(per_item) if per_item and isinstance(data, dict) else None
    whole: dict[str, list[str]] = {}
    bad: dict[int, dict[str, list[str]]] = {}
    for path, message in sorted(paths, key=lambda p: [str(x) for x in p[0]]):
        if isinstance(items, list) and len(path) > 1 and path[0] == per_item:
            bad.setdefault(path[1], {})[_dotted(path[2:])] = [message]
        else:
            whole[_dotted(path) or "body"] = [message]
    if whole:
        raise ApiError(400, "invalid_payload", "The request body has invalid fields.", fields=whole)
    if not bad:  # many brackets, none of them too deep
        return data
    assert isinstance(items, list)
    for index, fields in bad.items():
        items[index] = BadItem(fields)
    return data


class JsonBodyParser(BaseParser):
    """A JSON object body, at most the view's `max_body_bytes` long."""

    media_type = "application/json"

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        view = (parser_context or {}).get("view")
        limit = int(getattr(view, "max_body_bytes", settings.MAX_BODY_BYTES))
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise ApiError(413, "payload_too_large", f"The body is over {limit // 1024} KiB.")
        hooks = _Hooks()
        try:
            data = json.loads(raw, parse_float=hooks.number, parse_constant=hooks.constant)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise _malformed(exc) from exc
        depth = settings.MAX_JSON_DEPTH
        if hooks.found or _too_deep(raw, depth):
            paths = unstorable_paths(data, max_depth=depth, finite=not hooks.found)
            data = _refuse(paths, data, getattr(view, "items_field", None))
        # Escapes can smuggle in what PostgreSQL cannot store; plain UTF-8 bodies cannot.
        return _storable(data) if b"\\u" in raw else data


def _malformed(exc: Exception) -> ApiError:
    """The parser's complaint in words a client can act on."""
    if isinstance(exc, UnicodeDecodeError):
        reason = f"it is not UTF-8 text (a byte that is not UTF-8 at offset {exc.start})"
    elif isinstance(exc, RecursionError):
        reason = "it is nested too deeply to read"
    elif isinstance(exc, json.JSONDecodeError):
        reason = f"{exc.msg.lower()} at line {exc.lineno}, column {exc.colno}"
    elif "digits" in str(exc):
        reason = "it holds an integer of more than 4,300 digits"
    else:
        reason = "it cannot be read as JSON"
    return ApiError(400, "malformed_json", f"The body is not valid JSON: {reason}.")


def _storable(value: Any) -> Any:
    """`value` without NUL characters and with lone surrogates replaced (PostgreSQL would
    refuse both)."""
    if isinstance(value, str):
        return value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_storable(v) for v in value]
    return value


class TextJsonParser(JsonBodyParser):
    """`text/plain` bodies holding JSON, as `navigator.sendBeacon` sends them."""

    media_type = "text/plain"
