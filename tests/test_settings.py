"""Settings that must refuse to start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_settings(**env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "INGEST_"))}
    environment.update(SECRET_KEY="x", DJANGO_SETTINGS_MODULE="atrack.settings", **env)
    code = "import django; django.setup(); print('loaded')"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True
    )


@pytest.mark.parametrize(
    ("env", "starts"),
    [
        ({"CELERY_BROKER_URL": "amqp://guest@127.0.0.1//"}, False),
        (
            {"CELERY_BROKER_URL": "amqp://guest@127.0.0.1//", "INGEST_REDIS_URL": "redis://x/0"},
            True,
        ),
        ({"CELERY_BROKER_URL": "redis://127.0.0.1:6379/0"}, True),
    ],
)
def test_a_broker_other_than_redis_needs_a_redis_for_the_ingest_stream(
    env: dict[str, str], starts: bool
) -> None:
    result = load_settings(**env)
    if starts:
        assert "loaded" in result.stdout, result.stderr
    else:
        assert result.returncode != 0
        assert "INGEST_REDIS_URL" in result.stderr


def test_an_unknown_access_log_mode_refuses_to_start() -> None:
    result = load_settings(ACCESS_LOG="loud")
    assert result.returncode != 0
    assert "ACCESS_LOG must be all, errors or off" in result.stderr
    assert "loaded" in load_settings(ACCESS_LOG="errors").stdout


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a" * 10 + "Qx7!kP2zLm9#vR4tYw8&nB3cD6fH1jS5gU0eI" * 2,
    "ALLOWED_HOSTS": "track.example.com",
    "TRUST_PROXY_HTTPS": "true",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_COOKIES": "true",
    "SECURE_HSTS_SECONDS": "31536000",
}


def check_deploy(**env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "INGEST_"))}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )


def test_the_documented_production_settings_pass_check_deploy() -> None:
    result = check_deploy(**PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_without_them() -> None:
    bare = {k: v for k, v in PRODUCTION.items() if not k.startswith(("SECURE", "TRUST"))}
    result = check_deploy(**bare)
    assert result.returncode != 0
    assert "security.W012" in result.stderr + result.stdout


def test_staff_passwords_are_validated() -> None:
    import django

    django.setup()
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("1", "password1234", "123456789012"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("correct horse battery staple")
