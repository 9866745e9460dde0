"""Client hints correct what Chrome's reduced user agent hides."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from enrichment.client_hints import from_client, from_headers, from_meta, os_version
from enrichment.device import parse_device
from projects.services import CreatedProject
from sessions_app.models import Session

WINDOWS_CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36"
)
FULL_LIST = (
    '"Chromium";v="124.0.6367.207", "Google Chrome";v="124.0.6367.207", "Not-A.Brand";v="99.0.0.0"'
)
WINDOWS_11_HEADERS = {
    "Sec-CH-UA": '"Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99"',
    "Sec-CH-UA-Mobile": "?0",
    "Sec-CH-UA-Platform": '"Windows"',
    "Sec-CH-UA-Platform-Version": '"15.0.0"',
    "Sec-CH-UA-Full-Version-List": FULL_LIST,
}
PIXEL_DATA = {
    "brands": [{"brand": "Google Chrome", "version": "124"}],
    "mobile": True,
    "platform": "Android",
    "platformVersion": "14.0.0",
    "model": "Pixel 8",
    "fullVersionList": [{"brand": "Google Chrome", "version": "124.0.6367.179"}],
}


@pytest.mark.parametrize(
    ("platform", "version", "expected"),
    [
        ("Windows", "15.0.0", "11"),
        ("Windows", "13.0.0", "11"),
        ("Windows", "10.0.0", "10"),
        ("Windows", "0.3.0", "8.1"),
        ("Android", "14.0.0", "14"),
        ("Mac OS X", "14.4.1", "14.4"),
        ("Windows", "x", None),
    ],
)
def test_platform_versions_name_the_os_release(platform, version, expected):
    assert os_version(platform, version) == expected


def test_header_hints_turn_windows_10_into_11_with_the_full_chrome_version():
    data = parse_device(WINDOWS_CHROME, hints=from_client({"clientHints": WINDOWS_11_HEADERS}))
    assert data["os"] == {"name": "Windows", "version": "11"}
    assert data["client"]["name"] == "Chrome"
    assert data["client"]["version"] == "124.0.6367.207"
    assert data["device_class"] == "desktop"


def test_sdk_hints_give_the_real_android_model_and_version():
    data = parse_device(ANDROID_CHROME, hints=from_client({"userAgentData": PIXEL_DATA}))
    assert data["os"] == {"name": "Android", "version": "14"}
    assert (data["brand"], data["model"]) == ("Google", "Pixel 8")
    assert data["client"]["version"] == "124.0.6367.179"
    assert data["device_class"] == "mobile"


def test_without_hints_the_reduced_ua_says_what_it_says():
    data = parse_device(ANDROID_CHROME)
    assert data["os"]["version"] == "10"
    assert data["model"] in (None, "K")


def test_garbage_hints_are_ignored():
    assert from_client({"userAgentData": {"brands": "x", "mobile": "yes"}}) is None
    data = parse_device(WINDOWS_CHROME, hints=from_client({"clientHints": {"Sec-CH-UA": 5}}))
    assert data["os"]["name"] == "Windows"


def test_header_names_are_matched_in_any_case_and_from_the_environ():
    assert from_headers({"sec-ch-ua-model": '"Pixel 8"'}) == {"model": '"Pixel 8"'}
    meta = {"HTTP_SEC_CH_UA_PLATFORM": '"Android"', "HTTP_USER_AGENT": "x"}
    assert from_meta(meta) == {"sec-ch-ua-platform": '"Android"'}


@pytest.mark.django_db(databases="__all__")
def test_an_init_takes_client_hints_from_its_request_headers(
    client: Client, project: CreatedProject
) -> None:
    headers: dict[str, Any] = {
        "HTTP_" + k.upper().replace("-", "_"): v for k, v in WINDOWS_11_HEADERS.items()
    }
    uuid = "d19412c6-6a91-4e18-890d-e2269a0d1249"
    response = client.post(
        "/init", data={"uuid": uuid, "context": {}}, content_type="application/json",
        HTTP_X_A_TRACK_KEY=project.public_key, HTTP_USER_AGENT=WINDOWS_CHROME, **headers,
    )  # fmt: skip
    assert response.status_code in (200, 201)
    session = Session.objects.for_project(project.project).get(uuid=uuid)
    assert session.device_data["os"] == {"name": "Windows", "version": "11"}
    assert "clientHints" not in session.client_attributes


@pytest.mark.django_db(databases="__all__")
def test_an_init_refuses_client_hints_that_are_not_objects(
    client: Client, project: CreatedProject
) -> None:
    for name, value in (("userAgentData", "Android"), ("clientHints", {"a": 1})):
        body = {
            "uuid": "e19412c6-6a91-4e18-890d-e2269a0d1249",
            "context": {"client": {name: value}},
        }
        response = client.post(
            "/init",
            data=body,
            content_type="application/json",
            HTTP_X_A_TRACK_KEY=project.public_key,
        )
        assert response.status_code == 400
        assert f"context.client.{name}" in response.json()["error"]["fields"]
