"""Appending to the ingest stream, against a real Redis: a connection the server dropped
is replaced, and a failed append leaves nothing behind for the next."""

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


def test_a_failed_append_raises_and_the_next_one_lands(client: Any) -> None:
    client.set(stream.STREAM, "not a stream")
    with pytest.raises(redis_py.ResponseError, match="WRONGTYPE"):
        stream.append([item(1)])
    client.delete(stream.STREAM)
    assert stream.append([item(2)]) == set()
    assert items_in_stream(client) == [[item(2)]]


def test_an_append_after_redis_forgot_its_scripts_lands(client: Any) -> None:
    """As after a Redis restart: the script is loaded again."""
    assert stream.append([item(1)]) == set()
    client.script_flush()
    assert stream.append([item(2)]) == set()
    assert items_in_stream(client) == [[item(1)], [item(2)]]


def test_a_connection_that_breaks_mid_write_is_replaced(
    client: Any, broker_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pool hands out a connection that the server then closes (as when Redis
    restarts between the pool's check and the write): the append goes through."""
    pool = client.connection_pool
    handed_out = pool.get_connection
    admin = redis_py.Redis.from_url(broker_url)
    killed: list[int] = []

    def breaking_first() -> Any:
        connection = handed_out()
        if not killed:
            connection.send_command("CLIENT", "ID")
            killed.append(admin.client_kill_filter(_id=connection.read_response()))
        return connection

    monkeypatch.setattr(pool, "get_connection", breaking_first)
    assert stream.append([item(1)]) == set()
    assert killed == [1]
    assert items_in_stream(client) == [[item(1)]]
