"""Accuracy of enrichment.device on public labelled user-agent corpora: the report.

Reads the corpora from the paths given and downloads nothing; none of them is committed,
and none is ua-parser's own test suite. docs/enrichment.md names the versions measured.

    .venv/bin/python bench/ua_accuracy.py \\
        --matomo DIR     # matomo-org/device-detector checkout (Tests/fixtures/*.yml), LGPL-3.0
        --crawlers FILE  # monperrus/crawler-user-agents crawler-user-agents.json, MIT
        --intoli FILE    # user-agents (npm) dist/user-agents.json: real traffic, GA's device
                         # category, BSD-2-Clause
        --uap-js DIR     # faisalman/ua-parser-js checkout (test/data/ua), AGPL-3.0
        [--browscap DIR] # browscap/browscap checkout (tests/issues/*.php), MIT
        [--misses browser|os|device|bot|human|browscap]

Label taxonomies differ from ours: each corpus's labels are compared at the granularity it
has (Matomo's browser families, Matomo's OS families, device classes). Browser names, ours
and Browscap's, get the family Matomo's own table (Parser/Client/Browser.php) gives the
same browser. The name maps below only translate names; they never look at the user agent.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml

from enrichment.device import parse_device, resolver_name

try:
    from yaml import CSafeLoader as Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as Loader  # type: ignore[assignment]

DEVICE_TYPES = {
    "smartphone": "mobile", "phablet": "mobile", "feature phone": "mobile", "tablet": "tablet",
    "tv": "tv", "console": "console", "desktop": "desktop", "wearable": "wearable",
    "car browser": "car", "portable media player": "mobile", "smart display": "other",
    "smart speaker": "other", "peripheral": "other", "camera": "other",
}  # fmt: skip
OUR_CLASSES = {"ereader": "other", "unknown": "other"}
# Our browser names (ua-parser's) where Matomo spells the same browser otherwise; Firefox's
# pre-release code names are Firefox.
MATOMO_NAMES = {
    "Android": "Android Browser", "IE": "Internet Explorer", "Edge": "Microsoft Edge",
    "Edge Mobile": "Microsoft Edge", "Chrome Mobile WebView": "Chrome Webview",
    "Samsung Internet": "Samsung Browser", "Firefox iOS": "Firefox Mobile iOS",
    "Amazon Silk": "Mobile Silk", "MiuiBrowser": "Mi Browser",
    "Seznam prohlížeč": "Seznam Browser", "DuckDuckGo Mobile": "DuckDuckGo Privacy Browser",
    "DuckDuckGo": "DuckDuckGo Privacy Browser", "Puffin": "Puffin Web Browser",
    "Opera Tablet": "Opera Mobile", "Ovi Browser": "Nokia Ovi Browser",
    "Whale": "Whale Browser", "AOL Shield Browser": "AOL Shield", "AOLShield": "AOL Shield",
    "Dragon": "Comodo Dragon", "Nokia": "Nokia Browser",
    "Firefox (Minefield)": "Firefox", "Firefox (Shiretoko)": "Firefox",
    "Firefox (Namoroka)": "Firefox", "Firefox Beta": "Firefox", "Firefox Alpha": "Firefox",
    "Bon Echo": "Firefox", "GranParadiso": "Firefox", "MobileSafari": "Mobile Safari",
}  # fmt: skip
# Our names for browsers Matomo's table lacks or names otherwise, by the family Matomo's
# fixtures give them (ua-parser's "Vewd Browser" is Matomo's "Opera Devices").
MATOMO_BROWSER = {
    "Mobile Safari UI/WKWebView": "Safari", "CFNetwork": "Safari", "WebKit Nightly": "Safari",
    "Opera Coast": "Safari", "Google": "Safari", "Vewd Browser": "Opera",
    "NetFront NX": "NetFront", "Nokia Services (WAP) Browser": "Nokia Browser",
    "BlackBerry WebKit": "BlackBerry Browser", "BlackBerry": "BlackBerry Browser",
    "Baidu Explorer": "Baidu", "Sailfish Browser": "Sailfish Browser",
}  # fmt: skip
# Names of Chromium browsers (Matomo's "Chrome" family) when the name says nothing.
CHROMIUM_WORDS = ("Chrom", "Samsung", "Silk", "Yandex", "Miui", "Huawei", "Vivaldi",
                  "Brave", "Puffin", "Oculus", "Whale", "HeyTap", "Mint", "Aloha", "Qt Web")  # fmt: skip
# Our OS names → Matomo's OS families.
MATOMO_OS = {
    "Mac OS X": "Mac", "Windows": "Windows", "Windows Phone": "Windows Mobile",
    "Windows Mobile": "Windows Mobile", "Windows CE": "Windows Mobile", "iOS": "iOS",
    "iPadOS": "iOS", "WatchOS": "iOS", "ATV OS X": "iOS", "tvOS": "iOS", "Android": "Android",
    "Chrome OS": "Chrome OS", "KaiOS": "Firefox OS", "Firefox OS": "Firefox OS",
    "BlackBerry OS": "BlackBerry", "BlackBerry Tablet OS": "BlackBerry",
    "Symbian OS": "Symbian", "Symbian^3": "Symbian", "Symbian": "Symbian", "BREW": "Brew",
    "Brew MP": "Brew", "FreeBSD": "Unix", "OpenBSD": "Unix", "NetBSD": "Unix",
    "Solaris": "Unix", "Tizen": "Other Mobile", "Bada": "Other Mobile", "MeeGo": "Other Mobile",
    "webOS": "Other Mobile", "Web0S": "Other Mobile", "GoogleTV": "Google TV",
    "Chromecast Linux": "GNU/Linux", "Chromecast Fuchsia": "GNU/Linux",
    "Nokia Series 40": "Symbian", "PlayStation": "Gaming Console", "Nintendo": "Gaming Console",
    "Xbox": "Gaming Console",
}  # fmt: skip
LINUXES = ("Linux", "Ubuntu", "Debian", "Fedora", "SUSE", "Red Hat", "CentOS", "Gentoo",
           "Kubuntu", "Slackware", "Arch Linux", "Mageia", "Mint", "Mandriva")  # fmt: skip
NON_BROWSER_TYPES = ("feed reader", "mediaplayer", "mobile app", "library", "pim")


def share(hits: int, total: int) -> str:
    return f"{hits / total:.3f} ({hits}/{total})" if total else "n/a"


def matomo_families(folder: Path) -> dict[str, str]:
    """Matomo's browser name → family table, names lower-cased (Parser/Client/Browser.php)."""
    php = (folder / "Parser" / "Client" / "Browser.php").read_text()
    php = re.sub(r"^\s*//.*$", "", php, flags=re.MULTILINE)  # retired codes are comments

    def block(name: str) -> str:
        return php.split(f"${name} = [", 1)[1].split("];", 1)[0]

    names = dict(re.findall(r"'(\w\w)'\s*=>\s*'([^']*)'", block("availableBrowsers")))
    families = re.findall(r"'([^']+)'\s*=>\s*\[(.*?)\]", block("browserFamilies"), re.DOTALL)
    return {
        names[code].lower(): family
        for family, codes in families
        for code in re.findall(r"'(\w\w)'", codes)
    }


def matomo_browser(name: str | None, families: dict[str, str]) -> str:
    if not name:
        return "Unknown"
    name = MATOMO_NAMES.get(name, name)
    family = MATOMO_BROWSER.get(name) or families.get(name.lower())
    if family:
        return family
    if any(word in name for word in CHROMIUM_WORDS):
        return "Chrome"
    return name


def matomo_os(name: str | None) -> str:
    if not name:
        return "Unknown"
    return "GNU/Linux" if name in LINUXES else MATOMO_OS.get(name, name)


def our_class(data: dict[str, Any]) -> str:
    if data["is_bot"]:
        return "bot"
    return OUR_CLASSES.get(data["device_class"], data["device_class"])


class Score:
    """Right / total per label, with the misses kept for --misses."""

    def __init__(self) -> None:
        self.total: Counter[str] = Counter()
        self.right: Counter[str] = Counter()
        self.misses: list[str] = []

    def add(self, label: str, ok: bool, miss: str) -> None:
        self.total[label] += 1
        self.right[label] += ok
        if not ok:
            self.misses.append(miss)

    def overall(self) -> str:
        return share(sum(self.right.values()), sum(self.total.values()))

    def rows(self, limit: int = 12) -> Iterator[str]:
        for label, n in self.total.most_common(limit):
            yield f"| {label} | {share(self.right[label], n)} |"


def matomo_entries(folder: Path) -> tuple[list[dict[str, Any]], list[str]]:
    entries: list[dict[str, Any]] = []
    bots: list[str] = []
    for path in sorted((folder / "Tests" / "fixtures").glob("*.yml")):
        rows = yaml.load(path.read_text(), Loader=Loader) or []
        if path.name == "bots.yml":
            bots = [str(row["user_agent"]) for row in rows]
        else:
            entries.extend(row for row in rows if isinstance(row, dict))
    return entries, bots


def score_matomo(entries: Iterable[dict[str, Any]], families: dict[str, str]) -> dict[str, Score]:
    scores = {name: Score() for name in ("browser", "os", "device", "human", "nonbrowser")}
    for entry in entries:
        ua = str(entry["user_agent"])
        data = parse_device(ua)
        client = entry.get("client") or {}
        kind = client.get("type")
        if kind in NON_BROWSER_TYPES:
            scores["nonbrowser"].add(str(kind), not data["is_bot"], f"bot: {ua}")
            continue
        device = DEVICE_TYPES.get(str((entry.get("device") or {}).get("type")))
        if kind != "browser":
            continue
        scores["human"].add("browser", not data["is_bot"], f"bot: {ua}")
        family = str(entry.get("browser_family") or "Unknown")
        if family != "Unknown":
            got = matomo_browser(data["client"]["name"], families)
            scores["browser"].add(family, got == family, f"{family} -> {got}: {ua}")
        os_family = str(entry.get("os_family") or "Unknown")
        if os_family != "Unknown":
            got = matomo_os(data["os"]["name"])
            scores["os"].add(os_family, got == os_family, f"{os_family} -> {got}: {ua}")
        if device:
            got = our_class(data)
            scores["device"].add(device, got == device, f"{device} -> {got}: {ua}")
    return scores


def score_bots(uas: Iterable[str]) -> Score:
    score = Score()
    for ua in uas:
        score.add("bot", bool(parse_device(ua)["is_bot"]), ua)
    return score


def crawler_instances(path: Path) -> list[str]:
    entries = json.loads(path.read_text())
    return [ua for entry in entries for ua in entry.get("instances", [])]


# navigator.platform → OS. "Linux x86_64" is left out: desktop Linux, Chrome OS, Android
# emulators and the corpus's own spoofed records (iPhone UAs) all report it.
INTOLI_PLATFORMS = {"iPhone": "iOS", "iPad": "iOS", "MacIntel": "Mac OS X", "Win32": "Windows",
                    "Linux armv81": "Android", "Linux armv8l": "Android",
                    "Linux aarch64": "Android"}  # fmt: skip


def score_intoli(path: Path) -> dict[str, Score]:
    """Real browsers' UAs (weighted by traffic, each counted once): GA's device category,
    and the OS their navigator.platform names."""
    scores = {"device": Score(), "human": Score(), "os": Score()}
    for row in json.loads(path.read_text()):
        ua, label = str(row["userAgent"]), str(row["deviceCategory"])
        data = parse_device(ua)
        got = our_class(data)
        scores["device"].add(label, got == label, f"{label} -> {got}: {ua}")
        scores["human"].add("browser", not data["is_bot"], f"bot: {ua}")
        os_label = INTOLI_PLATFORMS.get(str(row.get("platform")))
        if os_label:
            got = str(data["os"]["name"])
            scores["os"].add(os_label, got == os_label, f"{os_label} -> {got}: {ua}")
    return scores


UAP_JS_TYPES = {"mobile": "mobile", "tablet": "tablet", "smarttv": "tv", "console": "console",
                "wearable": "wearable", "embedded": "other", "xr": "wearable"}  # fmt: skip


def score_uap_js(folder: Path) -> dict[str, Score]:
    """ua-parser-js's device files: each names a device type (or none, for desktops)."""
    scores = {"device": Score()}
    for path in sorted((folder / "test" / "data" / "ua" / "device").glob("*.json")):
        for row in json.loads(path.read_text()):
            expected = UAP_JS_TYPES.get(str(row["expect"].get("type")))
            if expected is None:
                continue
            ua = str(row["ua"])
            got = our_class(parse_device(ua))
            scores["device"].add(expected, got == expected, f"{expected} -> {got}: {ua}")
    return scores


# Browscap's spellings of browsers Matomo names otherwise.
BROWSCAP_NAMES = {
    "Android": "Android Browser", "Android WebView": "Chrome Webview", "IE": "Internet Explorer",
    "IEMobile": "IE Mobile", "Edge": "Microsoft Edge", "Edge Mobile": "Microsoft Edge",
    "Puffin": "Puffin Web Browser", "BlackBerry": "BlackBerry Browser",
    "Firefox for iOS": "Firefox Mobile iOS", "Silk": "Mobile Silk", "Dragon": "Comodo Dragon",
    "Nokia Proxy Browser": "Nokia Ovi Browser", "Coc Coc Browser": "Coc Coc",
    "Miui Browser": "Mi Browser", "DuckDuckGo Browser": "DuckDuckGo Privacy Browser",
    "HuaweiBrowser": "Huawei Browser", "QQBrowser": "QQ Browser", "PaleMoon": "Pale Moon",
    "Navigator": "Netscape", "Epiphany": "GNOME Web", "SEMC": "SEMC-Browser",
}  # fmt: skip
_PHP_ENTRY = re.compile(
    r"'ua' => '((?:[^'\\]|\\.)*)',\s*'properties' => \[(.*?)\n\s*\],", re.DOTALL
)
_PHP_FIELD = re.compile(r"'(\w+)' => '((?:[^'\\]|\\.)*)'")


def php_text(quoted: str) -> str:
    return quoted.replace("\\'", "'").replace("\\\\", "\\")


def browscap_browsers(folder: Path) -> dict[str, str]:
    """UA → browser name of Browscap's tests/issues whose Browser_Type is "Browser" (not
    a bot, app, mail client or library); each UA once."""
    found: dict[str, str] = {}
    for path in sorted((folder / "tests" / "issues").glob("*.php")):
        for ua, properties in _PHP_ENTRY.findall(path.read_text()):
            fields = {key: php_text(value) for key, value in _PHP_FIELD.findall(properties)}
            if fields.get("Browser_Type") == "Browser":
                found.setdefault(php_text(ua), fields["Browser"])
    return found


def score_browscap(browsers: dict[str, str], families: dict[str, str]) -> dict[str, Score]:
    """Browscap's browser names at Matomo's family granularity; names Matomo gives no family
    ("Default Browser", UC Browser, in-app webviews) are left out, as in Matomo's fixtures."""
    scores = {"browser": Score(), "excluded": Score(), "human": Score()}
    for ua, name in browsers.items():
        data = parse_device(ua)
        scores["human"].add("browser", not data["is_bot"], f"bot: {ua}")
        family = families.get(BROWSCAP_NAMES.get(name, name).lower())
        if family is None:
            scores["excluded"].add(name, True, "")
            continue
        got = matomo_browser(data["client"]["name"], families)
        scores["browser"].add(family, got == family, f"{name} ({family}) -> {got}: {ua}")
    return scores


def print_table(title: str, score: Score, detail: bool = True) -> None:
    print(f"\n| {title} | right |\n|---|---|")
    if detail:
        for row in score.rows():
            print(row)
    print(f"| **all** | {score.overall()} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--matomo", type=Path, required=True)
    parser.add_argument("--crawlers", type=Path, required=True)
    parser.add_argument("--intoli", type=Path, required=True)
    parser.add_argument("--uap-js", type=Path, required=True)
    parser.add_argument("--browscap", type=Path)
    parser.add_argument("--misses", help="browser, os, device, bot, human, nonbrowser, browscap")
    args = parser.parse_args()
    print(f"ua-parser resolver: {resolver_name()}")
    entries, matomo_bots = matomo_entries(args.matomo)
    families = matomo_families(args.matomo)
    matomo = score_matomo(entries, families)
    intoli = score_intoli(args.intoli)
    uap_js = score_uap_js(args.uap_js)
    bots = {"crawler-user-agents": score_bots(crawler_instances(args.crawlers)),
            "Matomo bots.yml": score_bots(matomo_bots)}  # fmt: skip
    print_table("Matomo fixtures: browser family", matomo["browser"])
    browscap = score_browscap(browscap_browsers(args.browscap), families) if args.browscap else {}
    if browscap:
        print_table("Browscap tests/issues: browser family", browscap["browser"])
        left_out = browscap["excluded"].total
        names = ", ".join(f"{name} {n}" for name, n in left_out.most_common(8))
        print(
            f"\nleft out (no Matomo family): {left_out.total()} UAs of {len(left_out)} names: {names}…"
        )
    print_table("Matomo fixtures: OS family", matomo["os"])
    print_table("user-agents (real traffic): OS family", intoli["os"])
    # Not independent: enrichment/data/device_models.json is built from Matomo's regexes.
    print_table("Matomo fixtures: device class (model table is Matomo's)", matomo["device"])
    print_table("user-agents (real traffic): device class", intoli["device"])
    print_table("ua-parser-js fixtures: device class", uap_js["device"])
    print("\n| bots found (recall) | right |\n|---|---|")
    for name, score in bots.items():
        print(f"| {name} | {score.overall()} |")
    print("\n| not a bot | right |\n|---|---|")
    print(f"| Matomo browser fixtures (humans) | {matomo['human'].overall()} |")
    print(f"| user-agents real traffic (humans) | {intoli['human'].overall()} |")
    if browscap:
        print(f"| Browscap tests/issues browsers (humans) | {browscap['human'].overall()} |")
    for row in matomo["nonbrowser"].rows():
        print(row.replace("| ", "| non-browser client: ", 1))
    if args.misses:
        pools = {"browser": matomo["browser"], "os": matomo["os"], "human": intoli["human"],
                 "nonbrowser": matomo["nonbrowser"], "browscap": browscap.get("browser", Score())}  # fmt: skip
        misses = {
            "device": matomo["device"].misses + intoli["device"].misses + uap_js["device"].misses,
            "bot": bots["crawler-user-agents"].misses + bots["Matomo bots.yml"].misses,
            "human": matomo["human"].misses + intoli["human"].misses,
        }.get(args.misses) or pools[args.misses].misses
        print("\n".join(f"   {m}" for m in misses))


if __name__ == "__main__":
    main()
