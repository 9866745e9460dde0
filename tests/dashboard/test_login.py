"""Dashboard logins: wrong passwords are throttled per username and address."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def attempt(client: Client, password: str, address: str = "198.51.100.7") -> int:
    response = client.post(
        reverse("admin:login"),
        {"username": "ann", "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )
    return response.status_code


def test_five_wrong_passwords_lock_that_username_from_that_address() -> None:
    User.objects.create_user("ann", password="a long and good password", is_staff=True)
    client = Client()
    assert [attempt(client, f"wrong-{n}") for n in range(5)] == [200] * 4 + [429]
    assert attempt(client, "a long and good password") == 429  # locked, even when right
    assert attempt(Client(), "a long and good password", address="203.0.113.5") == 302


def test_a_right_password_before_the_limit_resets_the_count() -> None:
    User.objects.create_user("ann", password="a long and good password", is_staff=True)
    client = Client()
    assert [attempt(client, "wrong") for _ in range(4)] == [200] * 4
    assert attempt(client, "a long and good password") == 302
    client.logout()
    assert [attempt(client, "wrong") for _ in range(4)] == [200] * 4
    assert attempt(client, "a long and good password") == 302
