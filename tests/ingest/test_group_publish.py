"""The group-commit publisher: concurrency, batching and failure, with a stand-in broker."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from events.ingest.queue import GroupPublisher


class SlowBroker:
    """Records each message; every send takes `delay` seconds and may fail."""

    def __init__(self, delay: float = 0.005, fail: bool = False) -> None:
        self.messages: list[list[dict[str, Any]]] = []
        self.delay = delay
        self.fail = fail
        self.lock = threading.Lock()

    def __call__(self, items: list[dict[str, Any]]) -> set[str] | None:
        time.sleep(self.delay)
        if self.fail:
            return None
        with self.lock:
            self.messages.append(items)
        return {str(item["n"]) for item in items if item.get("erased")}


def published(result: set[str] | None) -> bool:
    return result is not None


def test_concurrent_requests_are_published_together_and_exactly_once() -> None:
    broker = SlowBroker()
    publisher = GroupPublisher(broker)
    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(lambda n: publisher.publish([{"n": n}]), range(400)))
    assert all(map(published, results))
    sent = sorted(item["n"] for message in broker.messages for item in message)
    assert sent == list(range(400))
    assert len(broker.messages) < 200  # groups formed while a publish was in flight


def test_an_idle_publisher_sends_at_once() -> None:
    broker = SlowBroker(delay=0)
    publisher = GroupPublisher(broker)
    assert publisher.publish([{"n": 1}]) == set()
    assert broker.messages == [[{"n": 1}]]


def test_each_request_learns_the_erased_uuids_of_its_group() -> None:
    publisher = GroupPublisher(SlowBroker(delay=0))
    assert publisher.publish([{"n": 1, "erased": True}, {"n": 2}]) == {"1"}


def test_a_message_holds_at_most_max_items_unless_one_request_is_bigger() -> None:
    broker = SlowBroker()
    publisher = GroupPublisher(broker, max_items=10)
    with ThreadPoolExecutor(max_workers=16) as pool:
        assert all(map(published, pool.map(lambda n: publisher.publish([{"n": n}] * 3), range(60))))
    assert max(len(message) for message in broker.messages) <= 10
    assert published(publisher.publish([{"n": 0}] * 25))
    assert len(broker.messages[-1]) == 25


def test_a_failing_broker_tells_every_request_of_its_group() -> None:
    publisher = GroupPublisher(SlowBroker(fail=True))
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert not any(map(published, pool.map(lambda n: publisher.publish([{"n": n}]), range(40))))


def test_followers_of_a_hung_leader_give_up_and_the_publisher_recovers(settings: Any) -> None:
    settings.BROKER_SOCKET_TIMEOUT = 0.05  # followers wait 3 x this + 1 s
    release, hung = threading.Event(), threading.Event()
    calls: list[int] = []

    def hung_then_fine(items: list[dict[str, Any]]) -> set[str] | None:
        calls.append(len(items))
        if len(calls) == 1:
            hung.set()
            release.wait(5)
        return set()

    publisher = GroupPublisher(hung_then_fine)
    leader = threading.Thread(target=publisher.publish, args=([{"n": 0}],))
    leader.start()
    assert hung.wait(5)
    started = time.monotonic()  # the follower's wait is a real lock timeout: timed for real
    assert publisher.publish([{"n": 1}]) is None  # went inline
    assert time.monotonic() - started < 3
    release.set()
    leader.join()
    assert publisher.publish([{"n": 2}]) == set()
    assert calls == [1, 1]


@pytest.mark.parametrize("workers", [2, 8])
def test_no_request_is_left_waiting(workers: int) -> None:
    broker = SlowBroker(delay=0.001)
    publisher = GroupPublisher(broker)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(publisher.publish, [{"n": n}]) for n in range(200)]
        assert all(published(f.result(timeout=10)) for f in futures)
