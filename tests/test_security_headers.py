"""The dashboard's Content-Security-Policy."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_dashboard_pages_carry_a_content_security_policy(client: Client) -> None:
    policy = client.get("/admin/login/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"


def test_the_swagger_page_starts_its_inline_script_without_one(client: Client) -> None:
    assert "Content-Security-Policy" not in client.get("/docs")
