"""Limits a stranger cannot turn against a project: per client address, unknown keys."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from projects.keys import generate
from projects.selectors import key_cache, key_lookup
from projects.services import CreatedProject
from projects.windows import AddressWindow

pytestmark = pytest.mark.django_db
BODY = json.dumps({"uuid": "b19412c6-6a91-4e18-890d-e2269a0d1249", "event": "x"})


def post(client: Client, key: str, address: str) -> Any:
    return client.post(
        "/event", BODY, content_type="application/json", HTTP_X_A_TRACK_KEY=key, REMOTE_ADDR=address
    )


@pytest.fixture
def fresh_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows that cannot roll over during a test."""
    monkeypatch.setattr("atrack.api.guards.addresses", AddressWindow(seconds=3600))
    monkeypatch.setattr("atrack.api.auth.failures", AddressWindow(seconds=3600))


def test_one_public_address_cannot_spend_a_public_keys_budget(
    client: Client, project: CreatedProject, settings: Any, fresh_windows: None
) -> None:
    settings.RATE_LIMIT_PER_ADDRESS = 3
    statuses = [post(client, project.public_key, "93.184.216.34").status_code for _ in range(4)]
    assert statuses[:3] != [429] * 3
    assert statuses[3] == 429
    assert post(client, project.public_key, "93.184.216.35").status_code in (200, 201)
    assert post(client, project.secret_key, "93.184.216.34").status_code in (200, 201)
    assert post(client, project.public_key, "10.1.2.3").status_code in (200, 201)
    assert post(client, project.public_key, "127.0.0.1").status_code in (200, 201)


def test_an_address_guessing_keys_is_refused_without_a_lookup(
    client: Client, project: CreatedProject, settings: Any, fresh_windows: None
) -> None:
    settings.UNKNOWN_KEYS_PER_MINUTE = 5
    guesses = [generate("public").raw for _ in range(6)]
    assert [post(client, g, "93.184.216.50").status_code for g in guesses[:5]] == [401] * 5
    with CaptureQueriesContext(connection) as queries:
        refused = post(client, guesses[5], "93.184.216.50")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert len(queries) == 0
    assert post(client, guesses[5], "93.184.216.51").status_code == 401  # another address


def test_unknown_keys_never_push_a_real_key_out_of_the_cache(project: CreatedProject) -> None:
    assert key_lookup(raw=project.public_key) is not None
    for _ in range(key_cache.max_unknown + 50):
        key_cache.put(generate("public").raw, None)
    hit, info = key_cache.get(project.public_key)
    assert hit
    assert info is not None


def test_a_window_counts_per_address_and_starts_again_when_it_rolls() -> None:
    now = [100.0]
    window = AddressWindow(seconds=1.0, clock=lambda: now[0])
    assert [window.hit("a") for _ in range(3)] == [1, 2, 3]
    assert window.hit("b") == 1
    now[0] = 101.2
    assert window.count("a") == 0
    assert window.hit("a") == 1
