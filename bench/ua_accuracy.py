"""Device-class and bot accuracy of enrichment.device on public user-agent corpora.

Corpora (neither is ua-parser's own test suite, neither is committed):
- crawler-user-agents (npm): crawler patterns with real `instances` -> crawler recall;
- Matomo device-detector fixtures, shipped in the `device-detector` wheel on PyPI: UAs
  labelled with a device type (smartphone, tablet, tv, console, ...) and a bot list.

Usage:
    .venv/bin/python bench/ua_accuracy.py                 # fetches both into a temp dir
    .venv/bin/python bench/ua_accuracy.py --corpus DIR    # DIR from an earlier --keep run
    .venv/bin/python bench/ua_accuracy.py --misses tablet # print UAs we got wrong

Fetching uses `npm pack` and `pip download --no-deps`: a dev tool, not the service.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ua_parser
import yaml

from enrichment.device import parse_device, resolver_name

CRAWLERS_NPM = "crawler-user-agents@1.60.0"
MATOMO_PYPI = "device-detector==6.5.1"
FIXTURES = "device_detector/tests/fixtures/upstream"
MATOMO_CLASSES = {
    "smartphone": "mobile",
    "phablet": "mobile",
    "feature phone": "mobile",
    "tablet": "tablet",
    "tv": "tv",
    "console": "console",
    "desktop": "desktop",
    "wearable": "wearable",
    "car browser": "car",
}
DESKTOP_OS = {"Windows", "Mac OS X", "Linux", "Chrome OS", "Ubuntu", "Fedora", "FreeBSD"}


def fetch(folder: Path) -> None:
    """Download both corpora into `folder` with the ordinary package clients."""
    subprocess.run(["npm", "pack", CRAWLERS_NPM, "--pack-destination", str(folder)], check=True)
    tarball = next(folder.glob("crawler-user-agents-*.tgz"))
    subprocess.run(["tar", "xzf", str(tarball), "-C", str(folder)], check=True)
    pip = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(folder)]
    subprocess.run([*pip, MATOMO_PYPI], check=True)
    with zipfile.ZipFile(next(folder.glob("device_detector-*.whl"))) as wheel:
        members = [n for n in wheel.namelist() if n.startswith(FIXTURES) and n.endswith(".yml")]
        wheel.extractall(folder, members)


def crawler_instances(folder: Path) -> list[str]:
    entries = json.loads((folder / "package" / "crawler-user-agents.json").read_text())
    return [ua for entry in entries for ua in entry.get("instances", [])]


def matomo_entries(folder: Path) -> Iterable[dict[str, object]]:
    for path in sorted((folder / FIXTURES).glob("*.yml")):
        yield from yaml.safe_load(path.read_text()) or []


def baseline_class(ua: str) -> str:
    """What ua-parser alone says, mapped the obvious way (it has no device type)."""
    result = ua_parser.parse(ua)
    device, os = result.device, result.os
    if device and device.family == "Spider":
        return "bot"
    if device and (device.family == "iPad" or device.brand == "Generic_Android_Tablet"):
        return "tablet"
    if os and os.family in DESKTOP_OS:
        return "desktop"
    return "mobile" if device and device.family != "Other" else "unknown"


def ours_class(ua: str) -> str:
    data = parse_device(ua)
    return "bot" if data["is_bot"] else str(data["device_class"])


def share(hits: int, total: int) -> str:
    return f"{100 * hits / total:5.1f}% ({hits}/{total})" if total else "n/a"


def report_bots(name: str, uas: list[str], misses: bool) -> None:
    base = sum(baseline_class(ua) == "bot" for ua in uas)
    ours = sum(parse_device(ua)["is_bot"] for ua in uas)
    print(f"| {name} | {share(base, len(uas))} | {share(ours, len(uas))} |")
    if misses:
        for ua in uas:
            if not parse_device(ua)["is_bot"]:
                print("   missed:", ua)


def report_devices(labelled: list[tuple[str, str]], show: str | None) -> None:
    totals: Counter[str] = Counter()
    base_hits: Counter[str] = Counter()
    our_hits: Counter[str] = Counter()
    for ua, expected in labelled:
        totals[expected] += 1
        base_hits[expected] += baseline_class(ua) == expected
        got = ours_class(ua)
        our_hits[expected] += got == expected
        if show == expected and got != expected:
            print(f"   {expected} -> {got}: {ua}")
    for cls in sorted(totals, key=lambda c: -totals[c]):
        base, ours = share(base_hits[cls], totals[cls]), share(our_hits[cls], totals[cls])
        print(f"| {cls} | {base} | {ours} |")
    all_base, all_ours, n = sum(base_hits.values()), sum(our_hits.values()), sum(totals.values())
    print(f"| **all** | {share(all_base, n)} | {share(all_ours, n)} |")


def false_bots(labelled: list[tuple[str, str]], classify: Callable[[str], str]) -> str:
    flagged = sum(classify(ua) == "bot" for ua, _ in labelled)
    return share(flagged, len(labelled))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, help="folder with the unpacked corpora")
    parser.add_argument("--keep", type=Path, help="fetch into this folder and keep it")
    parser.add_argument("--misses", help="print misclassified UAs of this class (or 'bot')")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.corpus or args.keep or Path(tmp)
        if args.corpus is None:
            folder.mkdir(parents=True, exist_ok=True)
            fetch(folder)
        run(folder, args.misses)


def run(folder: Path, misses: str | None) -> None:
    entries = list(matomo_entries(folder))
    bots = [str(e["user_agent"]) for e in entries if "bot" in e]
    labelled = [
        (str(e["user_agent"]), MATOMO_CLASSES[str(e["device"]["type"])])  # type: ignore[index]
        for e in entries
        if "bot" not in e
        and isinstance(e.get("device"), dict)
        and e["device"].get("type") in MATOMO_CLASSES  # type: ignore[union-attr]
    ]
    print(f"ua-parser resolver: {resolver_name()}\n")
    print("| bot recall | ua-parser alone | ours |\n|---|---|---|")
    report_bots("crawler-user-agents instances", crawler_instances(folder), misses == "bot")
    report_bots("Matomo bots.yml", bots, misses == "bot")
    print("\n| device class (Matomo fixtures) | ua-parser alone | ours |\n|---|---|---|")
    report_devices(labelled, misses)
    print("\n| browsers wrongly flagged as bots | ua-parser alone | ours |\n|---|---|---|")
    print(
        f"| Matomo device fixtures | {false_bots(labelled, baseline_class)} | "
        f"{false_bots(labelled, ours_class)} |"
    )


if __name__ == "__main__":
    main()
