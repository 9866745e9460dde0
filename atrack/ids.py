"""Ids: the session UUID's pattern, and unique ids without a system call each (event ids
sent without one, request ids)."""

from __future__ import annotations

import itertools
import os
import re

# A session UUID as the API takes it: 8-4-4-4-12 hex digits, any case.
UUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z"
)


class UniqueIds:
    """32 hex digits, like a UUID's: a random 64-bit prefix per process, drawn again in a
    forked child, then a counter. uuid4() reads os.urandom on every call; this does once
    per process."""

    def __init__(self) -> None:
        self._reset()
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._prefix = os.urandom(8).hex()
        self._counter = itertools.count()

    def next(self) -> str:
        return f"{self._prefix}{next(self._counter):016x}"


_ids = UniqueIds()


def new_id() -> str:
    return _ids.next()
