"""The Python SDK against a live service: writes, reads, errors, rate limits, batching."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
import uuid
from datetime import UTC, datetime, timedelta
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from atrack_sdk import (
    ATrackClient,
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ValidationError,
)

from tests.sdks.conftest import PYTHON_SDK, Service

pytestmark = pytest.mark.django_db(transaction=True)


def client(service: Service, **options: Any) -> ATrackClient:
    return ATrackClient(
        public_key=service.public_key,
        endpoint=service.url,
        secret_key=service.secret_key,
        **options,
    )


def test_init_creates_a_session_whose_context_is_read_back(service: Service) -> None:
    sdk = client(service)
    result = sdk.init(
        {
            "context": {
                "url": {
                    "href": "https://shop.example/pricing?utm_source=google&gclid=g_1#plans",
                    "referer": "https://www.google.com/",
                },
                "client": {"ipAddress": "50.89.98.90", "locale": "en-US", "screenWidth": 1179},
                "user": {"attributes": {"plan": "free"}},
            },
            "custom_data": {"landing_variant": "v2"},
        }
    )
    assert result["success"] is True
    assert result["queued"] is False
    assert sdk.get_user_uuid() == result["uuid"]
    session = sdk.session_show()["data"]["session"]
    assert session["uuid"] == result["uuid"]
    assert session["url_data"]["path"] == "/pricing"
    assert session["utm_data"] == {"utm_source": "google"}
    assert session["click_ids"]["gclid"] == "g_1"
    assert session["ip_address"] == "50.89.98.90"
    assert session["client_attributes"] == {"locale": "en-US", "screenWidth": 1179}
    assert session["user_attributes"] == {"plan": "free"}
    assert session["custom_data"] == {"landing_variant": "v2"}


def test_a_known_uuid_is_continued_in_any_case(service: Service) -> None:
    known = str(uuid.uuid4())
    sdk = client(service)
    assert sdk.init({"uuid": known.upper()})["uuid"] == known
    assert sdk.init(uuid=known)["uuid"] == known
    assert sdk.session_show(known)["data"]["session"]["uuid"] == known


def test_attributes_merge_then_replace(service: Service) -> None:
    sdk = client(service)
    sdk.init()
    sdk.set_attributes({"plan": "pro", "flags": {"beta": True}})
    sdk.set_attributes({"crm_id": "lead_1"})
    assert sdk.session_show()["data"]["attributes"] == {
        "plan": "pro",
        "flags": {"beta": True},
        "crm_id": "lead_1",
    }
    sdk.set_attributes({"plan": "team"}, replace=True)
    assert sdk.session_show()["data"]["attributes"] == {"plan": "team"}


def test_track_shapes_and_the_uuid_override(service: Service) -> None:
    sdk = client(service)
    mine = sdk.init()["uuid"]
    other = str(uuid.uuid4())
    sdk.track({"event": "checkout_started", "attributes": {"cart_value": 129.99}})
    sdk.track("signup", {"plan": "pro"})
    sdk.track({"event": "elsewhere", "uuid": other})
    names = [e["name"] for e in sdk.session_show(mine, sort="asc")["data"]["events"]]
    assert names == ["checkout_started", "signup"]
    assert [e["name"] for e in sdk.session_show(other)["data"]["events"]] == ["elsewhere"]


def test_an_event_id_is_stored_once(service: Service) -> None:
    sdk = client(service)
    sdk.init()
    sdk.track({"event": "purchase", "id": "order-1001"})
    sdk.track({"event": "purchase", "id": "order-1001"})
    assert sdk.event_show("purchase")["meta"]["total"] == 1


def test_sent_at_corrects_a_device_clock_that_is_two_days_ahead(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    import atrack_sdk.client as sdk_client

    ahead = timedelta(days=2)
    monkeypatch.setattr(
        sdk_client,
        "_now_iso",
        lambda: (datetime.now(UTC) + ahead).isoformat().replace("+00:00", "Z"),
    )
    sdk = client(service)
    sdk.init()
    before = datetime.now(UTC)
    sdk.track({"event": "skewed"})
    occurred = sdk.session_show()["data"]["events"][0]["occurred_at"]
    moment = datetime.fromisoformat(occurred.replace("Z", "+00:00"))
    assert before - timedelta(seconds=5) <= moment <= datetime.now(UTC) + timedelta(seconds=1)


def test_event_show_pages_and_delete_session(service: Service) -> None:
    sdk = client(service)
    sdk.init()
    for n in range(5):
        sdk.track({"event": "page_view", "attributes": {"n": n}})
    page = sdk.event_show("page_view", per_page=2, page=2, sort="asc")
    assert page["meta"]["total"] == 5
    assert page["meta"]["last_page"] == 3
    assert [e["attributes"]["n"] for e in page["data"]] == [2, 3]
    assert sdk.delete_session()["success"] is True
    with pytest.raises(NotFoundError) as caught:
        sdk.session_show()
    assert caught.value.status == 404


def test_typed_errors(service: Service) -> None:
    with pytest.raises(AuthenticationError) as bad_key:
        ATrackClient(public_key="atk_pub_nope", endpoint=service.url).init()
    assert bad_key.value.code == "invalid_key"

    public_only = ATrackClient(public_key=service.public_key, endpoint=service.url)
    uuid_ = public_only.init()["uuid"]
    with pytest.raises(PermissionDeniedError) as no_reads:
        public_only.session_show(uuid_)
    assert no_reads.value.code == "read_not_allowed"

    with pytest.raises(ValidationError) as invalid:
        public_only.track({"event": "", "uuid": "not-a-uuid"})
    assert invalid.value.status == 400
    assert set(invalid.value.fields) in ({"event"}, {"uuid"})  # the first invalid field

    fresh = ATrackClient(public_key=service.public_key, endpoint=service.url)
    with pytest.raises(ValidationError) as no_uuid:
        fresh.set_attributes({"plan": "pro"})  # no init, no uuid: the service says which field
    assert "uuid" in no_uuid.value.fields


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    """The wall clock standing still: the rate limit's windows are its seconds, so every
    request falls in one window until the test moves the clock on."""
    with time_machine.travel(datetime.now(UTC), tick=False) as traveller:
        yield traveller


def test_429_is_retried_after_retry_after(
    service: Service, settings: Any, clock: time_machine.Traveller
) -> None:
    settings.RATE_LIMIT_PER_SECOND = 2
    slept: list[float] = []
    sdk = client(service, max_retries=3)

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.shift(seconds)

    sdk._sleep = sleep
    uuid_ = str(uuid.uuid4())
    for n in range(5):
        sdk.track({"event": "burst", "uuid": uuid_, "attributes": {"n": n}})
    assert slept, "the rate limit was never hit"
    assert all(s >= 1 for s in slept)  # Retry-After: 1
    settings.RATE_LIMIT_PER_SECOND = 1000
    assert sdk.event_show("burst")["meta"]["total"] == 5

    settings.RATE_LIMIT_PER_SECOND = 1
    impatient = client(service, max_retries=0)
    outcomes = []
    for _ in range(3):
        try:
            outcomes.append(impatient.track({"event": "burst", "uuid": uuid_}))
        except RateLimitError as error:
            limited = error
            break
    else:
        pytest.fail(f"three requests in a second passed a limit of one: {outcomes}")
    assert limited.retry_after == 1
    assert limited.code == "rate_limited"


def test_background_batching_sends_through_batch(service: Service) -> None:
    failures: list[Any] = []
    sdk = client(
        service,
        batching=True,
        batch_size=40,
        flush_interval=0.05,
        on_error=lambda error, item: failures.append((error, item)),
    )
    result = sdk.init({"context": {"client": {"locale": "fr-FR"}}})
    assert result["queued"] is True  # queued locally; the uuid is known at once
    for n in range(120):
        sdk.track({"event": "batched", "attributes": {"n": n}})
    sdk.track({"event": ""})  # refused by the service: reported, not raised
    assert sdk.flush(timeout=30)
    sdk.close()
    assert sdk.event_show("batched", per_page=500)["meta"]["total"] == 120
    show = sdk.session_show(result["uuid"])["data"]["session"]
    assert show["client_attributes"] == {"locale": "fr-FR"}
    assert len(failures) == 1
    error, item = failures[0]
    assert isinstance(error, ValidationError)
    assert "event" in error.fields
    assert item["type"] == "event"


def test_queued_writes_are_flushed_when_the_process_exits(service: Service) -> None:
    script = textwrap.dedent(
        f"""
        from atrack_sdk import ATrackClient
        sdk = ATrackClient(public_key={service.public_key!r}, endpoint={service.url!r},
                           batching=True, flush_interval=5.0)
        sdk.init({{"uuid": "6f1c8a52-9b0e-4d7a-8f3e-2a1b0c9d8e7f"}})
        for n in range(30):
            sdk.track({{"event": "at_exit", "attributes": {{"n": n}}}})
        print("pending", sdk.pending)
        """
    )
    completed = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "PYTHONPATH": str(PYTHON_SDK)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "pending" in completed.stdout
    reader = client(service)
    assert reader.event_show("at_exit", per_page=100)["meta"]["total"] == 30
