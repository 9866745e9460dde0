"""Whether a change to the device model table keeps every Android classification.

    .venv/bin/python bench/device_model_equivalence.py --matomo DEVICE-DETECTOR \\
        --uap-js UA-PARSER-JS --intoli USER-AGENTS-JSON --write FILE   # on the old code
    .venv/bin/python bench/device_model_equivalence.py ... --check FILE  # on the new code

Classifies each Android user agent of the corpora (bench/device_model_cost.py's corpus):
the table's brand and model rows (ModelTable.match) and class, and parse_device's brand,
model and device class; then the table's rows for variants of each UA that take the
matcher's edge cases (a model name after "_", "x" or "sprd-"; U+017F and U+212A, which
`re` folds to "s" and "k"; a trailing newline). --write stores them per UA hash (no user
agent is written); --check compares them with such a file and prints each UA whose
classification changed. The old code needs ModelTable.match; before it, add it there.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.device_model_cost import corpus
from enrichment import device_models
from enrichment.device import parse_device


def key(ua: str) -> str:
    return hashlib.sha256(ua.encode()).hexdigest()[:20]


def classified(uas: list[str]) -> dict[str, list[Any]]:
    table = device_models.load()
    out = {}
    for ua in uas:
        data = parse_device(ua)
        row = table.match(ua)
        out[key(ua)] = [
            list(row) if row else None,
            table.model_class(ua),
            data["brand"],
            data["model"],
            data["device_class"],
        ]
    for ua in uas:
        for variant in variants(ua):
            row = table.match(variant)
            out[key(variant)] = [list(row) if row else None]
    return out


def variants(ua: str) -> list[str]:
    return [
        ua.replace("; ", ";_"),
        ua.replace("; ", ";x"),
        ua.replace("; ", "; sprd-").upper(),
        ua.replace("s", "\u017f").replace("k", "\u212a"),
        ua + "\n",
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--matomo", type=Path, required=True)
    parser.add_argument("--uap-js", type=Path, required=True)
    parser.add_argument("--intoli", type=Path)
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--write", type=Path)
    what.add_argument("--check", type=Path)
    args = parser.parse_args()
    uas = corpus(args.matomo, args.uap_js, args.intoli)
    now = classified(uas)
    if args.write:
        args.write.write_text(json.dumps(now, sort_keys=True) + "\n")
        print(f"{len(now):,} user agents and variants written to {args.write}")
        return
    before = json.loads(args.check.read_text())
    every = [*uas, *(variant for ua in uas for variant in variants(ua))]
    changed = [ua for ua in every if now[key(ua)] != before.get(key(ua))]
    for ua in changed[:50]:
        print(f"{before.get(key(ua))} -> {now[key(ua)]}: {ua!r}")
    print(f"{len(uas):,} Android UAs and {len(every) - len(uas):,} variants, ", end="")
    print(f"{len(changed):,} classified differently")
    sys.exit(1 if changed else 0)


if __name__ == "__main__":
    main()
