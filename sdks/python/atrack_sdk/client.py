"""`ATrackClient`: the A-TRACK HTTP API with retries, typed errors and optional batching."""

from __future__ import annotations

import atexit
import email.utils
import http.client
import json
import logging
import os
import queue
import random
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid as uuid_lib
import weakref
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from atrack_sdk.errors import (
    APIError,
    ATrackError,
    QueueFullError,
    RequestTimeoutError,
    TransportError,
    error_for,
)

__all__ = ["ATrackClient"]

logger = logging.getLogger("atrack_sdk")

VERSION = "0.1.0"
USER_AGENT = f"atrack-sdk-python/{VERSION}"
MAX_BATCH_ITEMS = 100
MAX_BATCH_BYTES = 500 * 1024  # the service takes 512 KiB per /batch
RETRYABLE_STATUSES = frozenset({408, 429}) | frozenset(range(500, 600))

JsonObject = dict[str, Any]
ErrorCallback = Callable[[ATrackError, JsonObject], None]


def _now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: delta seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return max(0.0, (moment - datetime.now(timezone.utc)).total_seconds())


class ATrackClient:
    """A client of one A-TRACK project.

    `public_key` writes (init, attributes, events); `secret_key` also reads and erases.
    `endpoint` is the service's base URL (default: `$ATRACK_ENDPOINT`).

    Each call is retried on network errors, timeouts, 408, 429 (honouring `Retry-After`)
    and 5xx, with exponential back-off and jitter, then raises a typed `ATrackError`.
    With `batching=True` the writes are queued in memory and sent through `/batch` by a
    background thread; `flush()` waits for them and `close()` (also run at exit) drains
    the queue.
    """

    def __init__(
        self,
        public_key: str | None = None,
        endpoint: str | None = None,
        secret_key: str | None = None,
        *,
        timeout: float = 10.0,
        max_retries: int = 3,
        backoff_factor: float = 0.5,
        backoff_max: float = 30.0,
        max_retry_after: float = 300.0,
        synchronous: bool = False,
        uuid: str | None = None,
        batching: bool = False,
        batch_size: int = 50,
        flush_interval: float = 0.5,
        max_queue_size: int = 10_000,
        shutdown_timeout: float = 10.0,
        on_error: ErrorCallback | None = None,
        user_agent: str = USER_AGENT,
    ) -> None:
        endpoint = endpoint or os.environ.get("ATRACK_ENDPOINT")
        if not endpoint:
            raise ValueError("endpoint is required (or set ATRACK_ENDPOINT): the A-TRACK base URL")
        if not public_key and not secret_key:
            raise ValueError("public_key (or secret_key) is required")
        parts = urllib.parse.urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"endpoint must be an http(s) URL, not {endpoint!r}")
        self.endpoint = endpoint.rstrip("/")
        self.public_key = public_key
        self.secret_key = secret_key
        self.timeout = timeout
        self.max_retries = max(0, max_retries)
        self.backoff_factor = backoff_factor
        self.backoff_max = backoff_max
        self.max_retry_after = max_retry_after
        self.synchronous = synchronous
        self.user_agent = user_agent
        self.on_error = on_error
        self._uuid = uuid.lower() if uuid else None
        self._sleep: Callable[[float], None] = time.sleep
        self._opener = urllib.request.build_opener()
        self.batching = batching
        self.batch_size = min(MAX_BATCH_ITEMS, max(1, batch_size))
        self.flush_interval = flush_interval
        self.shutdown_timeout = shutdown_timeout
        self._queue: queue.Queue[JsonObject] = queue.Queue(maxsize=max_queue_size)
        self._closed = False
        self._stop = threading.Event()
        self._worker: threading.Thread | None = None
        if batching:
            self._worker = threading.Thread(
                target=self._run_worker, name="atrack-sdk-batcher", daemon=True
            )
            self._worker.start()
            ref = weakref.ref(self)
            atexit.register(_close_at_exit, ref)

    # ------------------------------------------------------------------ identity

    def get_user_uuid(self) -> str | None:
        """The UUID of the last `init` (or the `uuid` option), used when a call names none."""
        return self._uuid

    def set_user_uuid(self, uuid: str | None) -> None:
        self._uuid = uuid.lower() if uuid else None

    # ------------------------------------------------------------------ writes

    def init(self, payload: Mapping[str, Any] | None = None, **fields: Any) -> JsonObject:
        """POST /init: create or continue a session.

        Without a `uuid` one is generated here (so that a retried init stays one
        session); it is the UUID the answer returns and `get_user_uuid()` gives.
        """
        body = {**(payload or {}), **fields}
        if not body.get("uuid"):
            body["uuid"] = str(uuid_lib.uuid4())
        self._uuid = str(body["uuid"]).lower()
        result = self._write("init", body)
        if isinstance(result.get("uuid"), str):
            self._uuid = result["uuid"]
        return result

    def set_attributes(
        self, attributes: Mapping[str, Any], replace: bool = False, uuid: str | None = None
    ) -> JsonObject:
        """POST /attributes: merge (or with `replace=True`, replace) the session's attributes."""
        body = {"uuid": uuid or self._uuid, "attributes": dict(attributes), "replace": replace}
        return self._write("attributes", body)

    def track(
        self,
        payload: Mapping[str, Any] | str,
        attributes: Mapping[str, Any] | None = None,
        uuid: str | None = None,
    ) -> JsonObject:
        """POST /event: `track({"uuid", "event", "attributes"...})` or `track(event, attrs, uuid)`.

        Adds an event `id` (the service stores one event per id, so retries never
        duplicate), the client's `timestamp` and, at each attempt, `sent_at`.
        """
        if isinstance(payload, str):
            body: JsonObject = {"event": payload}
            if attributes is not None:
                body["attributes"] = dict(attributes)
            if uuid:
                body["uuid"] = uuid
        else:
            body = dict(payload)
        if not body.get("uuid"):
            body["uuid"] = self._uuid
        body.setdefault("timestamp", _now_iso())
        if body.get("id") is None:
            body["id"] = uuid_lib.uuid4().hex
        return self._write("event", body)

    def batch(self, items: Sequence[Mapping[str, Any]]) -> JsonObject:
        """POST /batch with items `{"type": "init"|"attributes"|"event", ...}` (at most 100)."""
        entries = [dict(item) for item in items]
        body: JsonObject = {"batch": entries}
        if self.synchronous:
            body["synchronous"] = True

        def fresh() -> JsonObject:
            for entry in entries:
                if entry.get("type") == "event":
                    entry["sent_at"] = _now_iso()
            return body

        return self._post("/batch", fresh, self._write_key())

    # ------------------------------------------------------------------ reads

    def session_show(
        self,
        uuid: str | None = None,
        *,
        events_limit: int | None = None,
        sort: str | None = None,
    ) -> JsonObject:
        """POST /session/show (secret key): the enriched session with attributes and events."""
        body = {"uuid": uuid or self._uuid, "events_limit": events_limit, "sort": sort}
        return self._read("/session/show", body)

    def event_show(
        self,
        name: str,
        *,
        page: int | None = None,
        per_page: int | None = None,
        sort: str | None = None,
        uuid: str | None = None,
        from_: str | None = None,
        to: str | None = None,
    ) -> JsonObject:
        """POST /event/show (secret key): one page of the events called `name`."""
        body = {
            "name": name,
            "page": page,
            "per_page": per_page,
            "sort": sort,
            "uuid": uuid,
            "from": from_,
            "to": to,
        }
        return self._read("/event/show", body)

    def delete_session(self, uuid: str | None = None) -> JsonObject:
        """POST /session/delete (secret key): erase a session, its attributes and events."""
        return self._read("/session/delete", {"uuid": uuid or self._uuid})

    # ------------------------------------------------------------------ batching

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every queued write was sent (or given up); False on timeout."""
        if not self.batching:
            return True
        deadline = None if timeout is None else time.monotonic() + timeout
        condition = self._queue.all_tasks_done
        with condition:
            while self._queue.unfinished_tasks:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                condition.wait(remaining if remaining is not None else 0.5)
        return True

    def close(self, timeout: float | None = None) -> None:
        """Send what is queued (waiting at most `timeout`, default `shutdown_timeout`), stop."""
        if self._closed:
            return
        self._closed = True
        if self._worker is not None:
            self.flush(self.shutdown_timeout if timeout is None else timeout)
            self._stop.set()
            self._worker.join(timeout=1.0)

    def __enter__(self) -> ATrackClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def pending(self) -> int:
        """Writes waiting in the background queue."""
        return self._queue.unfinished_tasks

    # ------------------------------------------------------------------ internals

    def _write_key(self) -> str:
        key = self.public_key or self.secret_key
        assert key is not None
        return key

    def _read_key(self) -> str:
        key = self.secret_key or self.public_key
        assert key is not None
        return key

    def _write(self, kind: str, body: JsonObject) -> JsonObject:
        if self.synchronous:
            body.setdefault("synchronous", True)
        if self.batching:
            return self._enqueue(kind, body)

        def fresh() -> JsonObject:
            if kind == "event":
                body["sent_at"] = _now_iso()  # lets the service correct clock skew
            return body

        return self._post(f"/{kind}", fresh, self._write_key())

    def _read(self, path: str, body: JsonObject) -> JsonObject:
        clean = {k: v for k, v in body.items() if v is not None}
        return self._post(path, lambda: clean, self._read_key())

    def _enqueue(self, kind: str, body: JsonObject) -> JsonObject:
        if self._closed:
            raise ATrackError("the client is closed")
        item = {"type": kind, **body}
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            error = QueueFullError("A-TRACK queue is full; the write was dropped.")
            self._report(error, item)
            return {"success": False, "uuid": body.get("uuid"), "queued": False}
        return {"success": True, "uuid": body.get("uuid"), "queued": True}

    def _report(self, error: ATrackError, item: JsonObject) -> None:
        logger.warning("A-TRACK write failed: %r (item %s)", error, item.get("type"))
        if self.on_error is not None:
            try:
                self.on_error(error, item)
            except Exception:
                logger.exception("A-TRACK on_error callback failed")

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return float(min(self.max_retry_after, retry_after))
        ceiling = min(self.backoff_max, self.backoff_factor * 2.0 ** (attempt - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)

    def _post(self, path: str, body_for: Callable[[], JsonObject], key: str) -> JsonObject:
        """POST with retries; the decoded answer, or a typed error."""
        attempt = 0
        while True:
            attempt += 1
            try:
                status, data, retry_after = self._send(path, body_for(), key)
            except TransportError:
                if attempt > self.max_retries:
                    raise
                self._sleep(self._delay(attempt, None))
                continue
            if 200 <= status < 300:
                return data if isinstance(data, dict) else {"success": True}
            error = error_for(status, data, retry_after)
            if status not in RETRYABLE_STATUSES or attempt > self.max_retries:
                raise error
            self._sleep(self._delay(attempt, retry_after))

    def _send(self, path: str, body: JsonObject, key: str) -> tuple[int, Any, float | None]:
        """One HTTP attempt: (status, decoded body, Retry-After) or a TransportError."""
        request = urllib.request.Request(
            self.endpoint + path,
            data=json.dumps(body, separators=(",", ":"), default=str).encode(),
            method="POST",
            headers={
                "content-type": "application/json",
                "accept": "application/json",
                "x-a-track-key": key,
                "user-agent": self.user_agent,
            },
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                status = response.status
                raw = response.read()
                header = response.headers.get("Retry-After")
        except urllib.error.HTTPError as exc:
            status = exc.code
            try:
                raw = exc.read()
            except (OSError, http.client.HTTPException):
                raw = b""
            header = exc.headers.get("Retry-After") if exc.headers else None
            exc.close()
        except (TimeoutError, socket.timeout) as exc:
            raise RequestTimeoutError(f"A-TRACK did not answer within {self.timeout}s") from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, (TimeoutError, socket.timeout)):
                raise RequestTimeoutError(f"A-TRACK did not answer within {self.timeout}s") from exc
            raise TransportError(f"A-TRACK request failed: {exc.reason}") from exc
        except (OSError, http.client.HTTPException) as exc:
            raise TransportError(f"A-TRACK request failed: {exc}") from exc
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            data = None
        return status, data, _retry_after(header)

    # ------------------------------------------------------------------ background worker

    def _run_worker(self) -> None:
        while not self._stop.is_set():
            try:
                first = self._queue.get(timeout=0.2)
            except queue.Empty:
                continue
            items = [first]
            size = len(json.dumps(first, default=str))
            deadline = time.monotonic() + self.flush_interval
            while len(items) < self.batch_size:
                remaining = deadline - time.monotonic()
                try:
                    item = self._queue.get(timeout=max(0.001, remaining))
                except queue.Empty:
                    break
                items.append(item)
                size += len(json.dumps(item, default=str))
                if size > MAX_BATCH_BYTES * 0.8:
                    break
            try:
                self._deliver(items)
            except Exception:  # never let the worker die
                logger.exception("A-TRACK batch delivery failed")
            finally:
                for _ in items:
                    self._queue.task_done()

    def _deliver(self, items: list[JsonObject]) -> None:
        try:
            answer = self.batch(items)
        except APIError as error:
            if error.status == 413 and len(items) > 1:
                half = len(items) // 2
                self._deliver(items[:half])
                self._deliver(items[half:])
                return
            for item in items:
                self._report(error, item)
            return
        except ATrackError as error:
            for item in items:
                self._report(error, item)
            return
        results = answer.get("results") or []
        for item, result in zip(items, results):
            if isinstance(result, dict) and not result.get("success", False):
                self._report(error_for(400, result), item)


def _close_at_exit(ref: weakref.ReferenceType[ATrackClient]) -> None:
    client = ref()
    if client is not None:
        client.close()
