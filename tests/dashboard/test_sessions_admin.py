"""The session list (search, filters, no full count) and the readable session page."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from atrack.dashboard.base import CappedPaginator
from projects.services import CreatedProject
from sessions_app.models import Session
from tests.dashboard.factories import make_event, make_session, set_attribute, staff


@pytest.fixture
def client(project: CreatedProject) -> Client:
    client = Client()
    client.force_login(staff("ann", project.project))
    return client


def _list(client: Client, project: CreatedProject, query: str = "") -> str:
    url = reverse("admin:sessions_app_session_project", args=(project.project.slug,))
    response = client.get(url + query)
    assert response.status_code == 200
    return response.content.decode()


def _detail(client: Client, session: Session) -> str:
    url = reverse("admin:sessions_app_session_detail", args=("acme-shop", session.pk))
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def three(project: CreatedProject) -> list[Session]:
    p = project.project
    return [
        make_session(p, source="google", channel="paid_search", country_code="US", ip_address="73.162.1.1"),
        make_session(p, source="facebook", channel="paid_social", country_code="DE", device_class="mobile", ip_address="79.192.2.2"),
        make_session(p, source="direct", channel="direct", country_code="FR", is_bot=True, ip_address="90.3.3.3",
                     at=timezone.now() - timedelta(days=20)),
    ]  # fmt: skip


def _shown(html: str, sessions: list[Session]) -> set[int]:
    return {i for i, s in enumerate(sessions) if str(s.uuid) in html}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {0, 1, 2}),
        ("?source=facebook", {1}),
        ("?channel=direct", {2}),
        ("?country=DE", {1}),
        ("?device=mobile", {1}),
        ("?is_bot__exact=1", {2}),
        ("?created_at__gte={week_ago}", {0, 1}),
    ],
)
def test_the_session_list_filters(
    client: Client, project: CreatedProject, three: list[Session], query: str, expected: set[int]
) -> None:
    week_ago = quote((timezone.now() - timedelta(days=7)).isoformat())
    html = _list(client, project, query.format(week_ago=week_ago))
    assert _shown(html, three) == expected


def test_the_session_list_searches_by_uuid_ip_and_attribute_value(
    client: Client, project: CreatedProject, three: list[Session]
) -> None:
    set_attribute(three[1], "plan", "pro")
    set_attribute(three[2], "cart_items", 3)
    assert _shown(_list(client, project, f"?q={three[0].uuid}"), three) == {0}
    assert _shown(_list(client, project, "?q=79.192.2.2"), three) == {1}
    assert _shown(_list(client, project, "?q=pro"), three) == {1}
    assert _shown(_list(client, project, "?q=plan%3Dpro"), three) == {1}
    assert _shown(_list(client, project, "?q=theme%3Dpro"), three) == set()
    assert _shown(_list(client, project, "?q=3"), three) == {2}


def test_the_session_list_never_counts_the_whole_project(
    client: Client, project: CreatedProject, three: list[Session]
) -> None:
    with CaptureQueriesContext(connection) as queries:
        _list(client, project)
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts, "the paginator counts, capped"
    assert all(re.search(r"LIMIT\s+\d+", sql) for sql in counts), counts


def test_a_capped_count_says_more_than_the_cap(project: CreatedProject) -> None:
    for _ in range(4):
        make_session(project.project)
    rows = Session.objects.for_project(project.project).order_by("-id")
    paginator = CappedPaginator(rows, 2)
    paginator.cap = 3
    assert paginator.count == 3
    assert paginator.is_capped
    assert paginator.num_pages == 2


def test_the_session_page_reads_like_a_visit(client: Client, project: CreatedProject) -> None:
    session = make_session(
        project.project,
        source="google",
        medium="cpc",
        channel="paid_search",
        utm_data={"utm_source": "google", "utm_campaign": "spring_sale"},
        click_ids={"gclid": "Cj0KCQabc"},
        first_touch={"source": "google", "channel": "paid_search", "landing_url": "https://shop.example/pricing?gclid=Cj0KCQabc", "seen_at_ms": 1_700_000_000_000},
        ip_data={
            "city": {"country": {"iso_code": "US", "names": {"en": "United States"}}, "city": {"names": {"en": "Orlando"}},
                     "subdivisions": [{"names": {"en": "Florida"}}], "location": {"time_zone": "America/New_York"}},
            "isp": {"isp": "Spectrum", "organization": "Spectrum"},
            "asn": {"number": 33363, "organization": "BHN-33363"},
            "anonymous": {"is_anonymous": True, "is_anonymous_vpn": True, "is_public_proxy": False},
        },
        device_data={"client": {"name": "Mobile Safari", "version": "17.2"}, "os": {"name": "iOS", "version": "17.2"},
                     "brand": "Apple", "model": "iPhone", "device_class": "mobile", "bot": None},
        device_class="mobile",
        custom_data={"ab_test": {"checkout_v2": "variant"}},
    )  # fmt: skip
    set_attribute(session, "plan", {"name": "pro", "seats": 3})
    make_event(session, "page_view", path="/pricing")
    make_event(
        session,
        "purchase",
        at=session.created_at + timedelta(minutes=3),
        order_id="ord_1",
        cart_value=129.0,
    )
    html = _detail(client, session)
    for text in (
        str(session.uuid), "https://shop.example/pricing?gclid=Cj0KCQabc", "paid_search", "spring_sale",
        "Cj0KCQabc", "United States", "Orlando", "Florida", "Spectrum", "AS33363", "anonymous vpn",
        "Mobile Safari 17.2", "iOS 17.2", "Apple iPhone", "page_view", "purchase", "ord_1",
    ):  # fmt: skip
        assert text in html, text
    # JSON is indented for people, not one long line.
    assert "&quot;name&quot;: &quot;pro&quot;,\n  &quot;seats&quot;: 3" in html
    assert "&quot;checkout_v2&quot;: &quot;variant&quot;" in html
    assert html.index("page_view") < html.index("purchase")


def test_the_session_page_says_when_vpn_flags_were_not_checked(
    client: Client, project: CreatedProject
) -> None:
    session = make_session(project.project, ip_data={"ip": "73.162.10.20"})
    assert "not checked" in _detail(client, session)


def test_the_event_list_filters_by_name_and_links_each_event(project: CreatedProject) -> None:
    session = make_session(project.project)
    view, buy = make_event(session, "page_view"), make_event(session, "purchase")
    client = Client()
    client.force_login(User.objects.create_superuser("root", password="pw"))
    url = reverse("admin:events_event_project", args=(project.project.slug,))
    html = client.get(url + "?name=purchase").content.decode()
    detail = reverse("admin:events_event_detail", args=(project.project.slug, buy.pk))
    assert detail in html
    assert reverse("admin:events_event_detail", args=(project.project.slug, view.pk)) not in html
    assert client.get(detail).status_code == 200


def test_huge_values_are_cut_on_the_session_page_and_whole_one_click_away(
    client: Client, project: CreatedProject
) -> None:
    from sessions_app.models import Attribute

    session = make_session(project.project, custom_data={"blob": "x" * 50_000})
    Attribute.objects.bulk_create(
        Attribute(session=session, key=f"k{n:04d}", value=n, set_at=timezone.now())
        for n in range(1_000)
    )
    page = _detail(client, session)
    assert len(page) < 200_000
    assert "x" * 50_000 not in page
    assert "and 800 more" in page
    whole = reverse(
        "admin:sessions_app_session_whole", args=("acme-shop", session.pk, "custom_data")
    )
    assert whole in page
    response = client.get(whole)
    assert response.status_code == 200
    assert response.json() == {"blob": "x" * 50_000}
    everything = client.get(
        reverse("admin:sessions_app_session_whole", args=("acme-shop", session.pk, "attributes"))
    ).json()
    assert len(everything) == 1_000
    bad = reverse("admin:sessions_app_session_whole", args=("acme-shop", session.pk, "password"))
    assert client.get(bad).status_code == 404
