"""parse_device on real-world user agents: class, bot flag, OS and client."""

from __future__ import annotations

import pytest

from enrichment.device import parse_device, resolver_name

# (user agent, device_class, bot name or None)
DEVICES: list[tuple[str, str, str | None]] = [
    # desktop browsers
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", "desktop", None),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0", "desktop", None),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91", "desktop", None),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15", "desktop", None),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", "desktop", None),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14.2; rv:121.0) Gecko/20100101 Firefox/121.0", "desktop", None),
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", "desktop", None),
    ("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0", "desktop", None),
    ("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", "desktop", None),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 OPR/106.0.0.0", "desktop", None),
    ("Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko", "desktop", None),
    # phones
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2_1 like Mac OS X)", "mobile", None),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1", "mobile", None),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1", "mobile", None),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/444.0.0.30.110;FBBV/547014473]", "mobile", None),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 311.0.2.28.111 (iPhone15,3; iOS 17_1; en_US; en)", "mobile", None),
    ("Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36", "mobile", None),
    ("Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36", "mobile", None),
    ("Mozilla/5.0 (Linux; Android 14; Pixel 8 Pro) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36", "mobile", None),
    ("Mozilla/5.0 (Linux; Android 13; 2201116SG) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36", "mobile", None),
    ("Mozilla/5.0 (Linux; U; Android 12; en-us; Redmi Note 11 Build/SKQ1.211103.001) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/112.0.5615.136 Mobile Safari/537.36 XiaoMi/MiuiBrowser/14.3.0-gn", "mobile", None),
    ("Mozilla/5.0 (Android 14; Mobile; rv:121.0) Gecko/121.0 Firefox/121.0", "mobile", None),
    ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36", "mobile", None),
    ("Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/110.0.0.0 Mobile Safari/537.36", "mobile", None),
    ("Mozilla/5.0 (Windows Phone 10.0; Android 6.0.1; Microsoft; Lumia 950) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/52.0.2743.116 Mobile Safari/537.36 Edge/15.15063", "mobile", None),
    ("Opera/9.80 (J2ME/MIDP; Opera Mini/9.80 (S60; SymbOS; Opera Mobi/23.348; U; en) Presto/2.5.25 Version/10.54", "mobile", None),
    ("Mozilla/5.0 (Mobile; LYF/F300B/LYF-F300B-001-01-15-130718-i;Android; rv:48.0) Gecko/48.0 Firefox/48.0 KAIOS/2.5", "mobile", None),
    # tablets
    ("Mozilla/5.0 (iPad; CPU OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1", "tablet", None),
    ("Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", "tablet", None),
    ("Mozilla/5.0 (Linux; Android 11; SM-T500) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36", "tablet", None),
    ("Mozilla/5.0 (Linux; Android 11; KFTRWI) AppleWebKit/537.36 (KHTML, like Gecko) Silk/120.3.1 like Chrome/120.0.6099.230 Safari/537.36", "tablet", None),
    ("Mozilla/5.0 (Linux; Android 12; Lenovo TB-X606F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36", "tablet", None),
    ("Mozilla/5.0 (Linux; Android 6.0.1; Nexus 7 Build/MOB30X) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/85.0.4183.81 Safari/537.36", "tablet", None),
    ("Mozilla/5.0 (Linux; Android 12; Some Unknown Model) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", "tablet", None),
    ("Mozilla/5.0 (Android 13; Tablet; rv:121.0) Gecko/121.0 Firefox/121.0", "tablet", None),
    # e-readers, TVs, consoles, wearables, cars
    ("Mozilla/5.0 (X11; U; Linux armv7l like Android; en-us) AppleWebKit/531.2+ (KHTML, like Gecko) Version/5.0 Safari/533.2+ Kindle/3.0+", "ereader", None),
    ("Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/538.1 (KHTML, like Gecko) Version/6.0 TV Safari/538.1", "tv", None),
    ("Mozilla/5.0 (Web0S; Linux/SmartTV) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/79.0.3945.79 Safari/537.36 WebAppManager", "tv", None),
    ("Mozilla/5.0 (Linux; Android 9; BRAVIA 4K GB ATV3) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/98.0.4758.101 Safari/537.36", "tv", None),
    ("AppleTV11,1/11.1", "tv", None),
    ("Roku/DVP-9.10 (519.10E04111A)", "tv", None),
    ("Mozilla/5.0 (Linux; Android 9; AFTMM Build/PS7233) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/108.0.5359.160 Mobile Safari/537.36", "tv", None),
    ("Mozilla/5.0 (X11; Linux armv7l) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/91.0.4472.225 Safari/537.36 CrKey/1.56.500000", "tv", None),
    ("Mozilla/5.0 (Linux; Android 12; Android TV Build/STT2.220929.001) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", "tv", None),
    ("Opera/9.80 (Linux mips; U; HbbTV/1.1.1 (; Philips; ; ; ; ) CE-HTML/1.0 NETTV/3.2.1; en) Presto/2.6.33 Version/10.70", "tv", None),
    ("Mozilla/5.0 (PlayStation; PlayStation 5/2.26) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.0 Safari/605.1.15", "console", None),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; Xbox; Xbox One) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edge/44.18363.8131", "console", None),
    ("Mozilla/5.0 (Nintendo Switch; WifiWebAuthApplet) AppleWebKit/606.4 (KHTML, like Gecko) NF/6.0.1.15.4 NintendoBrowser/5.1.0.20393", "console", None),
    ("Mozilla/5.0 (Linux; Android 11; SM-R875F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 Mobile Safari/537.36", "wearable", None),
    ("Mozilla/5.0 (X11; GNU/Linux) AppleWebKit/537.36 (KHTML, like Gecko) Chromium/79.0.3945.130 Chrome/79.0.3945.130 Safari/537.36 Tesla/2020.16.2.1-e99c70fff409", "car", None),
    # crawlers and bots
    ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "bot", "Googlebot"),
    ("Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.71 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "bot", "Googlebot"),
    ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36", "bot", "Bingbot"),
    ("Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", "bot", "YandexBot"),
    ("Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)", "bot", "Baiduspider"),
    ("Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", "bot", "AhrefsBot"),
    ("Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)", "bot", "SemrushBot"),
    ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)", "bot", "GPTBot"),
    ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; ChatGPT-User/1.0; +https://openai.com/bot", "bot", "ChatGPT-User"),
    ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; +claudebot@anthropic.com)", "bot", "ClaudeBot"),
    ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; PerplexityBot/1.0; +https://perplexity.ai/perplexitybot)", "bot", "PerplexityBot"),
    ("CCBot/2.0 (https://commoncrawl.org/faq/)", "bot", "CCBot"),
    ("Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)", "bot", "Bytespider"),
    ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "bot", "facebookexternalhit"),
    ("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "bot", "Slackbot"),
    ("Twitterbot/1.0", "bot", "Twitterbot"),
    ("WhatsApp/2.23.20.0 A", "bot", "WhatsApp"),
    ("TelegramBot (like TwitterBot)", "bot", "TelegramBot"),
    ("Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", "bot", "Discordbot"),
    ("Mozilla/5.0 (compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)", "bot", "UptimeRobot"),
    ("Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)", "bot", "Pingdom"),
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.6099.109 Safari/537.36", "bot", "HeadlessChrome"),
    ("Mozilla/5.0 (Unknown; Linux x86_64) AppleWebKit/538.1 (KHTML, like Gecko) PhantomJS/2.1.1 Safari/538.1", "bot", "PhantomJS"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Chrome-Lighthouse", "bot", "Lighthouse"),
    ("python-requests/2.31.0", "bot", "python-requests"),
    ("Python-urllib/3.11", "bot", "python-urllib"),
    ("Python/3.11 aiohttp/3.9.1", "bot", "aiohttp"),
    ("python-httpx/0.26.0", "bot", "httpx"),
    ("curl/8.4.0", "bot", "curl"),
    ("Wget/1.21.4", "bot", "Wget"),
    ("Go-http-client/2.0", "bot", "Go-http-client"),
    ("okhttp/4.12.0", "bot", "okhttp"),
    ("Java/17.0.9", "bot", "Java"),
    ("libwww-perl/6.72", "bot", "libwww-perl"),
    ("Scrapy/2.11.0 (+https://scrapy.org)", "bot", "Scrapy"),
    ("node-fetch/1.0 (+https://github.com/bitinn/node-fetch)", "bot", "node-fetch"),
    ("axios/1.6.2", "bot", "axios"),
    ("Mozilla/5.0 (compatible; SomeNewCrawler/0.1; +https://example.org/crawler)", "bot", "SomeNewCrawler"),
    ("Mozilla/5.0 (compatible; Foo/1.0)", "bot", "Foo"),
    ("", "bot", "empty user agent"),
    ("   ", "bot", "empty user agent"),
]  # fmt: skip


@pytest.mark.parametrize(("ua", "device_class", "bot"), DEVICES, ids=range(len(DEVICES)))
def test_device_class_and_bot(ua: str, device_class: str, bot: str | None) -> None:
    data = parse_device(ua)
    assert data["device_class"] == device_class
    assert data["is_bot"] is (bot is not None)
    assert (data["bot"] or {}).get("name") == bot
    assert data["is_mobile"] is (device_class == "mobile")
    assert data["is_desktop"] is (device_class == "desktop")
    assert data["is_tablet"] is (device_class == "tablet")


def test_the_documented_iphone_ua_gives_the_documented_device_data() -> None:
    data = parse_device("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2_1 like Mac OS X)")
    assert data["model"] == "iPhone"
    assert data["os"] == {"name": "iOS", "version": "17.2"}
    assert data["client"]["name"] == "Mobile Safari"
    assert data["client"]["version"] == "17.2"
    assert (data["is_mobile"], data["is_desktop"]) == (True, False)


@pytest.mark.parametrize(
    ("ua", "os", "client"),
    [
        (DEVICES[0][0], ("Windows", "10"), ("Chrome", "120.0", "browser")),
        (DEVICES[3][0], ("Mac OS X", "10.15"), ("Safari", "17.2", "browser")),
        (DEVICES[16][0], ("Android", "14"), ("Chrome Mobile", "120.0", "browser")),
        (DEVICES[14][0], ("iOS", "16.6"), ("Facebook", "444.0", "app")),
        ("python-requests/2.31.0", (None, None), ("Python Requests", "2.31", "library")),
    ],
)
def test_os_and_client_versions_are_major_minor(
    ua: str, os: tuple[str | None, str | None], client: tuple[str, str, str]
) -> None:
    data = parse_device(ua)
    assert (data["os"]["name"], data["os"]["version"]) == os
    assert (data["client"]["name"], data["client"]["version"], data["client"]["type"]) == client


def test_a_samsung_phone_names_its_brand_and_model() -> None:
    data = parse_device(DEVICES[16][0])
    assert (data["brand"], data["model"]) == ("Samsung", "SM-S918B")


def test_a_browser_from_a_hosting_ip_is_marked_as_datacenter_traffic() -> None:
    data = parse_device(DEVICES[0][0], hosting_ip=True)
    assert data["is_bot"] is True
    assert data["bot"] == {"name": "datacenter traffic", "category": "datacenter"}
    assert data["device_class"] == "desktop"  # what the UA says is kept


def test_a_known_bot_from_a_hosting_ip_keeps_its_name() -> None:
    data = parse_device("Mozilla/5.0 (compatible; Googlebot/2.1)", hosting_ip=True)
    assert data["bot"] == {"name": "Googlebot", "category": "search_engine"}


@pytest.mark.parametrize(
    "garbage", [None, 5, b"curl/8", ["x"], "\x00\x00", "\ud800", "x" * 100_000]
)
def test_garbage_user_agents_never_raise(garbage: object) -> None:
    data = parse_device(garbage)  # type: ignore[arg-type]
    assert isinstance(data["is_bot"], bool)


def test_the_rust_resolver_of_ua_parser_is_the_one_in_use() -> None:
    assert resolver_name() == "regex"  # ua_parser.regex wraps ua-parser-rs


def test_results_are_independent_copies() -> None:
    first = parse_device(DEVICES[0][0])
    first["os"]["name"] = "changed"
    assert parse_device(DEVICES[0][0])["os"]["name"] == "Windows"
