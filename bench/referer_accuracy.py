"""Referer classification on Snowplow referer-parser's labelled test URLs.

    .venv/bin/python bench/referer_accuracy.py PATH/referer-tests.json [--misses]

The file is `resources/referer-tests.json` of snowplow-referer-parser/referer-parser (its
test data, GPL-3.0: read from the path given, never committed, nothing is downloaded).
Each case names a medium (search, social, email, paid, chatbot, unknown) and, for search
engines, the search term; we compare our channel and term.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from enrichment.attribution import classify

# Our channel → Snowplow's medium.
MEDIUM_OF_CHANNEL = {
    "organic_search": "search",
    "organic_social": "social",
    "email": "email",
    "display": "paid",
    "ai_assistant": "chatbot",
    "organic_video": "social",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tests", type=Path)
    parser.add_argument("--misses", action="store_true")
    args = parser.parse_args()
    cases = json.loads(args.tests.read_text())
    totals: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    terms = [0, 0]
    for case in cases:
        found = classify({}, {}, case["uri"], ("www.snowplowanalytics.com",))
        got = MEDIUM_OF_CHANNEL.get(found.channel, "unknown")
        expected = case["medium"]
        totals[expected] += 1
        hits[expected] += got == expected
        if case.get("term"):
            terms[0] += 1
            terms[1] += found.term == case["term"]
        if args.misses and (got != expected or (case.get("term") and found.term != case["term"])):
            print(
                f"   {expected} -> {got} ({found.source}, term {found.term!r}): {case['uri'][:120]}"
            )
    print("| medium | right |\n|---|---|")
    for medium in sorted(totals, key=lambda m: -totals[m]):
        print(f"| {medium} | {hits[medium]}/{totals[medium]} |")
    print(f"| **all** | {sum(hits.values())}/{sum(totals.values())} |")
    print(f"| search term (where the case names one) | {terms[1]}/{terms[0]} |")


if __name__ == "__main__":
    main()
