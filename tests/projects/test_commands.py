"""The projects' manage.py commands."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from projects import keys
from projects.models import ApiKey, Project
from projects.selectors import key_cache, key_lookup

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_createproject_json_prints_exactly_the_project_and_both_keys() -> None:
    body = json.loads(
        run("createproject", "Acme Shop", "--origin", "https://acme.example", "--json")
    )
    assert set(body) == {"project", "public_key", "secret_key"}
    project = Project.objects.get(slug=body["project"])
    assert project.allowed_origins == ["https://acme.example"]
    public, secret = key_lookup(raw=body["public_key"]), key_lookup(raw=body["secret_key"])
    assert public is not None
    assert public.kind == keys.PUBLIC
    assert secret is not None
    assert secret.kind == keys.SECRET


def test_createproject_refuses_an_unknown_database_alias() -> None:
    with pytest.raises(CommandError, match="Unknown database alias"):
        run("createproject", "X", "--database", "nowhere")
    assert not Project.objects.exists()


def test_rotatekey_gives_a_new_key_and_a_grace_period_to_the_old() -> None:
    created = json.loads(run("createproject", "Acme", "--json"))
    body = json.loads(
        run("rotatekey", created["project"], "--kind", "secret", "--grace-hours", "2", "--json")
    )
    assert key_lookup(raw=body["key"]) is not None
    old = ApiKey.objects.get(prefix=keys.prefix_of(created["secret_key"]))
    assert old.expires_at is not None
    assert old.is_active()


def test_rotatekey_on_an_unknown_project_is_an_error() -> None:
    with pytest.raises(CommandError, match="No project"):
        run("rotatekey", "nope", "--kind", "public")


def test_revokekey_by_prefix() -> None:
    created = json.loads(run("createproject", "Acme", "--json"))
    prefix = keys.prefix_of(created["public_key"])
    assert "Revoked" in run("revokekey", prefix)
    key_cache.clear()
    info = key_lookup(raw=created["public_key"])
    assert info is not None
    assert info.revoked_at is not None


def test_listprojects_shows_prefixes_never_keys() -> None:
    created = json.loads(run("createproject", "Acme", "--json"))
    listing = run("listprojects")
    assert keys.prefix_of(created["secret_key"]) in listing
    assert created["secret_key"] not in listing


def test_ensuredemo_is_safe_to_run_again_and_keeps_working_keys(
    settings: Any, tmp_path: Path
) -> None:
    settings.VAR_DIR = tmp_path
    first = run("ensuredemo")
    saved = json.loads((tmp_path / "demo-keys.json").read_text())
    assert saved["public_key"] in first
    assert "curl" in first
    second = run("ensuredemo")
    assert json.loads((tmp_path / "demo-keys.json").read_text()) == saved
    assert saved["secret_key"] in second
    assert Project.objects.filter(slug="demo").count() == 1


def test_ensuredemo_replaces_keys_that_no_longer_work(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    run("ensuredemo")
    saved = json.loads((tmp_path / "demo-keys.json").read_text())
    run("revokekey", keys.prefix_of(saved["public_key"]))
    run("ensuredemo")
    renewed = json.loads((tmp_path / "demo-keys.json").read_text())
    assert renewed["public_key"] != saved["public_key"]
    assert renewed["secret_key"] == saved["secret_key"]
