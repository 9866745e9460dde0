from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from projects import keys
from projects.models import Project
from projects.selectors import key_cache, key_lookup
from projects.services import key_rotate, project_create

DEMO_SLUG = "demo"


def _keys_file() -> Path:
    return Path(settings.VAR_DIR) / "demo-keys.json"


def _load_saved() -> dict[str, str]:
    try:
        saved = json.loads(_keys_file().read_text())
    except (OSError, ValueError):
        return {}
    return saved if isinstance(saved, dict) else {}


def _save(saved: dict[str, str]) -> None:
    path = _keys_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(saved, indent=2))
    os.chmod(path, 0o600)


def _usable(raw: str | None, kind: str) -> bool:
    key_cache.clear()
    info = key_lookup(raw=raw or "")
    return (
        info is not None and info.is_active and info.kind == kind and info.project.slug == DEMO_SLUG
    )


class Command(BaseCommand):
    help = "Make sure the demo project exists and print its keys (kept in var/demo-keys.json)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        saved = _ensure_keys()
        base = options["base_url"]
        self.stdout.write(f"Demo project: {DEMO_SLUG}")
        self.stdout.write(f"Public key:  {saved['public_key']}")
        self.stdout.write(f"Secret key:  {saved['secret_key']}")
        self.stdout.write("Try it:")
        body = '{"context":{"url":{"href":"https://shop.example/?utm_source=google&gclid=abc"}}}'
        self.stdout.write(
            f"  curl -s -X POST {base}/init -H 'x-a-track-key: {saved['public_key']}' "
            f"-H 'content-type: application/json' -d '{body}'"
        )


def _ensure_keys() -> dict[str, str]:
    """The demo project's keys: the saved ones while they work, new ones otherwise."""
    saved = _load_saved()
    project = Project.objects.filter(slug=DEMO_SLUG).first()
    if project is None:
        created = project_create(name="Demo", slug=DEMO_SLUG)
        saved = {"public_key": created.public_key, "secret_key": created.secret_key}
        _save(saved)
        return saved
    for kind in keys.KINDS:
        name = f"{kind}_key"
        if not _usable(saved.get(name), kind):
            _, saved[name] = key_rotate(project=project, kind=kind, grace=timedelta(0))
            _save(saved)
    return saved
