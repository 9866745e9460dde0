"""Build enrichment/data/device_models.json from Matomo device-detector's device regexes.

A user agent only tells an Android tablet that says "Mobile", or a TV box that names
neither "TV" nor a panel code, from a phone through its model; Matomo's
`regexes/device/*.yml` (LGPL-3.0) is the public database of models. The table keeps, per
brand and in Matomo's order, the brand regex, the brand's device class and its model
regexes with their classes, each regex with the index grams of its needed literals
(device_model_literals.py) and those literals: at run time only the regexes whose grams
and literals a user agent contains are compiled and tried, so the first match is still
Matomo's answer.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from enrichment.device_model_literals import GRAM, class_end, longest, needed
from enrichment.device_models import alternatives, group_end

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
# Grams every Android user agent contains index nothing: avoided when a literal has others.
_COMMON = (
    "mozilla/5.0 (linux; u; android 14; en-us; build/) applewebkit/537.36 (khtml, like gecko) "
    "version/4.0 chrome/120.0.0.0 mobile safari/537.36 wv"
)
# ...and one of these every Android UA of that version: a poor literal to tell a model by.
_VERSIONS = " ".join(f"android {version}" for version in range(1, 20))
_SPREAD = 3  # groups of fewer alternatives stay whole: spreading them gains little
Row = list[Any]  # [regex, then its alternatives, grams, literals; class or None; models]


def _models(entry: dict[str, Any], default: str | None) -> list[Row]:
    models = [
        [str(model["regex"]), CLASSES.get(str(model.get("device"))) or default]
        for model in entry.get("models") or []
    ]
    # No model matching leaves the brand's class, so trailing models of it add nothing.
    while models and models[-1][1] == default:
        models.pop()
    return models


def _rows(path: Path) -> list[Row]:
    data = yaml.safe_load(path.read_text()) or {}
    rows = []
    for entry in data.values():
        default = CLASSES.get(str(entry.get("device")))
        rows.append([str(entry["regex"]), default, _models(entry, default)])
    return rows


def _grams(literals: Iterable[str]) -> Counter[str]:
    return Counter(lit[i : i + GRAM] for lit in literals for i in range(len(lit) - GRAM + 1))


def _group(branch: str) -> tuple[int, int] | None:
    """Start and end of the first group of `branch` that is an alternation matched once."""
    i = 0
    while i < len(branch):
        char = branch[i]
        if char == "\\":
            i += 2
        elif char == "[":
            i = class_end(branch, i)
        elif char == "(":
            end = group_end(branch, i + 1)
            once = branch[end : end + 1] not in ("?", "*", "+", "{")
            start = i + 3 if branch.startswith("(?:", i) else i + 1
            plain = not branch.startswith("(?", i) or branch.startswith("(?:", i)
            if once and plain and len(alternatives(branch[start : end - 1])) > _SPREAD:
                return start, end
            i = end
        else:
            i += 1
    return None


def spread(regex: str, depth: int = 2) -> list[str]:
    """The alternatives of `regex`, with "a(?:b|c)d" spread into "abd" and "acd": `re`
    tries every alternative of a group at every position, so one big alternation costs
    more than its small parts tried only on the UAs their literals point to."""
    out = []
    for branch in alternatives(regex):
        found = _group(branch) if depth else None
        if found is None:
            out.append(branch)
            continue
        start, end = found
        head, tail = branch[: branch.rfind("(", 0, start)], branch[end:]
        for middle in alternatives(branch[start : end - 1]):
            out += spread(f"{head}(?:{middle}){tail}", depth - 1)
    return out


def _branches(regex: str, counts: Counter[str]) -> list[list[Any]]:
    """The alternatives of `regex` (spread), each with one gram per needed literal (the
    rarest), or None when no literal is known to be needed; then, when they tell more
    than the grams, the literals `_literals` gives."""
    branches: list[list[Any]] = []
    for branch in spread(regex):
        literals = needed(branch)
        grams = None
        if literals is not None:
            rarest = (
                min(_grams([lit]), key=lambda g: (g in _COMMON, counts[g], g)) for lit in literals
            )
            grams = sorted(set(rarest))
        branches.append([branch, grams, *_literals(branch, grams, counts)])
    return branches


def _literals(branch: str, grams: list[str] | None, counts: Counter[str]) -> list[Any]:
    """[literals one of which a UA must contain for `branch` to match], checked before its
    regex compiles: a gram alone lets many UAs through. The rarest such set ("p11", not
    "android 7"); shorter than a gram when that is all there is (an alternative without
    grams is tried on every UA). [] when they would tell nothing more, or are not ASCII:
    beyond ASCII, `re`'s case folding is not str.lower()'s (U+017F, long s, matches "s")."""

    def rank(option: set[str]) -> tuple[Any, ...]:
        worst = max(min(map(rarity, _grams([lit])), default=(False, 0)) for lit in option)
        return (not worst[0], -worst[1]), longest(option)

    def rarity(gram: str) -> tuple[bool, int]:
        return gram in _COMMON or gram in _VERSIONS, counts[gram]

    literals = needed(branch, rank=rank) or needed(branch, least=2, rank=rank)
    if literals is None or literals == grams or not all(map(str.isascii, literals)):
        return []
    return [literals]


def build(*, matomo: Path, version: str) -> dict[str, Any]:
    """The table from a device-detector checkout (`matomo` is its root folder)."""
    brands = [b for name in FILES for b in _rows(matomo / "regexes" / "device" / f"{name}.yml")]
    patterns = [b[0] for b in brands] + [m[0] for b in brands for m in b[2]]
    branches = [branch for pattern in patterns for branch in spread(pattern)]
    counts = _grams(lit for branch in branches for lit in needed(branch) or ())
    for brand in brands:
        brand[0] = _branches(brand[0], counts)
        for model in brand[2]:
            model[0] = _branches(model[0], counts)
        # JSON text, parsed at the brand's first match: most brands never appear in a
        # given traffic, and parsed, the models would be most of the loaded table.
        brand[2] = json.dumps(brand[2], ensure_ascii=False, separators=(",", ":"))
    return {
        "source": "matomo-org/device-detector regexes/device",
        "version": version,
        "licence": "LGPL-3.0-or-later",
        "gram": GRAM,
        "brands": brands,
    }
