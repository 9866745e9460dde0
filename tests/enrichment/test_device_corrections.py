"""OS and browser names ua-parser misses, non-browser software that is no bot, TV panels,
tablets."""

from __future__ import annotations

import pytest

from enrichment.device import parse_device

# (user agent, os name, os version)
OS_CASES = [
    ("mozilla/5.0 (linux; android 9; armor_7) applewebkit/537.36 (khtml, like gecko) "
     "chrome/83.0.4103.106 mobile safari/537.36", "Android", "9"),
    ("Mozilla/5.0 (Linux; Andr0id 9; BRAVIA VH1 Build/PTT1) AppleWebKit/537.36 (KHTML, like "
     "Gecko) Chrome/67.0.3396.99 Safari/537.36 OPR/46.0.2207.0 OMI/4.20", "Android", "9"),
    ("UCWEB/2.0 (MIDP-2.0; U; Adr 9; ru; Redmi_Note_8) U2/1.0.0 UCBrowser/11.1.2.1113 U2/1.0.0 "
     "Mobile", "Android", "9"),
    ("dv(iPh12,3);pr(UCBrowser/11.3.5.1203);ov(15_3_1);ss(375x812);bt(GJ);pm(0);bv(0);nm(0);",
     "iOS", "15.3"),
    ("Mozilla/5.0 (Linux; Android 9; Dell Chromebook 11 (3180)) AppleWebKit/537.36 (KHTML, like "
     "Gecko) Chrome/76.0.3809.132 Safari/537.36", "Chrome OS", None),
    ("Mozilla/4.0 (compatible; MSIE 6.0; Windows CE; IEMobile 7.11)", "Windows Mobile", None),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0.0.0 Safari/537.36", "Windows", "10"),
]  # fmt: skip


@pytest.mark.parametrize(("ua", "name", "version"), OS_CASES)
def test_os_names_ua_parser_misses_are_found(ua: str, name: str, version: str | None) -> None:
    assert parse_device(ua)["os"] == {"name": name, "version": version}


# (user agent, browser name, version)
BROWSER_CASES = [
    ("Mozilla/5.0 (Linux; U; Android 4.1.2; tr-tr; GT-S7710 Build/JZO54K) AppleWebKit/534.30 "
     "(KHTML, like Gecko) Version/4.0 Mobile Safari/534.30 ACHEETAHI/2100502012", "CM Browser",
     None),
    ("Mozilla/5.0 (Linux; Android 6.0.1; SM-G930A Build/MMB29M; wv) AppleWebKit/537.36 (KHTML, "
     "like Gecko) Version/4.0 Chrome/55.0.2883.91 Mobile Safari/537.36 ACHEETAHI/1", "CM Browser",
     None),
    ("Mozilla/5.0 (Linux; U; Android 4.4.4; fa-; GT-I9060I Build/KTU84P) AppleWebKit/534.24 "
     "(KHTML, like Gecko) Version/4.0 Mobile Safari/534.24 T5/2.0 bdbrowser_i18n/6.4.0.4",
     "Baidu Browser", "6.4"),
    ("Mozilla/5.0 (Linux; U; Android 4.2.1; zh-cn; MI 3 Build/JOP40D) AppleWebKit/534.30 (KHTML, "
     "like Gecko) Version/4.0 Mobile Safari/534.30 XiaoMi/MiuiBrowser/1.0", "MiuiBrowser", "1.0"),
    ("Mozilla/5.0 (Linux; U; Android 5.1; en-US; iris 505c Build/LMY47I) AppleWebKit/537.36 "
     "(KHTML, like Gecko) Version/4.0 OPR/16.0.2168.102992 Mobile Safari/537.36", "Opera Mobile",
     "16.0"),
    # HbbTV is the TV standard, not the browser.
    ("Opera/9.80 (Linux mips; U; HbbTV/1.1.1 (+PVR+RTSP;Airties;Air7210;16999168;;); xx) "
     "Presto/2.10.287 Version/12.00", "Opera", "12.00"),
    ("Mozilla/5.0 (Web0S; Linux/SmartTV) AppleWebKit/537.36 (KHTML, like Gecko) QtWebEngine/5.2.1 "
     "Chrome/38.0.2125.122 Safari/537.36 HbbTV/1.2.1 (+DRM; LGE; 49UH668V-ZA; WEBOS3.0 03.00.87)",
     "Chrome", "38.0"),
    # "M bot 51" is a phone, not a bot named M.
    ("Mozilla/5.0 (Linux; Android 7.0; M bot 51 Build/NRD90M) AppleWebKit/537.36 (KHTML, like "
     "Gecko) Chrome/56.0.2924.87 Mobile Safari/537.36", "Chrome Mobile", "56.0"),
    ("Mozilla/5.0 (Windows; U; Windows NT 5.0; en-US; rv:1.4b) Gecko/20030516 Mozilla "
     "Firebird/0.6", "Firebird", "0.6"),
    ("Mozilla/5.0 (Windows; U; Windows NT 5.1; en-US; rv:1.9.2pre) Gecko/20100115 Prism/1.0b3",
     "Prism", "1.0"),
    # Browsers ua-parser names are left alone.
    ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
     "Mobile Safari/537.36 OPR/79.0.0.0", "Opera Mobile", "79.0"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
     "Gecko) Version/17.2 Mobile/15E148 Safari/604.1", "Mobile Safari", "17.2"),
    ("Mozilla/5.0 (Linux; U; Android 4.0.3; en-us; GT-I9100 Build/IML74K) AppleWebKit/534.30 "
     "(KHTML, like Gecko) Version/4.0 Mobile Safari/534.30", "Android", "4.0"),
]  # fmt: skip


@pytest.mark.parametrize(("ua", "name", "version"), BROWSER_CASES)
def test_browser_names_ua_parser_misses_are_found(ua: str, name: str, version: str | None) -> None:
    client = parse_device(ua)["client"]
    assert (client["name"], client["version"], client["type"]) == (name, version, "browser")


# (user agent, client type)
SOFTWARE = [
    ("Liferea/1.10.6 (Linux; en_US.UTF8; http://liferea.sf.net/) AppleWebKit (KHTML, like Gecko)",
     "feed reader"),
    ("PodcastAddict/v5 ( https://podcastaddict.com/; Android podcast app)", "media player"),
    ("NEXT 2000 WiFi_VLC/3.0.14 LibVLC/3.0.14", "media player"),
    ("Sonos/71.0-37271 (Play:3)", "media player"),
    ("Microsoft Office/16.0 (OMDroid 12; officemobile 16.0.15629; Pro)", "app"),
    ("WhatsApp/2.18.79 Android/5.1 Device/Meizu-MX5", "app"),
]  # fmt: skip


@pytest.mark.parametrize(("ua", "kind"), SOFTWARE)
def test_peoples_non_browser_software_is_typed_and_no_bot(ua: str, kind: str) -> None:
    data = parse_device(ua)
    assert data["client"]["type"] == kind
    assert data["is_bot"] is False


@pytest.mark.parametrize(
    "ua",
    [
        "Overcast/1.0 Podcast Sync (123 subscribers; feed-id=456789; +http://overcast.fm/)",
        "WhatsApp/2.19.92 i",
        "PocketCasts/1.0 (Pocket Casts Feed Parser; +http://pocketcasts.com/)",
    ],
)
def test_app_names_that_fetch_for_many_people_stay_bots(ua: str) -> None:
    assert parse_device(ua)["is_bot"] is True


@pytest.mark.parametrize(
    ("ua", "device_class"),
    [
        ("Mozilla/5.0 (Linux; Android 13; 43LU6000T Build/TP1A.220905.004.A2; wv) AppleWebKit/"
         "537.36 (KHTML, like Gecko) Version/4.0 Chrome/101.0 Safari/537.36", "tv"),
        ("Mozilla/5.0 (Linux; Android 4.4.4; ELED-50SMART_UHD) AppleWebKit/537.36 (KHTML, like "
         "Gecko) Chrome/69.0.3497.100 Safari/537.36", "tv"),
        ("Mozilla/5.0 (Linux; Android 7.0; SMART 4G GEN C 5.0) AppleWebKit/537.36 (KHTML, like "
         "Gecko) Chrome/78.0.3904.96 Mobile Safari/537.36", "mobile"),
        ("Mozilla/5.0 (Linux; Android 8.0; Pixel 2 Build/OPD3.170816.012) AppleWebKit/537.36 "
         "(KHTML, like Gecko) Chrome/60.0.5990.1209 Mobile Safari/537.36", "mobile"),
    ],
)  # fmt: skip
def test_tv_panels_are_tvs_and_build_ids_are_no_tablets(ua: str, device_class: str) -> None:
    assert parse_device(ua)["device_class"] == device_class


# Old and rare browsers that crawler signatures used to catch: a "(compatible; ...)" comment
# that names the desktop system, and a self-named browser with its home page.
BROWSERS_NOT_BOTS = [
    "Mozilla/5.0 (compatible;FW 2.0.4870.p; MSIE 9.0; Windows NT 6.1; WOW64; Trident/5.0)",
    "Mozilla/4.0 (compatible; Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 5.1; Trident/4.0; "
    "GTB6; Acoo Browser; .NET CLR 1.1.4322; .NET CLR 2.0.50727); Windows NT 5.1; Trident/4.0)",
    "Mozilla/5.0 (compatible; IBrowse 3.0; AmigaOS4.0)",
    "Mozilla/3.0 (compatible; NetPositive/2.2.1; BeOS)",
    "AmigaVoyager/2.95 (compatible; MC680x0; AmigaOS)",
    "Avant Browser/1.2.789rel1 (http://www.avantbrowser.com)",
    "Mozilla/5.0 (X11; U; Linux; en-US) AppleWebKit/534.34 (KHTML, like Gecko)  QtWeb Internet "
    "Browser/3.8.5 http://www.QtWeb.net",
]


@pytest.mark.parametrize("ua", BROWSERS_NOT_BOTS)
def test_old_browsers_that_name_their_system_or_home_page_are_no_bots(ua: str) -> None:
    assert parse_device(ua)["is_bot"] is False


@pytest.mark.parametrize(
    "ua",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; SiteCheck/1.0; +https://example.com/about)",
        "Mozilla/5.0 (compatible; Exabot/3.0; +http://www.exabot.com/go/robot)",
        "Mozilla/5.0 (compatible; Fetcher/0.9)",
    ],
)
def test_compatible_and_contact_signatures_still_find_crawlers(ua: str) -> None:
    assert parse_device(ua)["is_bot"] is True
