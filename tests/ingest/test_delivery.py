"""Delivery guarantees with real processes (SPEC section 7).

A granian web server and ingest consumers (`manage.py ingest`) run as separate processes
against the test databases and a redis-server of the test's own (append-only file on);
nothing is mocked. Events carry explicit ids
so that every one of them can be checked to be stored exactly once.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import statistics
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable
from typing import Any

import pytest
from django.conf import settings

from events.models import Event, FailedWork
from projects.services import CreatedProject, project_create
from sessions_app.models import Attribute, Session
from tests.conftest import require
from tests.ingest import stack as stack_module
from tests.ingest.stack import BIN, OwnRedis, Reply, Stack, Web, group_members, wait_until

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, databases="__all__"),
]

# The fixtures of stack.py, offered to this module's tests.
own_redis = stack_module.own_redis
stack = stack_module.stack

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
TOTAL = 2000
LAND_TIMEOUT = 60.0

Unit = tuple[str, dict[str, Any]]  # (path, body)


@pytest.fixture(autouse=True)
def _real_services() -> None:
    """Runs before the stack fixtures: skip locally, fail in CI, when a service is missing."""
    require(
        "postgresql" in settings.DATABASES["default"]["ENGINE"],
        "needs PostgreSQL in DATABASE_URL",
    )
    require(shutil.which("redis-server") is not None, "needs redis-server on PATH")
    require(
        os.access(BIN / "granian", os.X_OK),
        "needs granian in the virtualenv",
    )


# --- helpers -----------------------------------------------------------------------------


def event_body(session: str, message_id: str, n: int) -> dict[str, Any]:
    return {
        "uuid": session,
        "event": "page_view",
        "id": message_id,
        "attributes": {"n": n, "path": f"/p/{n % 37}"},
    }


def make_events(count: int, sessions: int) -> tuple[list[str], list[dict[str, Any]]]:
    run = uuid.uuid4().hex[:8]
    session_ids = [str(uuid.uuid4()) for _ in range(sessions)]
    bodies = [event_body(session_ids[n % sessions], f"{run}-{n:05d}", n) for n in range(count)]
    return session_ids, bodies


def mixed_units(bodies: list[dict[str, Any]], batched: int, batch_size: int = 100) -> list[Unit]:
    """The first `batched` bodies as /batch requests spread among the rest sent one by one."""
    batches: list[Unit] = [
        ("/batch", {"batch": [{"type": "event", **b} for b in bodies[i : i + batch_size]]})
        for i in range(0, batched, batch_size)
    ]
    singles: list[Unit] = [("/event", b) for b in bodies[batched:]]
    units: list[Unit] = []
    every = max(1, len(singles) // (len(batches) + 1))
    for n, single in enumerate(singles):
        if batches and n % every == every // 2:
            units.append(batches.pop(0))
        units.append(single)
    return units + batches


def send_all(web: Web, key: str, units: list[Unit], threads: int = 4) -> list[tuple[Unit, Reply]]:
    """Send every unit over `threads` keep-alive connections; returns (unit, reply) pairs."""
    lock = threading.Lock()
    pending = iter(units)
    results: list[tuple[Unit, Reply]] = []
    errors: list[BaseException] = []

    def run() -> None:
        client = web.client(key)
        try:
            while True:
                with lock:
                    unit = next(pending, None)
                if unit is None:
                    return
                reply = client.post(*unit)
                with lock:
                    results.append((unit, reply))
        except BaseException as exc:
            errors.append(exc)
        finally:
            client.close()

    workers = [threading.Thread(target=run, daemon=True) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not any(w.is_alive() for w in workers), "senders did not finish within 120 s"
    assert not errors, f"sending failed: {errors[:3]!r}"
    assert len(results) == len(units)
    return results


def check_replies(results: Iterable[tuple[Unit, Reply]], *, queued: bool) -> None:
    """Every write answered as documented: 200 + queued true, or inline 200/201 + false."""
    for (path, body), reply in results:
        where = f"{path} -> {reply.status} {reply.body}"
        if path == "/batch":
            assert reply.status == 200, where
            assert reply.body["success"] is True, where
            assert reply.body["queued"] is queued, where
            assert all(r["success"] and r["queued"] is queued for r in reply.body["results"]), where
            continue
        assert reply.body == {"success": True, "uuid": body["uuid"], "queued": queued}, where
        if queued:
            assert reply.status == 200, where
        else:
            assert reply.status in (200, 201), where


def landed(project_id: int) -> int:
    return Event.objects.filter(project_id=project_id).count()


def wait_landed(project_id: int, expected: int, timeout: float = LAND_TIMEOUT) -> float:
    """Seconds until `expected` events of the project are stored."""
    started = time.monotonic()
    wait_until(
        lambda: landed(project_id) >= expected,
        timeout=timeout,
        interval=0.1,
        what=f"{expected} events to land (have {landed(project_id)})",
    )
    return time.monotonic() - started


def assert_exactly_once(project_id: int, expected_ids: Iterable[str]) -> None:
    expected = set(expected_ids)
    stored = Counter(
        Event.objects.filter(project_id=project_id).values_list("message_id", flat=True)
    )
    missing = sorted(expected - set(stored))
    unexpected = sorted(set(stored) - expected)
    duplicated = sorted(m for m, n in stored.items() if n > 1)
    assert not missing, f"{len(missing)} events lost, e.g. {missing[:10]}"
    assert not duplicated, f"{len(duplicated)} events stored twice, e.g. {duplicated[:10]}"
    assert not unexpected, f"{len(unexpected)} unexpected events, e.g. {unexpected[:10]}"
    assert sum(stored.values()) == len(expected)


def assert_drained(redis_server: OwnRedis, project_id: int) -> None:
    """Nothing left in the ingest stream, nothing parked as failed work."""
    wait_until(
        lambda: redis_server.stream_length() == 0 and redis_server.stream_pending() == 0,
        timeout=30,
        interval=0.2,
        what=lambda: f"the ingest stream to empty ({redis_server.broker_state()})",
    )
    parked = list(FailedWork.objects.filter(project_id=project_id).values("reason", "detail"))
    assert parked == [], parked


def new_project(name: str) -> CreatedProject:
    # Created before the web server ever sees its key: no stale negative cache entry.
    return project_create(name=name)


# --- tests -------------------------------------------------------------------------------


def test_two_thousand_queued_events_land_exactly_once(stack: Stack) -> None:
    web = stack.start_web()
    stack.start_worker()
    created = new_project("Delivery")
    project_id = created.project.pk
    sessions, bodies = make_events(TOTAL, sessions=20)
    units = mixed_units(bodies, batched=500)

    started = time.monotonic()
    results = send_all(web, created.public_key, units)
    sent = time.monotonic() - started
    check_replies(results, queued=True)
    wait_landed(project_id, TOTAL)
    total = time.monotonic() - started

    singles = sum(1 for path, _ in units if path == "/event")
    print(
        f"\n[2,000 queued] {len(units)} requests ({singles} /event, {len(units) - singles} /batch)"
        f" sent in {sent:.2f} s ({len(units) / sent:.0f} req/s); all {TOTAL} landed"
        f" {total:.2f} s after the first request ({TOTAL / total:.0f} events/s end to end)"
    )
    assert_exactly_once(project_id, (b["id"] for b in bodies))
    assert Session.objects.filter(project_id=project_id).count() == len(sessions)
    assert_drained(stack.redis, project_id)


def test_worker_killed_mid_stream_then_replaced_still_exactly_once(stack: Stack) -> None:
    web = stack.start_web()
    first = stack.start_worker("w1")
    created = new_project("Kill")
    project_id = created.project.pk
    sessions, bodies = make_events(TOTAL, sessions=20)
    units = mixed_units(bodies, batched=300)

    outcome: dict[str, Any] = {}

    def send() -> None:
        try:
            outcome["results"] = send_all(web, created.public_key, units)
        except BaseException as exc:
            outcome["error"] = exc

    sender = threading.Thread(target=send, daemon=True)
    started = time.monotonic()
    sender.start()

    # SIGKILL the whole worker (main process and its prefork children) once about a quarter
    # has landed, at a moment it holds read but unacknowledged stream entries. The worker
    # is frozen (SIGSTOP) while that is checked, so it cannot acknowledge them in between.
    def frozen_mid_stream() -> bool:
        if landed(project_id) < TOTAL // 4:
            return False
        first.signal_group(signal.SIGSTOP)
        time.sleep(0.05)  # acknowledgements already sent reach Redis first
        if stack.redis.stream_pending() > 0:
            return True
        first.signal_group(signal.SIGCONT)
        return False

    wait_until(frozen_mid_stream, timeout=LAND_TIMEOUT, interval=0.01, what="a quarter to land")
    first.kill()
    killed_at = time.monotonic()
    at_kill = landed(project_id)
    held = stack.redis.stream_pending()
    assert not first.alive()
    assert group_members(first.pid) == []  # no process of the group survived
    assert at_kill < TOTAL, "the worker finished before it could be killed"
    assert held > 0, "the killed worker held no unacknowledged entry: nothing to redeliver"

    # The replacement claims what the dead consumers left pending, once a lease old.
    stack.start_worker("w2", lease=6)
    replaced_at = time.monotonic()
    sender.join(timeout=120)
    assert not sender.is_alive(), "senders did not finish"
    assert "error" not in outcome, outcome.get("error")
    check_replies(outcome["results"], queued=True)  # the web side never noticed the kill

    timeline: list[tuple[float, int]] = []

    def all_landed() -> bool:
        count = landed(project_id)
        if not timeline or timeline[-1][1] != count:
            timeline.append((time.monotonic() - killed_at, count))
        return count >= TOTAL

    wait_until(
        all_landed,
        timeout=LAND_TIMEOUT,
        interval=0.1,
        what=lambda: (
            f"all events after the kill; landed (s after kill, count) {timeline[-5:]};"
            f" {stack.redis.broker_state()}"
        ),
    )
    redelivery = time.monotonic() - killed_at
    print(
        f"\n[SIGKILL] killed w1 {killed_at - started:.2f} s in with {at_kill}/{TOTAL} landed and"
        f" {held} stream entries unacknowledged; w2 ready {replaced_at - killed_at:.2f} s after"
        f" the kill; all {TOTAL} landed {redelivery:.2f} s after the kill (lease 6 s)."
        f" Landed (s after kill, count):"
        f" {[(round(t, 1), n) for t, n in timeline[-6:]]}"
    )
    assert_exactly_once(project_id, (b["id"] for b in bodies))
    assert Session.objects.filter(project_id=project_id).count() == len(sessions)
    assert_drained(stack.redis, project_id)


def test_a_redis_restart_under_load_strands_nothing(stack: Stack) -> None:
    """SIGKILL of redis-server mid-run, back 3 s later on the same append-only file: every
    acknowledged write is stored without anyone restarting a consumer, within the lease
    (6 s here) and a few seconds after Redis is back."""
    web = stack.start_web()
    consumers = stack.start_worker(lease=6)
    created = new_project("Redis restart")
    project_id = created.project.pk
    _, bodies = make_events(TOTAL, sessions=20)
    units = mixed_units(bodies, batched=300)
    outcome: dict[str, Any] = {}

    def send() -> None:
        outcome["results"] = send_all(web, created.public_key, units)

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    wait_until(
        lambda: landed(project_id) >= TOTAL // 4,
        timeout=LAND_TIMEOUT,
        interval=0.01,
        what="a quarter to land",
    )
    stack.redis.restart(down=3)
    back_at = time.monotonic()
    sender.join(timeout=120)
    assert "results" in outcome, "senders did not finish"
    acknowledged = [
        unit
        for unit, reply in outcome["results"]
        if reply.status < 300 and reply.body.get("success")
    ]
    assert len(acknowledged) == len(units), "every write is answered (queued or inline)"
    wait_until(
        lambda: landed(project_id) >= TOTAL,
        timeout=30,
        interval=0.1,
        what=lambda: f"every write after the restart ({stack.redis.broker_state()})",
    )
    print(
        f"\n[redis restart] all {TOTAL} stored {time.monotonic() - back_at:.1f} s after Redis was back"
    )
    assert consumers.alive(), "the consumers outlived the restart"
    assert_exactly_once(project_id, (b["id"] for b in bodies))
    assert_drained(stack.redis, project_id)


def test_an_erasure_covers_work_still_queued_and_refuses_later_writes(stack: Stack) -> None:
    web = stack.start_web()  # no consumer yet: the writes wait in the stream
    created = new_project("Erase queued")
    project_id = created.project.pk
    session, kept = str(uuid.uuid4()), str(uuid.uuid4())
    client = web.client(created.public_key)
    results = [
        (("/event", {**body, "uuid": session}), client.post("/event", {**body, "uuid": session}))
        for body in (event_body(session, f"e-{n}", n) for n in range(100))
    ]
    results.append(
        (
            ("/event", event_body(kept, "kept-1", 1)),
            client.post("/event", event_body(kept, "kept-1", 1)),
        )
    )
    check_replies(results, queued=True)

    admin = web.client(created.secret_key)
    erased = admin.post("/session/delete", {"uuid": session})
    assert erased.status == 200, erased
    assert erased.body["deleted"]["sessions"] == 0  # nothing stored yet: all of it queued
    later = client.post("/event", event_body(session, "after-erasure", 1))
    assert later.status == 410, later
    assert later.body["error"]["code"] == "erased"

    stack.start_worker()
    wait_landed(project_id, 1)  # the other visitor's event
    assert_drained(stack.redis, project_id)
    assert not Session.objects.filter(project_id=project_id, uuid=session).exists()
    assert not Event.objects.filter(project_id=project_id, uuid=session).exists()
    assert admin.post("/session/show", {"uuid": session}).status == 404
    client.close()
    admin.close()


def test_redelivered_message_is_applied_once(stack: Stack) -> None:
    """The same entries (same items) are delivered twice: one copy of everything."""
    web = stack.start_web()  # no worker yet: the messages wait in the queue
    created = new_project("Redelivery")
    project_id = created.project.pk
    session = str(uuid.uuid4())
    run = uuid.uuid4().hex[:8]
    batch: list[dict[str, Any]] = [
        {
            "type": "init",
            "uuid": session,
            "context": {"url": {"href": "https://shop.example/?utm_source=news"}},
        },
        {"type": "attributes", "uuid": session, "attributes": {"plan": "pro", "seats": 3}},
    ]
    batch += [{"type": "event", **event_body(session, f"{run}-b{n}", n)} for n in range(98)]
    singles = [event_body(session, f"{run}-s{n}", n) for n in range(5)]
    units: list[Unit] = [("/batch", {"batch": batch}), *(("/event", b) for b in singles)]
    client = web.client(created.public_key)
    results = [(unit, client.post(*unit)) for unit in units]
    client.close()
    check_replies(results, queued=True)

    entries: Any = stack.redis.client.xrange("atrack:ingest")
    assert len(entries) == len(units)
    for _, fields in entries:  # every entry queued a second time, byte for byte
        stack.redis.client.xadd("atrack:ingest", fields)
    assert stack.redis.stream_length() == 2 * len(units)

    stack.start_worker()
    wait_until(
        lambda: stack.redis.stream_length() == 0,
        timeout=LAND_TIMEOUT,
        interval=0.1,
        what=lambda: f"every copy of every entry to be stored ({stack.redis.broker_state()})",
    )

    event_ids = [e["id"] for e in batch[2:]] + [b["id"] for b in singles]
    assert_exactly_once(project_id, event_ids)
    stored = Session.objects.get(project_id=project_id)
    assert str(stored.uuid) == session
    attributes = dict(Attribute.objects.filter(session=stored).values_list("key", "value"))
    assert attributes == {"plan": "pro", "seats": 3}
    assert stored.first_seen_at is not None
    assert_drained(stack.redis, project_id)


def test_queued_init_without_uuid_answers_the_uuid_at_once(stack: Stack) -> None:
    web = stack.start_web()  # no worker yet
    created = new_project("Queued init")
    project_id = created.project.pk
    client = web.client(created.public_key)
    reply = client.post(
        "/init", {"context": {"url": {"href": "https://shop.example/landing?utm_source=ads"}}}
    )
    assert reply.status == 200, reply
    assert reply.body["success"] is True, reply.body
    assert reply.body["queued"] is True, reply.body
    session = reply.body["uuid"]
    assert UUID_RE.match(session), session
    follow_up = client.post("/event", event_body(session, "after-init", 1))
    client.close()
    assert follow_up.status == 200, follow_up
    assert follow_up.body["queued"] is True, follow_up
    assert not Session.objects.filter(project_id=project_id).exists()  # queued, not processed

    stack.start_worker()
    # The event may be processed before the init (the row then exists without the init's
    # context): wait for the init itself to be applied.
    waited = wait_until(
        lambda: Session.objects.filter(
            project_id=project_id, uuid=session, first_seen_at__isnull=False
        ).first(),
        timeout=LAND_TIMEOUT,
        interval=0.1,
        what="the queued init's session",
    )
    assert waited.first_context["url"]["href"] == "https://shop.example/landing?utm_source=ads"
    wait_landed(project_id, 1)
    event = Event.objects.get(project_id=project_id)
    assert event.session_id == waited.pk
    assert event.message_id == "after-init"
    assert Session.objects.filter(project_id=project_id).count() == 1
    print(f"\n[queued init] /init answered uuid {session} in {reply.seconds * 1000:.1f} ms")


@pytest.mark.parametrize(
    "rate_limit",
    [
        # The per-key rate limit counts in Redis first: it is what meets the dead broker.
        pytest.param("100000", id="rate-limit-on"),
        # Without it, publishing the task is the first thing to meet the dead broker.
        pytest.param("0", id="rate-limit-off"),
    ],
)
def test_writes_fall_back_inline_when_the_broker_is_down(stack: Stack, rate_limit: str) -> None:
    web = stack.start_web(RATE_LIMIT_PER_SECOND=rate_limit)
    stack.start_worker()
    created = new_project("Broker down")
    project_id = created.project.pk
    run = uuid.uuid4().hex[:8]
    client = web.client(created.public_key)
    sent_ids: list[str] = []

    def send_events(session: str, tag: str, count: int) -> list[tuple[Unit, Reply]]:
        results = []
        for n in range(count):
            body = event_body(session, f"{run}-{tag}{n}", n)
            sent_ids.append(body["id"])
            results.append((("/event", body), client.post("/event", body)))
        return results

    # 1. Broker up: queued, and the worker stores them.
    queued = send_events(str(uuid.uuid4()), "q", 100)
    check_replies(queued, queued=True)
    wait_landed(project_id, 100)

    # 2. Broker hung (SIGSTOP: connections are accepted, nothing answers). Each write waits
    # at most for the broker socket timeout, then is processed inline; the breaker makes the
    # ones after it fast until it closes again (then one write pays the timeout again).
    stack.redis.freeze()
    hung_session = str(uuid.uuid4())
    hung = send_events(hung_session, "h", 15)
    time.sleep(settings.BREAKER_SECONDS + 0.5)  # the web process's breaker: its real clock
    hung += send_events(hung_session, "h2-", 15)
    check_replies(hung, queued=False)
    assert hung[0][1].status == 201, "the inline write that created the session answers 201"
    assert all(reply.status == 200 for _, reply in hung[1:])
    hung_times = [reply.seconds for _, reply in hung]

    # 3. Broker gone (connections refused).
    stack.redis.terminate()
    gone_session = str(uuid.uuid4())
    gone = send_events(gone_session, "g", 50)
    batch_ids = [f"{run}-gb{n}" for n in range(50)]
    sent_ids.extend(batch_ids)
    batch = {
        "batch": [
            {"type": "event", **event_body(gone_session, message_id, n)}
            for n, message_id in enumerate(batch_ids)
        ]
    }
    gone.append((("/batch", batch), client.post("/batch", batch)))
    init = client.post("/init", {})
    client.close()
    check_replies(gone, queued=False)
    assert gone[0][1].status == 201, gone[0][1]
    assert init.status == 201, init
    assert init.body["queued"] is False, init
    gone_times = [reply.seconds for _, reply in gone]

    print(
        f"\n[broker hung] inline latency: first {hung_times[0] * 1000:.0f} ms, max"
        f" {max(hung_times) * 1000:.0f} ms, median {statistics.median(hung_times) * 1000:.1f} ms"
        f" over {len(hung_times)} writes\n[broker gone] inline latency: first"
        f" {gone_times[0] * 1000:.0f} ms, max {max(gone_times) * 1000:.0f} ms, median"
        f" {statistics.median(gone_times) * 1000:.1f} ms over {len(gone_times)} writes"
    )
    timeout = settings.BROKER_SOCKET_TIMEOUT
    assert max(hung_times) < 2 * timeout + 1, hung_times
    assert max(gone_times) < timeout + 1, gone_times
    assert statistics.median(hung_times + gone_times) < 0.5

    assert_exactly_once(project_id, sent_ids)
    assert Session.objects.filter(project_id=project_id, uuid=init.body["uuid"]).exists()
    assert not FailedWork.objects.filter(project_id=project_id).exists()


def test_bad_numbers_and_batches_at_the_limits_through_the_queue(stack: Stack) -> None:
    """Through granian and a consumer: a number no column can store is a 400 at the edge;
    one bad item of a batch fails alone; a batch of 54,000 attribute keys (216,000
    parameters as one statement, over PostgreSQL's 65,535) is stored."""
    web = stack.start_web()
    stack.start_worker()
    created = new_project("Limits")
    project_id = created.project.pk
    client = web.client(created.public_key)
    session = str(uuid.uuid4())
    raw = client.post("/event", {"uuid": session, "event": "x", "attributes": {"v": float("inf")}})
    assert raw.status == 400, raw
    assert list(raw.body["error"]["fields"]) == ["attributes.v"]

    poisoned = {
        "batch": [
            {"type": "init", "uuid": session, "custom_data": {"x": float("inf")}},
            {"type": "attributes", "uuid": session, "attributes": {"plan": "pro"}},
            {"type": "event", **event_body(session, "limits-1", 1)},
        ]
    }
    reply = client.post("/batch", poisoned)
    assert reply.status == 200, reply
    assert [r["success"] for r in reply.body["results"]] == [False, True, True]

    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    keys = {a + b: 0 for a in digits[:30] for b in digits[:18]}
    wide = [str(uuid.uuid4()) for _ in range(100)]
    big = client.post(
        "/batch", {"batch": [{"type": "attributes", "uuid": u, "attributes": keys} for u in wide]}
    )
    assert big.status == 200, big
    assert big.body["queued"] is True
    client.close()
    wait_until(
        lambda: Attribute.objects.filter(session__project_id=project_id).count() >= 54_001,
        timeout=LAND_TIMEOUT,
        interval=0.2,
        what=lambda: f"every attribute key ({stack.redis.broker_state()})",
    )
    wait_landed(project_id, 1)
    assert_drained(stack.redis, project_id)
