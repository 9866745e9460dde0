"""Build enrichment/data/device_models.json from Matomo device-detector's device regexes.

A user agent only tells an Android tablet that says "Mobile", or a TV box that names
neither "TV" nor a panel code, from a phone through its model; Matomo's
`regexes/device/*.yml` (LGPL-3.0) is the public database of models. The table keeps, per
brand and in Matomo's order, the brand regex, the brand's device class and the model
regexes whose class differs from it, with runs of consecutive models of one class joined
into one alternation: the first match is still Matomo's answer, in far fewer patterns.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

# Matomo's device parsers in the order it runs them. televisions.yml (HbbTV UAs only),
# shell_tv.yml and notebooks.yml (Facebook's desktop app) are left out: our own rules
# already settle every UA those files are for.
FILES = ("consoles", "car_browsers", "cameras", "portable_media_player", "mobiles")
CLASSES = {
    "smartphone": "mobile", "phablet": "mobile", "feature phone": "mobile",
    "portable media player": "mobile", "tablet": "tablet", "tv": "tv", "console": "console",
    "car browser": "car", "wearable": "wearable", "desktop": "desktop",
    "smart display": "unknown", "smart speaker": "unknown", "camera": "unknown",
    "peripheral": "unknown",
}  # fmt: skip
_LOOKAROUND = re.compile(r"\(\?<?[=!]")
Brand = list[Any]  # [brand regex, class or None, [[model regex, class], ...]]


def _models(entry: dict[str, Any], default: str | None) -> list[list[str | None]]:
    runs: list[tuple[list[str], str | None]] = []
    for model in entry.get("models") or []:
        klass = CLASSES.get(str(model.get("device"))) or default
        regex = str(model["regex"])
        # A look-around regex stays alone: it is checked in Python's `re` (see
        # device_models.py), which is only fast on a small pattern.
        alone = bool(_LOOKAROUND.search(regex) or (runs and _LOOKAROUND.search(runs[-1][0][-1])))
        if runs and runs[-1][1] == klass and not alone:
            runs[-1][0].append(regex)
        else:
            runs.append(([regex], klass))
    # No model matching leaves the brand's class, so trailing runs of it add nothing.
    while runs and runs[-1][1] == default:
        runs.pop()
    return [["|".join(f"(?:{rx})" for rx in regexes), klass] for regexes, klass in runs]


def _brands(path: Path) -> list[Brand]:
    data = yaml.safe_load(path.read_text()) or {}
    brands = []
    for entry in data.values():
        default = CLASSES.get(str(entry.get("device")))
        brands.append([str(entry["regex"]), default, _models(entry, default)])
    return brands


def build(*, matomo: Path, version: str) -> dict[str, Any]:
    """The table from a device-detector checkout (`matomo` is its root folder)."""
    brands = [b for name in FILES for b in _brands(matomo / "regexes" / "device" / f"{name}.yml")]
    return {
        "source": "matomo-org/device-detector regexes/device",
        "version": version,
        "licence": "LGPL-3.0-or-later",
        "brands": brands,
    }
