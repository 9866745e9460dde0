"""The dashboard in a real browser: Debian's headless chromium, driven by playwright-core.

Skips locally when node, chromium or tests/browser/node_modules are missing (`require`
fails instead in CI). Screenshots go to artifacts/ at the repository root.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse

from projects.services import project_create
from sessions_app.models import Session
from tests.conftest import require

HERE = Path(__file__).resolve().parent
ARTIFACTS = Path(settings.BASE_DIR) / "artifacts"
SESSIONS, EVENTS = 60, 400

pytestmark = pytest.mark.browser


def find_chromium() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")  # fmt: skip


def _run(config: dict[str, object]) -> dict[str, dict]:
    result = subprocess.run(
        ["node", str(HERE / "dashboard.mjs")],
        env={**os.environ, "ATRACK_BROWSER_CONFIG": json.dumps(config)},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.django_db(transaction=True)
def test_a_person_reads_the_overview_and_a_session_in_chromium(live_server) -> None:
    require(shutil.which("node") is not None, "needs node (Debian: apt-get install nodejs npm)")
    chromium = find_chromium()
    require(chromium is not None, "needs Debian's chromium (apt-get install chromium)")
    require((HERE / "node_modules" / "playwright-core").is_dir(), "needs `npm ci` in tests/browser")

    project = project_create(name="Demo", slug="demo").project
    # Spread over 20 days, so everything falls in the overview's 30-day window.
    call_command(
        "seeddemo", project="demo", sessions=SESSIONS, events=EVENTS, days=20, stdout=io.StringIO()
    )
    User.objects.create_superuser("admin", password="browser-test-password")
    sessions = Session.objects.for_project(project)
    busiest = sessions.annotate(n=Count("events")).order_by("-n", "id").first()
    assert busiest is not None

    shown = _run(
        {
            "baseUrl": live_server.url,
            "username": "admin",
            "password": "browser-test-password",
            "overviewUrl": reverse("admin:sessions_app_session_overview", args=("demo",)),
            "sessionsUrl": reverse("admin:sessions_app_session_project", args=("demo",)),
            "sessionUuid": str(busiest.uuid),
            "chromium": chromium,
            "artifacts": str(ARTIFACTS),
        }
    )

    assert shown["errors"] == []
    assert shown["overview"] == {
        "sessions": SESSIONS,
        "events": EVENTS,
        "bots": sessions.filter(is_bot=True).count(),
        "charts": 8,
        "columns": 30,
    }
    assert shown["session"] == {
        "listed": 1,
        "uuid": str(busiest.uuid),
        "source": busiest.source or "—",
        "channel": busiest.channel or "—",
        "events": busiest.n,
        "timelineRows": min(busiest.n, 500),
    }
    for name in ("overview", "sessions", "session"):
        assert (ARTIFACTS / f"dashboard-{name}.png").stat().st_size > 10_000
