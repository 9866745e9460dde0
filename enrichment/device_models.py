"""model_class: the device class a UA's device model has in Matomo's model database.

The table (data/device_models.json, built by device_model_build.py) lists brands in
Matomo's order; the first brand whose regex matches wins, then its first matching model.
Each regex comes with grams (short lower-case substrings) of which every UA it matches
contains one, so a UA is only tried against the few regexes its own grams point to, in
table order: the answer is the one trying them all would give. Regexes are compiled with
Python's `re` one by one, at their first try: compiled sets of thousands of regexes cost
hundreds of megabytes per process, and most brands never appear in a given traffic. A
regex whose whole needed literals an (ASCII) UA lacks is not compiled at all: on a rare
UA that is nearly every regex its grams point to, so a cache miss compiles next to nothing.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

from enrichment.device_model_literals import class_end

DATA_FILE = Path(__file__).parent / "data" / "device_models.json"
# Matomo's own wrapping: a model name starts the UA or follows a non-name character;
# this is what may come just before it.
_BEFORE = re.compile(r"(?:[^A-Z0-9_-]|[^A-Z0-9-]_|sprd-|MZ-)\Z", re.IGNORECASE)
_LOOKBEHIND = re.compile(r"\(\?<([=!])")


def group_end(pattern: str, i: int) -> int:
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


def alternatives(body: str) -> list[str]:
    """The top-level alternatives of a group body."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(body):
        char = body[i]
        if char == "\\":
            i += 1
        elif char == "[":
            i = class_end(body, i)
            continue
        elif char in "()":
            depth += 1 if char == "(" else -1
        elif char == "|" and depth == 0:
            parts.append(body[start:i])
            start = i + 1
        i += 1
    return [*parts, body[start:]]


def python_pattern(pattern: str) -> str:
    """`pattern` for Python's `re`: PCRE allows "(?<!ab|c)", Python wants each
    alternative of a look-behind in a look-behind of its own."""
    out, i = [], 0
    for found in _LOOKBEHIND.finditer(pattern):
        if found.start() < i:
            continue
        end = group_end(pattern, found.end())
        sign, parts = found.group(1), alternatives(pattern[found.end() : end - 1])
        behind = [f"(?<{sign}{part})" for part in parts]
        out += [
            pattern[i : found.start()],
            "".join(behind) if sign == "!" else f"(?:{'|'.join(behind)})",
        ]
        i = end
    return "".join(out) + pattern[i:]


def grams_of(text: str, size: int) -> set[str]:
    """Every lower-case substring of `text` that is `size` long."""
    low = text.lower()
    return {low[i : i + size] for i in range(len(low) - size + 1)}


class Rows:
    """Rows in table order, each the alternatives of one regex with their grams (None: no
    gram known) and the literals one of which a match contains (None: none known); an
    alternative is only tried on UAs that contain one of its grams."""

    def __init__(self, rows: list[Any]) -> None:
        self._sources: list[str] = []
        self._literals: list[list[str] | None] = []
        self._row: list[int] = []  # the row of each alternative
        self._always: list[int] = []
        self._by_gram: dict[str, list[int]] = {}
        for row, (branches, *_) in enumerate(rows):
            for branch in branches:
                source, grams = branch[0], branch[1]
                i = len(self._sources)
                self._sources.append(source)
                self._literals.append(branch[2] if len(branch) > 2 else grams)
                self._row.append(row)
                if grams is None:
                    self._always.append(i)
                for gram in grams or ():
                    self._by_gram.setdefault(gram, []).append(i)
        self._compiled: dict[int, re.Pattern[str]] = {}

    def _regex(self, i: int) -> re.Pattern[str]:
        if i not in self._compiled:
            self._compiled[i] = re.compile(python_pattern(self._sources[i]), re.IGNORECASE)
        return self._compiled[i]

    def _found(self, i: int, text: str, low: str | None) -> bool:
        # Most alternatives a UA's grams point to lack a whole literal: no regex to compile.
        literals = self._literals[i]
        if low is not None and literals is not None and not any(x in low for x in literals):
            return False
        # Matomo's prefix is checked at each place the regex matches: compiled into every
        # regex, its case-folded classes cost several times the regex's own compilation.
        regex = self._regex(i)
        found = regex.search(text)
        while found is not None:
            start = found.start()
            if start == 0 or _BEFORE.search(text, max(start - 5, 0), start):
                return True
            found = regex.search(text, start + 1)
        return False

    def first(self, text: str, grams: set[str]) -> int | None:
        """Index of the first row found in `text` (`grams`: its grams_of), or None."""
        # Literals only on an ASCII UA: beyond it `re` folds more than str.lower() does
        # (U+017F, long s, matches "s").
        low = text.lower() if text.isascii() else None
        found = set(self._always)
        for gram in grams & self._by_gram.keys():
            found.update(self._by_gram[gram])
        match = next((i for i in sorted(found) if self._found(i, text, low)), None)
        return None if match is None else self._row[match]

    def compile_all(self) -> None:
        """Compile every regex now (to check a new table file)."""
        for i in range(len(self._sources)):
            self._regex(i)


class ModelTable:
    """The brands of one table file, each brand's models read and indexed on first use."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._gram = int(data["gram"])
        brands = data["brands"]
        self._brands = Rows(brands)
        self._defaults: list[str | None] = [default for _, default, _ in brands]
        self._texts: list[str] = [models for *_, models in brands]  # JSON, as built
        self._models: dict[int, tuple[list[str | None], Rows]] = {}

    def __len__(self) -> int:
        return len(self._defaults)

    def _brand_models(self, brand: int) -> tuple[list[str | None], Rows]:
        """The classes of `brand`'s models, and their index."""
        if brand not in self._models:
            models = json.loads(self._texts[brand])
            self._models[brand] = [cls for _, cls in models], Rows(models)
        return self._models[brand]

    def compile_all(self) -> None:
        """Compile every regex of the table now (to check a new table file)."""
        self._brands.compile_all()
        for brand in range(len(self)):
            self._brand_models(brand)[1].compile_all()

    def match(self, ua: str) -> tuple[int, int | None] | None:
        """Indexes of the first brand and model Matomo would match (a None model: none of
        the brand's models that have a class of their own), or None: no brand."""
        grams = grams_of(ua, self._gram)
        brand = self._brands.first(ua, grams)
        if brand is None:
            return None
        return brand, self._brand_models(brand)[1].first(ua, grams)

    def model_class(self, ua: str) -> str | None:
        """The class of the first brand and model Matomo would match, or None."""
        found = self.match(ua)
        if found is None:
            return None
        brand, model = found
        if model is None:
            return self._defaults[brand]
        return str(self._brand_models(brand)[0][model])


def load(path: Path = DATA_FILE) -> ModelTable:
    """The table in `path`; no regex compiles here."""
    return ModelTable(json.loads(path.read_text()))


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
