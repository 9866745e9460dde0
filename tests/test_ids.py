"""Ids given to events sent without one (and to requests without X-Request-ID)."""

from __future__ import annotations

import os
import re

from atrack.ids import new_id


def test_ids_are_32_hex_digits_and_never_repeat() -> None:
    ids = [new_id() for _ in range(10_000)]
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
    assert len(set(ids)) == len(ids)


def test_a_forked_child_draws_its_own_prefix() -> None:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report its next id and leave at once
        os.write(write, new_id().encode())
        os._exit(0)
    os.waitpid(pid, 0)
    child = os.read(read, 64).decode()
    os.close(read)
    os.close(write)
    mine = new_id()
    assert len(child) == 32
    assert child[:16] != mine[:16]
