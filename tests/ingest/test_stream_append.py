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
    client.delete(stream.STREAM, stream.NUDGE)
    yield client
    client.delete(stream.STREAM, stream.NUDGE)


def items_in_stream(client: Any) -> list[Any]:
    return [json.loads(fields[b"items"]) for _, fields in client.xrange(stream.STREAM)]


def test_an_append_after_the_server_dropped_its_connections_lands(
    client: Any, broker_url: str
) -> None:
    assert stream.append([{"n": 1}]) is True  # leaves an idle connection in the pool
    admin = redis_py.Redis.from_url(broker_url)
    killed = admin.client_kill_filter(_type="normal", skipme=True)
    assert killed >= 1
    assert stream.append([{"n": 2}]) is False  # the nudge from the first is still set
    assert items_in_stream(client) == [[{"n": 1}], [{"n": 2}]]


def test_a_failed_append_never_leaves_a_reply_for_the_next(client: Any) -> None:
    client.set(stream.STREAM, "not a stream")
    with pytest.raises(redis_py.ResponseError, match="WRONGTYPE"):
        stream.append([{"n": 1}])
    # Redis ran the SET NX after the failed XADD: the nudge is set. Reusing the socket
    # would read that SET's "OK" as the next XADD's reply and the XADD's id as its SET's,
    # and report a nudge.
    assert client.exists(stream.NUDGE)
    client.delete(stream.STREAM)
    assert stream.append([{"n": 2}]) is False
    assert items_in_stream(client) == [[{"n": 2}]]


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
    assert stream.append([{"n": 1}]) is True
    assert broken  # the first connection was broken ...
    assert all(c._sock is not broken[0] for c in pool._available_connections)  # ... and dropped
    assert items_in_stream(client) == [[{"n": 1}]]
