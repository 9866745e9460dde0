"""Ids given to events sent without one."""

from __future__ import annotations

import os
import re

from events.ingest.payloads import event_ids


def test_ids_are_32_hex_digits_and_never_repeat() -> None:
    ids = [event_ids.next() for _ in range(10_000)]
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
    assert len(set(ids)) == len(ids)


def test_a_forked_child_draws_its_own_prefix() -> None:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report its next id and leave at once
        os.write(write, event_ids.next().encode())
        os._exit(0)
    os.waitpid(pid, 0)
    child = os.read(read, 64).decode()
    os.close(read)
    os.close(write)
    mine = event_ids.next()
    assert len(child) == 32
    assert child[:16] != mine[:16]
