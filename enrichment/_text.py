"""Small helpers that turn untrusted JSON values into safe, bounded strings."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

# PostgreSQL's jsonb rejects U+0000 and psycopg cannot encode lone surrogates (which
# json.loads happily produces from "\ud800"): both would turn bad input into a 500.
_NUL = "\x00"


def clean_text(value: str, limit: int) -> str:
    """Cut `value` to `limit` characters and drop what the database cannot store."""
    text = value[:limit]
    if _NUL in text:
        text = text.replace(_NUL, "")
    if not text.isascii():
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def as_text(value: object, limit: int) -> str | None:
    """A stripped, bounded string, or None for non-strings and blank strings."""
    if not isinstance(value, str):
        return None
    text = clean_text(value, limit).strip()
    return text or None


def as_mapping(value: object) -> Mapping[str, Any]:
    """`value` when it is a mapping, else an empty one (JSON input may be anything)."""
    return value if isinstance(value, Mapping) else {}


def sanitize_json(value: object, *, depth: int = 0, limit: int = 4096) -> Any:
    """A copy of a JSON value whose strings the database accepts; bounded in depth."""
    if isinstance(value, str):
        return clean_text(value, limit)
    if depth > 20:
        return None
    if isinstance(value, Mapping):
        return {
            clean_text(str(key), 255): sanitize_json(item, depth=depth + 1, limit=limit)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [sanitize_json(item, depth=depth + 1, limit=limit) for item in value]
    if isinstance(value, float):
        # jsonb has no NaN or Infinity, which Python's json module accepts.
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, bool | int):
        return value
    return None
