"""Realistic demo sessions and events for `manage.py seeddemo`: pure data, no Django.

Sessions go through the real `enrich_session` (URL, attribution, first touch), so their
fields have exactly the stored shapes; GeoIP and device data come from the tables below
(no `.mmdb` needed), each user agent parsed once by the real `parse_device`.
"""

from __future__ import annotations

import itertools
import math
import os
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple
from uuid import UUID

from enrichment.device import parse_device
from enrichment.pipeline import enrich_session

SITE = "https://shop.a-track.io"
OWN_HOSTS = ("shop.a-track.io",)


class City(NamedTuple):
    name: str
    region: tuple[str, str]  # iso_code, name
    lat: float
    lon: float
    postal: str


class Network(NamedTuple):
    isp: str
    asn: int
    asn_org: str
    prefix: str  # the first two octets of an IPv4 address


class Country(NamedTuple):
    iso: str
    name: str
    continent: tuple[str, str]
    time_zone: str
    utc_offset: int  # hours, for the local daily rhythm
    language: str
    currency: str
    cities: tuple[City, ...]
    networks: tuple[Network, ...]


_EU, _NA, _SA, _AS, _OC = (
    ("EU", "Europe"),
    ("NA", "North America"),
    ("SA", "South America"),
    ("AS", "Asia"),
    ("OC", "Oceania"),
)

# (weight, country): a site with a US/European audience.
COUNTRIES: tuple[tuple[int, Country], ...] = (
    (30, Country("US", "United States", _NA, "America/New_York", -5, "en-US", "USD", (
        City("New York", ("NY", "New York"), 40.7128, -74.006, "10001"),
        City("Orlando", ("FL", "Florida"), 28.53, -81.4807, "32801"),
        City("San Francisco", ("CA", "California"), 37.7749, -122.4194, "94103"),
        City("Austin", ("TX", "Texas"), 30.2672, -97.7431, "78701"),
    ), (
        Network("Comcast Cable", 7922, "COMCAST-7922", "73.162"),
        Network("Spectrum", 33363, "BHN-33363", "50.89"),
        Network("Verizon Wireless", 22394, "CELLCO", "174.205"),
    ))),
    (10, Country("GB", "United Kingdom", _EU, "Europe/London", 0, "en-GB", "GBP", (
        City("London", ("ENG", "England"), 51.5072, -0.1276, "EC1A"),
        City("Manchester", ("ENG", "England"), 53.4808, -2.2426, "M1"),
    ), (
        Network("British Telecommunications", 2856, "British Telecommunications PLC", "86.150"),
        Network("Sky Broadband", 5607, "Sky UK Limited", "90.208"),
    ))),
    (9, Country("DE", "Germany", _EU, "Europe/Berlin", 1, "de-DE", "EUR", (
        City("Berlin", ("BE", "Berlin"), 52.52, 13.405, "10115"),
        City("Munich", ("BY", "Bavaria"), 48.1351, 11.582, "80331"),
    ), (
        Network("Deutsche Telekom AG", 3320, "Deutsche Telekom AG", "79.192"),
        Network("Vodafone GmbH", 3209, "Vodafone GmbH", "88.64"),
    ))),
    (7, Country("FR", "France", _EU, "Europe/Paris", 1, "fr-FR", "EUR", (
        City("Paris", ("IDF", "Île-de-France"), 48.8566, 2.3522, "75001"),
        City("Lyon", ("ARA", "Auvergne-Rhône-Alpes"), 45.764, 4.8357, "69001"),
    ), (
        Network("Orange", 3215, "Orange S.A.", "90.3"),
        Network("Free SAS", 12322, "Free SAS", "82.64"),
    ))),
    (6, Country("CA", "Canada", _NA, "America/Toronto", -5, "en-CA", "CAD", (
        City("Toronto", ("ON", "Ontario"), 43.6532, -79.3832, "M5H"),
        City("Vancouver", ("BC", "British Columbia"), 49.2827, -123.1207, "V6B"),
    ), (Network("Rogers Communications", 812, "ROGERS-COMMUNICATIONS", "99.224"),))),
    (5, Country("NL", "Netherlands", _EU, "Europe/Amsterdam", 1, "nl-NL", "EUR", (
        City("Amsterdam", ("NH", "North Holland"), 52.3676, 4.9041, "1012"),
    ), (Network("KPN B.V.", 1136, "KPN B.V.", "77.172"),))),
    (5, Country("ES", "Spain", _EU, "Europe/Madrid", 1, "es-ES", "EUR", (
        City("Madrid", ("MD", "Madrid"), 40.4168, -3.7038, "28001"),
        City("Barcelona", ("CT", "Catalonia"), 41.3874, 2.1686, "08001"),
    ), (Network("Telefonica de Espana", 3352, "TELEFONICA_DE_ESPANA", "83.32"),))),
    (4, Country("IT", "Italy", _EU, "Europe/Rome", 1, "it-IT", "EUR", (
        City("Milan", ("25", "Lombardy"), 45.4642, 9.19, "20121"),
        City("Rome", ("62", "Lazio"), 41.9028, 12.4964, "00118"),
    ), (Network("Telecom Italia", 3269, "Telecom Italia", "79.40"),))),
    (5, Country("BR", "Brazil", _SA, "America/Sao_Paulo", -3, "pt-BR", "BRL", (
        City("São Paulo", ("SP", "São Paulo"), -23.5505, -46.6333, "01000"),
        City("Rio de Janeiro", ("RJ", "Rio de Janeiro"), -22.9068, -43.1729, "20000"),
    ), (Network("Claro S.A.", 28573, "Claro NXT Telecomunicacoes Ltda", "177.32"),))),
    (5, Country("IN", "India", _AS, "Asia/Kolkata", 5, "en-IN", "INR", (
        City("Mumbai", ("MH", "Maharashtra"), 19.076, 72.8777, "400001"),
        City("Bengaluru", ("KA", "Karnataka"), 12.9716, 77.5946, "560001"),
    ), (Network("Reliance Jio Infocomm", 55836, "Reliance Jio Infocomm Limited", "49.36"),))),
    (3, Country("JP", "Japan", _AS, "Asia/Tokyo", 9, "ja-JP", "JPY", (
        City("Tokyo", ("13", "Tokyo"), 35.6762, 139.6503, "100-0001"),
    ), (Network("NTT Communications", 4713, "NTT Communications Corporation", "153.156"),))),
    (3, Country("AU", "Australia", _OC, "Australia/Sydney", 10, "en-AU", "AUD", (
        City("Sydney", ("NSW", "New South Wales"), -33.8688, 151.2093, "2000"),
        City("Melbourne", ("VIC", "Victoria"), -37.8136, 144.9631, "3000"),
    ), (Network("Telstra", 1221, "Telstra Limited", "101.160"),))),
    (3, Country("PL", "Poland", _EU, "Europe/Warsaw", 1, "pl-PL", "PLN", (
        City("Warsaw", ("14", "Mazovia"), 52.2297, 21.0122, "00-001"),
    ), (Network("Orange Polska", 5617, "Orange Polska Spolka Akcyjna", "83.24"),))),
    (2, Country("SE", "Sweden", _EU, "Europe/Stockholm", 1, "sv-SE", "SEK", (
        City("Stockholm", ("AB", "Stockholm"), 59.3293, 18.0686, "111 20"),
    ), (Network("Telia Company", 3301, "Telia Company AB", "81.224"),))),
    (3, Country("MX", "Mexico", _NA, "America/Mexico_City", -6, "es-MX", "MXN", (
        City("Mexico City", ("CMX", "Mexico City"), 19.4326, -99.1332, "06000"),
    ), (Network("Telmex", 8151, "UNINET", "189.203"),))),
)  # fmt: skip

BOT_NETWORKS = (
    Network("Google LLC", 15169, "GOOGLE", "66.249"),
    Network("Amazon.com", 16509, "AMAZON-02", "3.224"),
    Network("Microsoft Corporation", 8075, "MICROSOFT-CORP-MSN-AS-BLOCK", "40.77"),
)

# (weight, user agent): about 4% bots.
USER_AGENTS: tuple[tuple[int, str], ...] = (
    (14, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"),  # noqa: E501
    (8, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"),  # noqa: E501
    (6, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15"),  # noqa: E501
    (4, "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"),
    (4, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"),  # noqa: E501
    (1, "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"),
    (1, "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36"),  # noqa: E501
    (1, "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"),  # noqa: E501
    (14, "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1.1 Mobile/15E148 Safari/604.1"),  # noqa: E501
    (6, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1"),  # noqa: E501
    (2, "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1"),  # noqa: E501
    (10, "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"),  # noqa: E501
    (4, "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36"),  # noqa: E501
    (3, "Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36"),  # noqa: E501
    (3, "Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1"),  # noqa: E501
    (1, "Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"),  # noqa: E501
    (3, "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/22B83 [FBAN/FBIOS;FBAV/489.0.0.40.108;FBBV/660418493;FBDV/iPhone15,2;FBMD/iPhone;FBSN/iOS;FBSV/18.1;FBSS/3;FBCR/;FBID/phone;FBLC/en_US;FBOP/80]"),  # noqa: E501
    (2, "Mozilla/5.0 (Linux; Android 14; SM-A546B Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/131.0.6778.81 Mobile Safari/537.36 Instagram 357.0.0.46.83 Android (34/14; 450dpi; 1080x2340; samsung; SM-A546B; a54x; s5e8835; en_US; 660418485)"),  # noqa: E501
    (1, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 OPR/115.0.0.0"),  # noqa: E501
    (1, "Mozilla/5.0 (SMART-TV; Linux; Tizen 8.0) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/7.0 Chrome/108.0.5359.1 TV Safari/537.36"),  # noqa: E501
    (1, "Mozilla/5.0 (PlayStation; PlayStation 5/6.50) AppleWebKit/605.1.15 (KHTML, like Gecko)"),
    (1, "Mozilla/5.0 (Linux; Android 9; KFTRWI) AppleWebKit/537.36 (KHTML, like Gecko) Silk/131.3.1 like Chrome/131.0.6778.135 Safari/537.36"),  # noqa: E501
    (1, "Mozilla/5.0 (Linux; U; Android 4.0.3; en-us; Kindle Fire Build/IML74K) AppleWebKit/534.30 (KHTML, like Gecko) Version/4.0 Safari/534.30"),  # noqa: E501
    (1, "Mozilla/5.0 (Linux; Android 12; moto g(60)) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"),  # noqa: E501
    (1, "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"),
    (1, "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36"),  # noqa: E501
    (1, "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; GPTBot/1.2; +https://openai.com/gptbot"),
    (1, "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)"),
    (1, "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36"),  # noqa: E501
    (1, "python-requests/2.32.3"),
)  # fmt: skip

PAGES: tuple[tuple[int, str, str], ...] = (
    (20, "/", "A-Track Shop"),
    (10, "/pricing", "Pricing"),
    (8, "/features", "Features"),
    (6, "/blog/utm-parameters-guide", "The complete guide to UTM parameters"),
    (4, "/blog/first-touch-vs-last-touch", "First touch vs last touch attribution"),
    (8, "/products/trail-runner-2", "Trail Runner 2"),
    (6, "/products/city-backpack", "City Backpack"),
    (5, "/products/merino-tee", "Merino Tee"),
    (5, "/collections/new", "New arrivals"),
    (4, "/docs/getting-started", "Getting started"),
    (3, "/signup", "Create your account"),
    (3, "/about", "About us"),
)
PRODUCTS = (
    ("sku-trail-2", "Trail Runner 2", 129.0),
    ("sku-backpack", "City Backpack", 89.0),
    ("sku-merino", "Merino Tee", 45.0),
    ("sku-socks-3", "Running Socks (3 pack)", 19.5),
    ("sku-jacket", "Rain Jacket", 159.0),
)
CAMPAIGNS = ("spring_sale", "brand_search", "retargeting_q4", "new_collection", "black_friday")
REFERRALS = (
    "https://news.ycombinator.com/item?id=41234567",
    "https://www.producthunt.com/posts/a-track",
    "https://blog.example.org/best-analytics-tools",
    "https://github.com/a-track/a-track",
    "https://www.reddit.com/r/analytics/comments/1abcde/",
)


@dataclass(frozen=True)
class DemoEvent:
    name: str
    attributes: dict[str, Any]
    occurred_at: datetime
    received_at: datetime
    message_id: str
    ip_address: str | None = None
    user_agent: str = ""


@dataclass
class DemoSession:
    """One session's column values, its attribute rows and its events."""

    uuid: str
    fields: dict[str, Any]
    attributes: list[tuple[str, Any, datetime]] = field(default_factory=list)
    events: list[DemoEvent] = field(default_factory=list)


def _picker(weighted: Sequence[tuple[Any, ...]]) -> tuple[list[float], list[Any]]:
    """Cumulative weights and items for `rng.choices` (rows are (weight, item...))."""
    cum = list(itertools.accumulate(float(row[0]) for row in weighted))
    items = [row[1] if len(row) == 2 else row[1:] for row in weighted]
    return cum, items


def _pick(rng: random.Random, picker: tuple[list[float], list[Any]]) -> Any:
    cum, items = picker
    return rng.choices(items, cum_weights=cum)[0]


def event_counts(rng: random.Random, sessions: int, events: int) -> list[int]:
    """Events per session, skewed like real traffic (many short visits), summing to `events`."""
    if sessions <= 0:
        if events:
            raise ValueError("events need at least one session")
        return []
    weights = [rng.lognormvariate(0.0, 1.0) for _ in range(sessions)]
    total = sum(weights)
    exact = [events * w / total for w in weights]
    counts = [int(x) for x in exact]
    # Largest remainders get the events rounding left over.
    short = events - sum(counts)
    by_remainder = sorted(range(sessions), key=lambda i: counts[i] - exact[i])
    for i in by_remainder[:short]:
        counts[i] += 1
    return counts


def _traffic(rng: random.Random, path: str) -> dict[str, Any]:
    """A landing URL context for one of the usual ways in."""
    kind = _pick(rng, _TRAFFIC)
    click = f"{rng.getrandbits(96):024x}"
    campaign = rng.choice(CAMPAIGNS)
    href, referer = f"{SITE}{path}", None
    if kind == "google_organic":
        referer = "https://www.google.com/"
    elif kind == "google_paid":
        href += f"?utm_source=google&utm_medium=cpc&utm_campaign={campaign}&gclid=Cj0KCQ{click}"
        referer = "https://www.google.com/"
    elif kind == "facebook_paid":
        href += (
            f"?utm_source=facebook&utm_medium=paid_social&utm_campaign={campaign}"
            f"&utm_content=carousel_{rng.randint(1, 4)}&fbclid=IwAR{click}"
        )
        referer = "https://l.facebook.com/"
    elif kind == "newsletter":
        week = rng.randint(1, 52)
        href += f"?utm_source=newsletter&utm_medium=email&utm_campaign=weekly_{week:02d}"
    elif kind == "chatgpt":
        href += "?utm_source=chatgpt.com"
        referer = "https://chatgpt.com/"
    elif kind == "bing_organic":
        referer = "https://www.bing.com/"
    elif kind == "referral":
        referer = rng.choice(REFERRALS)
    return {"href": href, "referer": referer} if referer else {"href": href}


_TRAFFIC = _picker(
    (
        (24, "google_organic"),
        (12, "google_paid"),
        (10, "facebook_paid"),
        (8, "newsletter"),
        (5, "chatgpt"),
        (24, "direct"),
        (4, "bing_organic"),
        (8, "referral"),
    )
)
_COUNTRIES = _picker(COUNTRIES)
_PAGES = _picker(PAGES)
_HOURS = _picker([(w, h) for h, w in enumerate(
    (2, 1, 1, 1, 1, 2, 4, 7, 10, 12, 13, 13, 12, 12, 12, 12, 11, 11, 11, 12, 12, 10, 7, 4)
)])  # fmt: skip
_SCREENS = ((1920, 1080), (1440, 900), (2560, 1440), (1366, 768))
_WEEKDAYS = (1.05, 1.1, 1.05, 1.0, 0.9, 0.65, 0.7)  # Monday first


def _ip_address(rng: random.Random, network: Network) -> str:
    return f"{network.prefix}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def ip_data(ip: str, country: Country, city: City, network: Network) -> dict[str, Any]:
    """ip_data as GeoIP enrichment stores it (City + ASN databases, no ISP database)."""
    return {
        "ip": ip,
        "city": {
            "country": {"iso_code": country.iso, "names": {"en": country.name}},
            "subdivisions": [{"iso_code": city.region[0], "names": {"en": city.region[1]}}],
            "city": {"names": {"en": city.name}},
            "location": {
                "latitude": city.lat,
                "longitude": city.lon,
                "time_zone": country.time_zone,
                "accuracy_radius": 20,
            },
            "postal": {"code": city.postal},
            "continent": {"code": country.continent[0], "names": {"en": country.continent[1]}},
        },
        "isp": {"isp": network.asn_org, "organization": network.asn_org, "source": "asn"},
        "asn": {"number": network.asn, "organization": network.asn_org},
        "is_private": False,
        "is_reserved": False,
    }


class Timeline:
    """Session start times over the last `days` days: busier lately, quieter at weekends."""

    def __init__(self, *, now: datetime, days: int) -> None:
        self.now = now
        self.midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        weights = []
        for ago in range(max(days, 1)):
            weekday = (self.midnight - timedelta(days=ago)).weekday()
            weights.append((math.exp(-0.02 * ago) * _WEEKDAYS[weekday], ago))
        self.days = _picker(weights)

    def start(self, rng: random.Random, country: Country, duration: timedelta) -> datetime:
        """A start in the country's daytime rhythm that leaves the session ended by now."""
        latest = self.now - duration
        for _ in range(5):
            ago = _pick(rng, self.days)
            local = timedelta(hours=_pick(rng, _HOURS), seconds=rng.random() * 3600)
            start = self.midnight - timedelta(days=ago, hours=country.utc_offset) + local
            if start <= latest:
                return start
        return latest - timedelta(seconds=rng.random() * 3600)


def _event_names(rng: random.Random, count: int) -> list[str]:
    """A visit: page views around how far down the funnel this visitor got."""
    funnel: list[str] = []
    roll = rng.random()
    if roll < 0.12:
        funnel = ["signup_started"] + (["signup_completed"] if rng.random() < 0.6 else [])
    elif roll < 0.32:
        funnel = ["product_viewed", "add_to_cart"]
        if rng.random() < 0.45:
            funnel.append("checkout_started")
            if rng.random() < 0.6:
                funnel.append("purchase")
    names = [_pick(rng, _FILLER) for _ in range(count)]
    if count:
        names[0] = "page_view"
    funnel = funnel[: max(count - 1, 0)]
    slots = sorted(rng.sample(range(1, count), len(funnel))) if funnel else []
    for slot, name in zip(slots, funnel, strict=True):
        names[slot] = name
    return names


_FILLER = _picker(((70, "page_view"), (12, "product_viewed"), (12, "scroll"), (6, "search")))


def _cart(rng: random.Random, currency: str) -> dict[str, Any]:
    sku, title, price = rng.choice(PRODUCTS)
    quantity = rng.choice((1, 1, 1, 2, 3))
    return {
        "product_id": sku,
        "name": title,
        "quantity": quantity,
        "cart_value": round(price * quantity, 2),
        "currency": currency,
    }


def event_attributes(rng: random.Random, name: str, currency: str) -> dict[str, Any]:
    """What a site sends with each event of the funnel."""
    if name == "page_view":
        path, title = _pick(rng, _PAGES)
        return {"path": path, "title": title}
    if name == "scroll":
        return {"path": _pick(rng, _PAGES)[0], "percent": rng.choice((25, 50, 75, 100))}
    if name == "product_viewed":
        sku, title, price = rng.choice(PRODUCTS)
        return {"product_id": sku, "name": title, "price": price, "currency": currency}
    return _varying(rng, name, currency)


def _varying(rng: random.Random, name: str, currency: str) -> dict[str, Any]:
    if name == "search":
        query = rng.choice(("running shoes", "backpack", "jacket", "gift"))
        return {"query": query, "results": rng.randint(0, 40)}
    if name in ("signup_started", "signup_completed"):
        return {"method": rng.choice(("email", "google", "github")), "path": "/signup"}
    cart = _cart(rng, currency)
    if name == "add_to_cart":
        return cart
    items = rng.randint(1, 4)
    if name == "checkout_started":
        return {"cart_value": cart["cart_value"] * items, "currency": currency, "items": items}
    return {
        "order_id": f"ord_{rng.getrandbits(40):010x}",
        "cart_value": round(cart["cart_value"] * items, 2),
        "currency": currency,
        "items": items,
        "coupon": rng.choice((None, None, None, "WELCOME10")),
    }


def _offsets(rng: random.Random, count: int) -> list[float]:
    """Seconds from the session start to each event: a few seconds to minutes apart."""
    return list(itertools.accumulate(min(rng.expovariate(1 / 25), 600.0) for _ in range(count)))


class Generator:
    """Demo sessions with their attributes and events; `seed` fixes everything but ids."""

    def __init__(self, *, seed: int, days: int, now: datetime | None = None) -> None:
        self.seed = seed
        self.timeline = Timeline(now=now or datetime.now(UTC), days=days)
        # Each demo user agent parsed once by the real parser.
        self.devices = _picker([(w, ua, parse_device(ua)) for w, ua in USER_AGENTS])
        self._start(random.Random(seed))

    def reseed(self, part: int) -> None:
        """Deterministic data for part `part` of a run, whichever process generates it."""
        self._start(random.Random(f"{self.seed}:{part}"))

    def _start(self, rng: random.Random) -> None:
        self.rng = rng
        # Ids come from fresh entropy: a second run with the same seed adds new rows, and
        # forked processes never share ids.
        self.ids = random.Random(os.urandom(32))
        # Message ids are a random prefix and a counter: unique like a UUID, but
        # consecutive ids land next to each other in the (project_id, message_id) index,
        # which keeps PostgreSQL's index inserts in cache.
        prefix = f"seed-{self.ids.getrandbits(64):016x}"
        self._message_ids = (f"{prefix}{n:016x}" for n in itertools.count())

    def sessions(self, counts: Sequence[int]) -> Iterator[DemoSession]:
        """One session for each entry of `counts`, with that many events."""
        for count in counts:
            yield self.session(count)

    def session(self, event_count: int) -> DemoSession:
        rng = self.rng
        offsets = _offsets(rng, event_count)
        duration = timedelta(seconds=(offsets[-1] if offsets else 0) + 5)
        country, city, network, ua, device = self._visitor()
        start = self.timeline.start(rng, country, duration)
        uuid = str(UUID(int=self.ids.getrandbits(128), version=4))
        fields = self._session_fields(country, city, network, ua, device, start)
        session = DemoSession(uuid=uuid, fields=fields)
        session.events = self._events(uuid, start, offsets, country)
        last = session.events[-1].received_at if session.events else start
        fields["updated_at"] = max(last, fields["last_seen_at"])
        session.attributes = self._attribute_rows(start, country)
        return session

    def _visitor(self) -> tuple[Country, City, Network, str, dict[str, Any]]:
        rng = self.rng
        ua, device = _pick(rng, self.devices)
        country = _pick(rng, _COUNTRIES)
        city = rng.choice(country.cities)
        if device["is_bot"]:
            country, city = COUNTRIES[0][1], COUNTRIES[0][1].cities[2]
            return country, city, rng.choice(BOT_NETWORKS), ua, device
        return country, city, rng.choice(country.networks), ua, device

    def _context(
        self, country: Country, ip: str, ua: str, device: Mapping[str, Any]
    ) -> dict[str, Any]:
        rng = self.rng
        url = _traffic(rng, _pick(rng, _PAGES)[0])
        width, height = (390, 844) if device["is_mobile"] else rng.choice(_SCREENS)
        client = {
            "ipAddress": ip,
            "userAgent": ua,
            "language": country.language,
            "timezone": country.time_zone,
            "screen": {"width": width, "height": height},
        }
        context: dict[str, Any] = {"url": url, "client": client}
        if rng.random() < 0.25:
            plan = rng.choice(("free", "free", "pro", "team"))
            context["user"] = {"attributes": {"plan": plan, "logged_in": True}}
        return context

    def _session_fields(
        self,
        country: Country,
        city: City,
        network: Network,
        ua: str,
        device: dict[str, Any],
        start: datetime,
    ) -> dict[str, Any]:
        rng = self.rng
        ip = _ip_address(rng, network)
        first = self._context(country, ip, ua, device)
        enriched = _enrich(first, None, start)
        last, last_seen = first, start
        if rng.random() < 0.12:  # came back later the same session, another way in
            last_seen = start + timedelta(seconds=rng.randint(60, 1800))
            last = self._context(country, ip, ua, device)
            enriched = _enrich(last, enriched, last_seen)
        return {
            "first_context": first,
            "last_context": last,
            "first_seen_at": start,
            "last_seen_at": last_seen,
            "url_data": enriched["url_data"],
            "utm_data": enriched["utm_data"],
            "query_params": enriched["query_params"],
            "click_ids": enriched["click_ids"],
            "source": enriched["source"],
            "medium": enriched["medium"] or "",
            "channel": enriched["channel"],
            "referer": enriched["referer"] or "",
            "first_touch": enriched["first_touch"],
            "touch_state": enriched["touch_state"],
            "ip_address": ip,
            "ip_data": ip_data(ip, country, city, network),
            "device_data": device,
            "client_attributes": enriched["client_attributes"],
            "user_attributes": enriched["user_attributes_patch"],
            "custom_data": self._custom_data(),
            "country_code": country.iso,
            "device_class": str(device.get("device_class") or "")[:16],
            "is_bot": bool(device.get("is_bot")),
            "created_at": start,
        }

    def _custom_data(self) -> dict[str, Any]:
        rng = self.rng
        data: dict[str, Any] = {"app_version": rng.choice(("2.14.0", "2.14.1", "2.15.0"))}
        if rng.random() < 0.5:
            data["ab_test"] = {"checkout_v2": rng.choice(("control", "variant"))}
        return data

    def _attribute_rows(self, start: datetime, country: Country) -> list[tuple[str, Any, datetime]]:
        rng = self.rng
        options: list[tuple[str, Any]] = [
            ("locale", country.language),
            ("theme", rng.choice(("light", "dark"))),
            ("newsletter_opt_in", rng.random() < 0.3),
            ("cart_items", rng.randint(0, 4)),
            ("customer_tier", rng.choice(("new", "returning", "vip"))),
        ]
        chosen = rng.sample(options, rng.randint(1, 4))
        return [(k, v, start + timedelta(seconds=rng.randint(1, 600))) for k, v in chosen]

    def _events(
        self, uuid: str, start: datetime, offsets: list[float], country: Country
    ) -> list[DemoEvent]:
        rng, message_ids = self.rng, self._message_ids
        events = []
        for name, offset in zip(_event_names(rng, len(offsets)), offsets, strict=True):
            occurred = start + timedelta(seconds=offset)
            received = occurred + timedelta(milliseconds=40 + 1460 * rng.random())
            attributes = event_attributes(rng, name, country.currency)
            ip, ua = None, ""
            if name == "purchase" and rng.random() < 0.3:  # confirmed by the shop's server
                ip, ua = "3.120.44.17", "a-track-python/1.2.0"
            message_id = next(message_ids)
            events.append(DemoEvent(name, attributes, occurred, received, message_id, ip, ua))
        return events


def _enrich(
    context: Mapping[str, Any], previous: Mapping[str, Any] | None, at: datetime
) -> dict[str, Any]:
    # The network and device parts come from the tables above, not from a lookup.
    client = {k: v for k, v in context["client"].items() if k not in ("ipAddress", "userAgent")}
    return enrich_session(
        context={**context, "client": client},
        previous=previous,
        seen_at_ms=int(at.timestamp() * 1000),
        geo=None,
        own_hosts=OWN_HOSTS,
    )
