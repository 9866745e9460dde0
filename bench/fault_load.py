"""Load for the fault matrix: writes that can each be found in the database afterwards.

Every write carries what identifies its effect: an event its client id (`id`), an init its
session UUID, an attributes write a key used nowhere else. A client retries as an SDK does
(same body, same id) on connection errors, 5xx and 429 for up to WRITE_BUDGET seconds, so a
response lost in a fault is resent and must still be stored once.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

EVENTS_PER_SESSION = 20
WRITE_BUDGET = 30.0  # seconds a client keeps resending one write before it gives up
REQUEST_TIMEOUT = 10.0
WriteKey = tuple[str, str]  # ("event", message id) | ("init", uuid) | ("attr", "uuid/key")


@dataclass(frozen=True)
class Write:
    path: str
    body: dict[str, Any]
    key: WriteKey


def session_writes(session: str, events: int, tag: str) -> list[Write]:
    """An init, an attributes write and `events` events for one session."""
    init = {
        "uuid": session,
        "context": {
            "url": {"href": f"https://shop.example/landing?utm_source=faults&n={tag}"},
            "client": {
                "ipAddress": "50.89.98.90",
                "userAgent": "Mozilla/5.0 (X11; Linux) Firefox/133.0",
            },
        },
    }
    attr_key = f"k_{tag}"
    writes = [
        Write("/init", init, ("init", session)),
        Write(
            "/attributes",
            {"uuid": session, "attributes": {attr_key: tag, "plan": "pro"}},
            ("attr", f"{session}/{attr_key}"),
        ),
    ]
    for n in range(events):
        message_id = f"{tag}-{n:04d}"
        body = {
            "uuid": session,
            "event": "page_view",
            "id": message_id,
            "attributes": {"n": n, "path": f"/p/{n % 13}"},
        }
        writes.append(Write("/event", body, ("event", message_id)))
    return writes


def plan(events: int) -> list[Write]:
    """`events` events over sessions of EVENTS_PER_SESSION, each after its init and attributes."""
    run = uuid.uuid4().hex[:8]
    writes: list[Write] = []
    for s in range(0, events, EVENTS_PER_SESSION):
        count = min(EVENTS_PER_SESSION, events - s)
        writes += session_writes(str(uuid.uuid4()), count, f"{run}-{s // EVENTS_PER_SESSION}")
    return writes


@dataclass
class Outcome:
    acked: bool = False
    statuses: list[int] = field(default_factory=list)
    conn_errors: int = 0


class Client:
    """One keep-alive connection (one per thread)."""

    def __init__(self, port: int, key: str) -> None:
        self.port = port
        self.key = key
        self.conn: http.client.HTTPConnection | None = None

    def post(self, path: str, body: dict[str, Any]) -> tuple[int, str | None]:
        """The status and the Retry-After header of one request."""
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        headers = {"Content-Type": "application/json", "x-a-track-key": self.key}
        try:
            self.conn.request("POST", path, body=json.dumps(body).encode(), headers=headers)
            response = self.conn.getresponse()
            response.read()
            return response.status, response.getheader("Retry-After")
        except (OSError, http.client.HTTPException):
            self.close()
            raise

    def send(self, write: Write, deadline: float) -> Outcome:
        """Send until acknowledged (2xx), for up to WRITE_BUDGET seconds or until `deadline`."""
        outcome = Outcome()
        deadline = min(deadline, time.monotonic() + WRITE_BUDGET)
        while True:
            try:
                status, retry_after = self.post(write.path, write.body)
            except (OSError, http.client.HTTPException):
                outcome.conn_errors += 1
                pause = 0.25
            else:
                outcome.statuses.append(status)
                if 200 <= status < 300:
                    outcome.acked = True
                    return outcome
                if status < 500 and status != 429:
                    return outcome  # refused for good: a client error is not retried
                pause = min(float(retry_after or 1), 1.0)
            if time.monotonic() + pause > deadline:
                return outcome
            time.sleep(pause)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


@dataclass
class LoadResult:
    outcomes: dict[WriteKey, Outcome]
    started: float
    finished: float

    def acked(self) -> set[WriteKey]:
        return {key for key, o in self.outcomes.items() if o.acked}

    def status_counts(self) -> Counter[int]:
        return Counter(s for o in self.outcomes.values() for s in o.statuses)

    def server_errors(self) -> int:
        return sum(n for status, n in self.status_counts().items() if status >= 500)

    def conn_errors(self) -> int:
        return sum(o.conn_errors for o in self.outcomes.values())

    def refused(self) -> int:
        """Writes never acknowledged (given up after retries, or refused with a 4xx)."""
        return sum(1 for o in self.outcomes.values() if not o.acked)


class Load:
    """Sends writes from `threads` client threads at about `rate` writes per second."""

    def __init__(self, port: int, key: str, writes: list[Write], rate: float, threads: int) -> None:
        self.port = port
        self.key = key
        self.writes = writes
        self.rate = rate
        self.threads = threads
        self.sent = 0  # writes taken by a thread so far (read by the fault thread)
        self.outcomes: dict[WriteKey, Outcome] = {}
        self._lock = threading.Lock()
        self._errors: list[BaseException] = []
        self.stop_sending = threading.Event()

    def _next(self) -> tuple[int, Write] | None:
        with self._lock:
            if self.sent >= len(self.writes) or self.stop_sending.is_set():
                return None
            index = self.sent
            self.sent += 1
            return index, self.writes[index]

    def _run(self, started: float, deadline: float) -> None:
        client = Client(self.port, self.key)
        try:
            while (taken := self._next()) is not None:
                index, write = taken
                delay = started + index / self.rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                outcome = client.send(write, deadline)
                with self._lock:
                    self.outcomes[write.key] = outcome
        except BaseException as exc:  # reported by run(), never swallowed
            self._errors.append(exc)
        finally:
            client.close()

    def run(self, timeout: float) -> LoadResult:
        started = time.monotonic()
        deadline = started + timeout
        workers = [
            threading.Thread(target=self._run, args=(started, deadline), daemon=True)
            for _ in range(self.threads)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=max(1.0, deadline - time.monotonic() + REQUEST_TIMEOUT * 2))
        if any(w.is_alive() for w in workers):
            self.stop_sending.set()
            raise RuntimeError(f"the client threads did not finish within {timeout:.0f} s")
        if self._errors:
            raise RuntimeError(f"a client thread failed: {self._errors[0]!r}")
        return LoadResult(dict(self.outcomes), started, time.monotonic())

    def progress(self) -> float:
        return self.sent / max(1, len(self.writes))
