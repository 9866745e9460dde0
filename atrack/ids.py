"""Unique ids without a system call each: event ids sent without one, request ids."""

from __future__ import annotations

import itertools
import os


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
