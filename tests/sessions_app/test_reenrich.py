"""GeoIP through the API and `manage.py reenrich` after a database swap (Django side)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.forms.models import model_to_dict
from django.test import Client

from atrack.geodb import geo_databases
from projects.services import CreatedProject
from sessions_app.models import Session
from tests.enrichment.mmdb_factory import write_test_databases

pytestmark = pytest.mark.django_db(databases="__all__")
U = "b19412c6-6a91-4e18-890d-e2269a0d1249"
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2_1 like Mac OS X)"


@pytest.fixture
def geoip(tmp_path: Path, settings: Any) -> Iterator[Path]:
    write_test_databases(tmp_path, variant="a")
    settings.GEOIP_PATH = str(tmp_path)
    geo_databases.cache_clear()
    yield tmp_path
    geo_databases.cache_clear()


def init(client: Client, project: CreatedProject, ip: str, uuid: str = U) -> Session:
    body = {"uuid": uuid, "context": {"client": {"ipAddress": ip, "userAgent": IPHONE}}}
    response = client.post(
        "/init",
        json.dumps(body),
        content_type="application/json",
        HTTP_X_A_TRACK_KEY=project.public_key,
    )
    assert response.status_code in (200, 201)
    return Session.objects.for_project(project.project).get(uuid=uuid)


def test_an_init_is_enriched_with_the_documented_ip_data(
    client: Client, project: CreatedProject, geoip: Path
) -> None:
    session = init(client, project, "50.89.98.90")
    assert session.ip_data["city"]["country"]["iso_code"] == "US"
    assert session.ip_data["city"]["location"]["time_zone"] == "America/New_York"
    assert session.ip_data["isp"]["isp"] == "Spectrum"
    assert session.country_code == "US"
    assert session.device_data["is_mobile"] is True


def test_a_hosting_address_is_a_signal_and_a_bot_only_where_the_project_says(
    client: Client, project: CreatedProject, geoip: Path
) -> None:
    session = init(client, project, "3.80.10.20")
    assert session.ip_data["anonymous"]["is_hosting_provider"] is True
    assert session.is_bot is False
    project.project.hosting_is_bot = True
    project.project.save()
    call_command("reenrich", "--project", project.project.slug, "--no-progress", stdout=StringIO())
    session.refresh_from_db()
    assert session.is_bot is True
    assert session.device_data["bot"]["category"] == "datacenter"


def test_reenrich_classifies_stored_referers_again_with_todays_table(
    client: Client, project: CreatedProject, geoip: Path
) -> None:
    session = init(client, project, "50.89.98.90")
    referer = "https://webmail.example-isp.nl/read?id=1"
    first = {"source": "example-isp.nl", "medium": "referral", "channel": "referral",
             "utm_data": {}, "click_ids": {}, "referer": referer, "seen_at_ms": 1}  # fmt: skip
    Session.objects.for_project(project.project).filter(pk=session.pk).update(
        first_touch=first, source="example-isp.nl", medium="referral", channel="referral",
        referer=referer,
    )  # fmt: skip
    call_command("reenrich", "--no-progress", stdout=StringIO())
    session.refresh_from_db()
    assert (session.source, session.medium, session.channel) == ("example-isp.nl", "email", "email")
    assert session.first_touch["channel"] == "email"
    assert session.first_touch["seen_at_ms"] == 1


def test_a_private_address_is_marked_and_missing_databases_never_fail(
    client: Client, project: CreatedProject, settings: Any, tmp_path: Path
) -> None:
    settings.GEOIP_PATH = str(tmp_path / "nothing-here")
    geo_databases.cache_clear()
    session = init(client, project, "192.168.1.10")
    assert session.ip_data["is_private"] is True
    geo_databases.cache_clear()


def test_reenrich_after_a_database_swap_changes_ip_data_and_nothing_else(
    client: Client, project: CreatedProject, geoip: Path
) -> None:
    before = model_to_dict(init(client, project, "50.89.98.90"))
    write_test_databases(geoip, variant="b")
    geo_databases.cache_clear()  # a fresh process; a running one rechecks the files itself
    out = StringIO()
    call_command(
        "reenrich",
        "--project",
        project.project.slug,
        "--batch-size",
        "1",
        "--no-progress",
        stdout=out,
    )
    assert "re-enriched 1 sessions" in out.getvalue()
    after = model_to_dict(Session.objects.for_project(project.project).get(uuid=U))
    assert after["ip_data"] != before["ip_data"]
    assert after["ip_data"]["city"]["location"]["time_zone"] == "America/Chicago"
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"ip_data"}


def test_reenrich_is_idempotent_and_resumable(
    client: Client, project: CreatedProject, geoip: Path
) -> None:
    first = init(client, project, "50.89.98.90")
    second = init(client, project, "50.89.98.90", uuid="c19412c6-6a91-4e18-890d-e2269a0d1249")
    out = StringIO()
    call_command("reenrich", "--after-id", str(first.pk), "--no-progress", stdout=out)
    assert "re-enriched 1 sessions" in out.getvalue()
    assert model_to_dict(Session.objects.get(pk=second.pk)) == model_to_dict(second)
