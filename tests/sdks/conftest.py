"""Fixtures of the SDK tests: the Python SDK on the path, a live service, node and Chromium."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from projects.services import CreatedProject, project_create
from tests.conftest import require

SDKS = Path(settings.BASE_DIR) / "sdks"
JS_SDK = SDKS / "js"
PYTHON_SDK = SDKS / "python"
CHROMIUM = os.environ.get("ATRACK_CHROMIUM", "/usr/bin/chromium")

# The Python SDK is tested from its source tree: no install step needed. pytest loads
# this conftest before the test modules, so they simply `import atrack_sdk`.
if str(PYTHON_SDK) not in sys.path:
    sys.path.insert(0, str(PYTHON_SDK))


@dataclass
class Service:
    """A live A-TRACK service and a project on it."""

    url: str
    public_key: str
    secret_key: str
    project: CreatedProject


@pytest.fixture
def service(live_server: Any, transactional_db: None) -> Service:
    created = project_create(name="SDK Shop")
    return Service(
        url=live_server.url,
        public_key=created.public_key,
        secret_key=created.secret_key,
        project=created,
    )


@pytest.fixture
def node() -> str:
    found = shutil.which("node")
    require(found is not None, "needs Node.js (node) for the JavaScript SDK")
    assert found is not None
    return found


@pytest.fixture
def chromium(node: str) -> str:
    require(Path(CHROMIUM).exists(), f"needs Debian's chromium at {CHROMIUM}")
    require(
        (JS_SDK / "node_modules" / "playwright-core").is_dir(),
        "needs playwright-core: run `npm ci` in sdks/js",
    )
    return CHROMIUM


def run_node(
    node: str, script: Path, env: dict[str, str], *, timeout: float = 120
) -> dict[str, Any]:
    """Run a Node script of sdks/js/e2e; it prints one JSON object as its last line."""
    completed = subprocess.run(
        [node, str(script)],
        cwd=JS_SDK,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if completed.returncode != 0:
        pytest.fail(
            f"{script.name} failed ({completed.returncode}):\n"
            f"--- stdout\n{completed.stdout[-4000:]}\n--- stderr\n{completed.stderr[-6000:]}"
        )
    lines = [line for line in completed.stdout.splitlines() if line.strip()]
    result: dict[str, Any] = json.loads(lines[-1])
    return result
