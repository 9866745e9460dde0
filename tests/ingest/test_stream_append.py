"""Appending to the ingest stream on a pooled connection, against a real Redis: a
connection the server dropped is replaced, and one left with an unread reply is never
reused."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import redis as redis_py

from events.ingest import stream
from events.ingest.broker import broker_redis

pytestmark = [pytest.mark.redis]


@pytest.fixture
def client(broker_url: str) -> Iterator[Any]:
    client = broker_redis()
    erased = stream.ERASED.format(1, "u-erased")
    client.delete(stream.STREAM, erased)
    yield client
    client.delete(stream.STREAM, erased)


def item(n: int, uuid: str = "u") -> dict[str, Any]:
    return {"project_id": 1, "uuid": uuid, "n": n}


def items_in_stream(client: Any) -> list[Any]:
    return [json.loads(fields[b"items"]) for _, fields in client.xrange(stream.STREAM)]


def test_an_append_after_the_server_dropped_its_connections_lands(
    client: Any, broker_url: str
) -> None:
    assert stream.append([item(1)]) == set()  # leaves an idle connection in the pool
    admin = redis_py.Redis.from_url(broker_url)
    killed = admin.client_kill_filter(_type="normal", skipme=True)
    assert killed >= 1
    assert stream.append([item(2)]) == set()
    assert items_in_stream(client) == [[item(1)], [item(2)]]


def test_an_append_names_the_uuids_an_erasure_suppresses(client: Any) -> None:
    stream.mark_erased(1, "u-erased")
    assert stream.append([item(1), item(2, "u-erased")]) == {"u-erased"}
    stream.unmark_erased(1, "u-erased")
    assert stream.append([item(3, "u-erased")]) == set()
    assert len(items_in_stream(client)) == 2  # queued all the same: workers drop them


def test_a_failed_append_never_leaves_a_reply_for_the_next(client: Any) -> None:
    client.set(stream.STREAM, "not a stream")
    stream.mark_erased(1, "u-erased")
    with pytest.raises(redis_py.ResponseError, match="WRONGTYPE"):
        stream.append([item(1, "u-erased")])
    # Redis answered the MGET after the failed XADD. Reusing the socket would read that
    # reply as the next XADD's and the XADD's id as its MGET's.
    client.delete(stream.STREAM)
    stream.unmark_erased(1, "u-erased")
    assert stream.append([item(2)]) == set()
    assert items_in_stream(client) == [[item(2)]]


def test_a_connection_that_breaks_mid_write_is_replaced_once(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pool hands out a connection whose socket then breaks (as when Redis restarts
    between the pool's check and the write): the append goes through on a new one."""
    import socket

    pool = client.connection_pool
    handed_out = pool.get_connection
    broken: list[Any] = []

    def breaking_first() -> Any:
        connection = handed_out()
        if not broken:
            connection._sock.shutdown(socket.SHUT_RDWR)
            broken.append(connection._sock)
        return connection

    monkeypatch.setattr(pool, "get_connection", breaking_first)
    assert stream.append([item(1)]) == set()
    assert broken  # the first connection was broken ...
    assert all(c._sock is not broken[0] for c in pool._available_connections)  # ... and dropped
    assert items_in_stream(client) == [[item(1)]]
