"""model_class: the device class a UA's device model has in Matomo's model database.

The table (data/device_models.json, built by device_model_build.py) lists brands in
Matomo's order; the first brand whose regex matches wins, then its first matching model
run. Matomo's regexes are PCRE, and about 1 in 20 uses a look-around, which Rust's regex
sets reject: those are matched without the look-around first (a superset) and then
checked with Python's `re`, so the answer is the one Matomo's own parser gives.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from enrichment.fastmatch import Matcher

DATA_FILE = Path(__file__).parent / "data" / "device_models.json"
# Matomo's own wrapping: a model name starts the UA or follows a non-name character.
_PREFIX = r"(?:^|[^A-Z0-9_-]|[^A-Z0-9-]_|sprd-|MZ-)(?:{})"
_LOOKAROUND = re.compile(r"\(\?<?[=!]")
_LOOKBEHIND = re.compile(r"\(\?<([=!])")


def relaxed(pattern: str) -> str:
    """`pattern` without its look-around groups: it matches wherever `pattern` does."""
    out, i = [], 0
    while i < len(pattern):
        found = _LOOKAROUND.search(pattern, i)
        if found is None:
            out.append(pattern[i:])
            break
        out.append(pattern[i : found.start()])
        i = _group_end(pattern, found.end())
    return "".join(out)


def _group_end(pattern: str, i: int) -> int:
    """Index just past the ")" closing the group whose body starts at `i`."""
    depth, in_class = 1, False
    while i < len(pattern) and depth:
        char = pattern[i]
        if char == "\\":
            i += 1
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char in "()":
            depth += 1 if char == "(" else -1
        i += 1
    return i


def _alternatives(body: str) -> list[str]:
    """The top-level alternatives of a group body."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(body):
        char = body[i]
        if char == "\\":
            i += 1
        elif char == "[":
            i = _class_end(body, i)
            continue
        elif char in "()":
            depth += 1 if char == "(" else -1
        elif char == "|" and depth == 0:
            parts.append(body[start:i])
            start = i + 1
        i += 1
    return [*parts, body[start:]]


def _class_end(pattern: str, i: int) -> int:
    """Index just past the "]" closing the character class opened at `i`."""
    i += 2 if pattern[i + 1 : i + 2] != "^" else 3
    while i < len(pattern) and pattern[i] != "]":
        i += 2 if pattern[i] == "\\" else 1
    return i + 1


def python_pattern(pattern: str) -> str:
    """`pattern` for Python's `re`: PCRE allows "(?<!ab|c)", Python wants each
    alternative of a look-behind in a look-behind of its own."""
    out, i = [], 0
    for found in _LOOKBEHIND.finditer(pattern):
        if found.start() < i:
            continue
        end = _group_end(pattern, found.end())
        sign, parts = found.group(1), _alternatives(pattern[found.end() : end - 1])
        behind = [f"(?<{sign}{part})" for part in parts]
        out += [
            pattern[i : found.start()],
            "".join(behind) if sign == "!" else f"(?:{'|'.join(behind)})",
        ]
        i = end
    return "".join(out) + pattern[i:]


class FirstMatch:
    """Index of the first of `patterns` (look-arounds allowed) found in a text."""

    def __init__(self, patterns: Sequence[str]) -> None:
        self._strict = [
            re.compile(python_pattern(p), re.IGNORECASE) if _LOOKAROUND.search(p) else None
            for p in patterns
        ]
        self._any = Matcher([relaxed(p) for p in patterns])
        self._clean = [i for i, strict in enumerate(self._strict) if strict is None]
        self._clean_any = Matcher([patterns[i] for i in self._clean])

    def first(self, text: str) -> int | None:
        """The index Matomo's first-match loop would stop at, or None."""
        found = self._any.first(text)
        strict = None if found is None else self._strict[found]
        if found is None or strict is None or strict.search(text):
            return found
        # A relaxed pattern matched where the strict one does not. Patterns before it do
        # not match at all; after it, the answer is the first clean pattern that matches
        # unless a look-around pattern between the two does.
        clean = self._clean_any.first(text)
        stop = len(self._strict) if clean is None else self._clean[clean]
        for index in range(found + 1, stop):
            pattern = self._strict[index]
            if pattern is not None and pattern.search(text):
                return index
        return None if clean is None else stop


class ModelTable:
    """The brands of one table file, each brand's models compiled on first use."""

    def __init__(self, brands: list[Any]) -> None:
        self._rows = brands
        self._brands = FirstMatch([_PREFIX.format(brand[0]) for brand in brands])
        self._models: dict[int, FirstMatch] = {}

    def __len__(self) -> int:
        return len(self._rows)

    def _brand_models(self, brand: int) -> FirstMatch:
        if brand not in self._models:
            models = self._rows[brand][2]
            self._models[brand] = FirstMatch([_PREFIX.format(model[0]) for model in models])
        return self._models[brand]

    def compile_all(self) -> None:
        """Compile every brand's models now (to check a new table file)."""
        for brand in range(len(self._rows)):
            self._brand_models(brand)

    def model_class(self, ua: str) -> str | None:
        """The class of the first brand and model Matomo would match, or None."""
        brand = self._brands.first(ua)
        if brand is None:
            return None
        _, default, models = self._rows[brand]
        found = self._brand_models(brand).first(ua) if models else None
        return str(models[found][1]) if found is not None else default


def load(path: Path = DATA_FILE) -> ModelTable:
    """The table in `path`; its brand regexes compile here (about a second)."""
    return ModelTable(list(json.loads(path.read_text())["brands"]))


def check(path: Path) -> int:
    """The number of brands in `path`, after compiling every regex it holds."""
    table = load(path)
    table.compile_all()
    return len(table)


@functools.cache
def _table() -> ModelTable:
    return load()


def model_class(ua: str) -> str | None:
    """mobile, tablet, tv, console, car, wearable, desktop or unknown; None: no model known."""
    return _table().model_class(ua)
