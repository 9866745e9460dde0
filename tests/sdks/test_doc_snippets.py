"""The documentation's JavaScript, Node.js and Python examples run as written.

Only the key (`your_public_key`) and the endpoint change; the placeholders an example
assumes (`req`, `full_url`, `known_uuid`...) are defined around it.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from atrack_sdk import ATrackClient
from django.conf import settings

from tests.sdks.conftest import JS_SDK, Service, run_node
from tests.sdks.doc_snippets import JS_SNIPPETS, NODE_SNIPPETS, PYTHON_SNIPPETS

DOC_CANDIDATES = (
    Path(settings.BASE_DIR).parent / "shared" / "seed" / "a-track-documentation.txt",
    Path("/work/shared/seed/a-track-documentation.txt"),
)
LANDING = (
    "https://a-track.io/pricing?utm_source=google&utm_campaign=spring-launch"
    "&campaign_id=cmp_123&gclid=gclid_123&fbclid=fbclid_123"
)


def with_key(snippet: str, key: str) -> str:
    return snippet.replace('"your_public_key"', json.dumps(key))


def reader(service: Service) -> ATrackClient:
    return ATrackClient(
        public_key=service.public_key, endpoint=service.url, secret_key=service.secret_key
    )


def snippets_file(tmp_path: Path, snippets: dict[str, str]) -> str:
    path = tmp_path / "snippets.json"
    path.write_text(json.dumps(snippets))
    return str(path)


@pytest.mark.parametrize(
    ("language", "snippets"),
    [("js", JS_SNIPPETS), ("node", NODE_SNIPPETS), ("python", PYTHON_SNIPPETS)],
)
def test_the_copies_are_the_documentations_text(language: str, snippets: dict[str, str]) -> None:
    doc = next((path for path in DOC_CANDIDATES if path.is_file()), None)
    if doc is None:
        pytest.skip("the documentation (shared/seed) is not beside this checkout")
    text = doc.read_text()
    for name, snippet in snippets.items():
        assert snippet.strip() in text, f"{language} {name} is no longer the documentation's text"


@pytest.mark.django_db(transaction=True)
def test_python_examples(service: Service, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATRACK_ENDPOINT", service.url)
    full_url = "https://a-track.io/pricing?utm_source=newsletter#plans"
    real_life: dict[str, Any] = {
        "ATrackClient": ATrackClient,
        "full_url": full_url,
        "raw_url": "/pricing?utm_source=newsletter",
    }
    exec(with_key(PYTHON_SNIPPETS["real_life_1_init"], service.public_key), real_life)
    first_uuid = real_life["sdk"].get_user_uuid()
    exec(PYTHON_SNIPPETS["real_life_2_read_uuid"], real_life)
    exec(PYTHON_SNIPPETS["real_life_3_track"], real_life)

    read = reader(service)
    first = read.session_show(first_uuid)["data"]["session"]
    assert first["url_data"]["href"] == LANDING
    assert first["url_data"]["source_url"] == "https://partner.example.com/blog/first-touch"
    assert first["utm_data"]["utm_campaign"] == "spring-launch"
    assert set(first["click_ids"]) >= {"gclid", "fbclid", "fbc"}
    assert first["source"] == "google"

    generated = real_life["generated_uuid"]
    shown = read.session_show(generated)["data"]
    assert shown["session"]["url_data"]["href"] == full_url
    [event] = shown["events"]
    assert event["name"] == "checkout_started"
    assert event["attributes"] == {"cart_value": 129.99, "currency": "USD", "step": "payment"}

    known_uuid = str(uuid.uuid4())
    reference: dict[str, Any] = {
        "ATrackClient": ATrackClient,
        "known_uuid": known_uuid,
        "full_url": full_url,
        "raw_url": "/pricing?utm_source=newsletter",
        "referer": "https://www.bing.com/",
        "ip_address": "50.89.98.90",
        "user_agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2_1 like Mac OS X)",
    }
    exec(with_key(PYTHON_SNIPPETS["init"], service.public_key), reference)
    exec(PYTHON_SNIPPETS["set_attributes"], reference)
    exec(PYTHON_SNIPPETS["track"], reference)
    assert reference["result"]["uuid"] == known_uuid
    shown = read.session_show(known_uuid)["data"]
    assert shown["session"]["ip_address"] == "50.89.98.90"
    assert shown["session"]["referer"] == "https://www.bing.com/"
    assert shown["session"]["device_data"]["os"]["name"] == "iOS"
    assert shown["attributes"] == {
        "plan": "pro",
        "signup_step": "landing",
        "custom_flags": {"beta": True},
    }
    assert [(e["name"], e["attributes"]) for e in shown["events"]] == [
        ("checkout_started", {"cart_value": 129.99, "currency": "USD"})
    ]


@pytest.mark.django_db(transaction=True)
def test_node_examples(service: Service, node: str, tmp_path: Path) -> None:
    known_uuid = str(uuid.uuid4())
    out = run_node(
        node,
        JS_SDK / "e2e" / "node-snippets.js",
        {
            "ATRACK_ENDPOINT": service.url,
            "ATRACK_PUBLIC_KEY": service.public_key,
            "ATRACK_KNOWN_UUID": known_uuid,
            "ATRACK_SNIPPETS_FILE": snippets_file(tmp_path, NODE_SNIPPETS),
        },
    )
    read = reader(service)
    first = read.session_show(out["realLife"]["firstUuid"])["data"]["session"]
    assert first["url_data"]["path"] == "/pricing"
    assert first["utm_data"]["utm_source"] == "google"
    assert first["click_ids"]["gclid"] == "gclid_123"
    assert first["ip_address"] == "50.89.98.90"
    assert first["referer"] == "https://google.com/"
    assert first["device_data"]["is_mobile"] is True

    generated = read.session_show(out["realLife"]["generatedUuid"])["data"]
    assert [e["name"] for e in generated["events"]] == ["checkout_started"]
    assert generated["events"][0]["attributes"]["step"] == "payment"

    assert out["reference"]["resultUuid"] == known_uuid
    shown = read.session_show(known_uuid)["data"]
    assert shown["attributes"] == {"plan": "pro", "signup_step": "landing"}
    assert [(e["name"], e["attributes"]) for e in shown["events"]] == [
        ("checkout_started", {"cart_value": 129.99, "currency": "USD"})
    ]


@pytest.mark.urls("tests.sdks.urls")
@pytest.mark.django_db(transaction=True)
def test_javascript_examples_in_chromium(
    service: Service, chromium: str, node: str, tmp_path: Path
) -> None:
    port = urlsplit(service.url).port
    page_url = f"http://localhost:{port}/sdk-test/page?utm_source=newsletter"
    out = run_node(
        node,
        JS_SDK / "e2e" / "browser-snippets.js",
        {
            "ATRACK_PAGE_URL": page_url,
            "ATRACK_PUBLIC_KEY": service.public_key,
            "ATRACK_CHROMIUM": chromium,
            "ATRACK_SNIPPETS_FILE": snippets_file(tmp_path, JS_SNIPPETS),
        },
    )
    read = reader(service)

    real_life = out["realLife"]["result"]
    assert real_life["firstUuid"] == real_life["generatedUuid"] == real_life["savedUuid"]
    shown = read.session_show(real_life["generatedUuid"])["data"]
    session = shown["session"]
    assert session["url_data"]["href"] == page_url  # the last init: window.location
    assert session["first_touch"]["landing_url"] == LANDING  # the first: the ad click
    assert session["first_touch"]["click_ids"]["gclid"] == "gclid_123"
    assert session["client_attributes"]["viewportWidth"] > 0  # auto-captured
    [event] = shown["events"]
    assert event["name"] == "checkout_started"
    assert event["attributes"] == {"cart_value": 129.99, "currency": "USD", "step": "payment"}

    reference = out["reference"]
    assert reference["result"]["resultUuid"] == reference["result"]["sdkUuid"]
    assert reference["logs"] == [reference["result"]["resultUuid"]]  # console.log(result.uuid)
    shown = read.session_show(reference["result"]["resultUuid"])["data"]
    assert shown["session"]["url_data"]["source_url"] == "https://google.com/"
    assert shown["attributes"] == {
        "plan": "pro",
        "signup_step": "landing",
        "custom_flags": {"beta": True},
    }
    assert [(e["name"], e["attributes"]) for e in shown["events"]] == [
        ("checkout_started", {"cart_value": 129.99, "currency": "USD"})
    ]
