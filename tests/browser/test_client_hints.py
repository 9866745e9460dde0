"""Client hints end to end: Chromium emulating a Pixel 8 → browser SDK → session page."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from projects.services import project_create
from sessions_app.models import Session
from tests.browser.test_dashboard import ARTIFACTS, HERE, find_chromium
from tests.conftest import require

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_the_sdk_sends_client_hints_and_the_session_page_shows_what_they_carried(
    live_server,
) -> None:
    require(shutil.which("node") is not None, "needs node (Debian: apt-get install nodejs npm)")
    chromium = find_chromium()
    require(chromium is not None, "needs Debian's chromium (apt-get install chromium)")
    require((HERE / "node_modules" / "playwright-core").is_dir(), "needs `npm ci` in tests/browser")
    created = project_create(name="Hints", slug="hints", allowed_origins=[live_server.url])
    User.objects.create_superuser("admin", password="browser-test-password")
    config = {
        "baseUrl": live_server.url,
        "publicKey": created.public_key,
        "username": "admin",
        "password": "browser-test-password",
        "sessionsUrl": reverse("admin:sessions_app_session_project", args=("hints",)),
        "chromium": chromium,
        "artifacts": str(ARTIFACTS),
    }
    result = subprocess.run(
        ["node", str(HERE / "client_hints.mjs")],
        env={**os.environ, "ATRACK_BROWSER_CONFIG": json.dumps(config)},
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-4000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])

    assert out["errors"] == []
    assert out["sent"]["model"] == "Pixel 8"
    assert out["sent"]["platformVersion"] == "14.0.0"
    session = Session.objects.for_project(created.project).get(uuid=out["uuid"])
    assert session.device_data["os"] == {"name": "Android", "version": "14"}
    assert session.device_data["model"] == "Pixel 8"
    assert out["shown"]["os"] == "Android 14"
    assert "Pixel 8" in out["shown"]["model"]
    assert out["shown"]["browser"] == "Chrome Mobile 124.0.6367.179"
    assert out["shown"]["device"] == "mobile"
