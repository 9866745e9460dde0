"""Literals a regex cannot match without: the prefilter of the device model table.

`needed(pattern)` gives lower-case strings of which every match of `pattern` contains at
least one, or None when it cannot tell. Only the syntax Matomo's device regexes use is
understood; anything else (inline flags, named groups, numeric escapes) gives None, which
only costs speed: such a pattern is tried on every user agent.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

GRAM = 3  # patterns are indexed by substrings of this length of their literals
_QUANTIFIER = re.compile(r"\{(\d*)(?:,(\d*))?\}")
_ZERO_WIDTH = ("(?=", "(?!", "(?<=", "(?<!")
_CLASS_ESCAPES = "dDwWsSbB"
_MAX_CLASS = 8  # a class of more characters is not spelled out
_MAX_SPELLINGS = 64


Choose = Callable[[list[set[str]]], "set[str] | None"]


class _UnsureError(Exception):
    pass


def longest(option: set[str]) -> tuple[int, int]:
    """The default rank of literal sets: "SM-(?:P605|P607T)" is indexed by "p605"/"p607t",
    not "sm-"."""
    return min(map(len, option)), -len(option)


def needed(
    pattern: str, least: int = GRAM, rank: Callable[[set[str]], Any] = longest
) -> list[str] | None:
    """Literals (lower case, at least `least` long) one of which every match contains;
    where a match needs several such sets, the one `rank` puts highest."""

    def choose(options: list[set[str]]) -> set[str] | None:
        usable = [option for option in options if min(map(len, option)) >= least]
        return max(usable, key=rank) if usable else None

    try:
        found, _, end = _alternation(pattern, 0, choose)
    except (_UnsureError, IndexError):
        return None
    return sorted(found) if found is not None and end == len(pattern) else None


def _alternation(p: str, i: int, choose: Choose) -> tuple[set[str] | None, set[str] | None, int]:
    """(needed literals, every spelling when the alternation is plain literals, index)."""
    union: set[str] | None = set()
    spellings: set[str] | None = set()
    while True:
        found, spelled, i = _sequence(p, i, choose)
        # One branch without a known literal can match without any of the others'.
        union = None if union is None or found is None else union | found
        spellings = None if spellings is None or spelled is None else spellings | spelled
        if i >= len(p) or p[i] != "|":
            return union, spellings, i
        i += 1


def _sequence(p: str, i: int, choose: Choose) -> tuple[set[str] | None, set[str] | None, int]:
    options: list[set[str]] = []
    run = {""}  # the strings the literals read so far spell, classes expanded
    spelled = True  # no break so far: `run` is every string the sequence matches
    while i < len(p) and p[i] not in "|)":
        chars, group, i = _atom(p, i, choose)
        low, quantified, i = _repeat(p, i)
        if chars is not None and low >= 1:
            run = {start + char for start in run for char in chars}
            if not quantified and len(run) <= _MAX_SPELLINGS:
                continue  # "ab+": "ab" is there, what follows the b's is not adjacent
        spelled = False
        if run != {""}:
            options.append(run)
        run = {""}
        if group is not None and low >= 1:
            options.append(group)
    if run != {""}:
        options.append(run)
    return choose(options), (run if spelled else None), i


def _atom(p: str, i: int, choose: Choose) -> tuple[set[str] | None, set[str] | None, int]:
    """(characters the atom may be, literals of a group, index after the atom)."""
    char = p[i]
    if char == "\\":
        escaped = p[i + 1]
        if escaped.isalnum() and escaped not in _CLASS_ESCAPES:
            raise _UnsureError
        return (None if escaped.isalnum() else {escaped.lower()}), None, i + 2
    if char == "[":
        end = class_end(p, i)
        return _class_chars(p[i + 1 : end - 1]), None, end
    if char == "(":
        zero_width = p.startswith(_ZERO_WIDTH, i)
        if zero_width:
            start = p.index("<", i) + 2 if p.startswith("(?<", i) else i + 3
        elif p.startswith("(?:", i):
            start = i + 3
        elif p.startswith("(?", i):
            raise _UnsureError
        else:
            start = i + 1
        found, spellings, end = _alternation(p, start, choose)
        if p[end] != ")":
            raise _UnsureError
        if zero_width:
            return None, None, end + 1
        return spellings, found, end + 1
    if char in "*+?{":
        raise _UnsureError
    return (None if char in ".^$" else {char.lower()}), None, i + 1


def _class_chars(body: str) -> set[str] | None:
    """The characters of a small class such as "[_-]" or "[1-3]", else None."""
    if body.startswith("^"):
        return None
    chars: set[str] = set()
    i = 0
    while i < len(body):
        char = body[i]
        if char == "\\":
            char = body[i + 1]
            if char.isalnum():
                return None
            i += 1
        if body[i + 1 : i + 2] == "-" and i + 2 < len(body):
            last = body[i + 2]
            if last == "\\" or ord(last) - ord(char) >= _MAX_CLASS:
                return None
            chars.update(chr(c).lower() for c in range(ord(char), ord(last) + 1))
            i += 3
            continue
        chars.add(char.lower())
        i += 1
    return chars if len(chars) <= _MAX_CLASS else None


def _repeat(p: str, i: int) -> tuple[int, bool, int]:
    """(least repetitions, whether a quantifier is there, index after it)."""
    if i >= len(p) or p[i] not in "?*+{":
        return 1, False, i
    if p[i] == "{":
        found = _QUANTIFIER.match(p, i)
        if found is None:
            raise _UnsureError
        low, i = int(found.group(1) or 0), found.end()
    else:
        low, i = (1 if p[i] == "+" else 0), i + 1
    if i < len(p) and p[i] in "?+":  # lazy or possessive
        i += 1
    return low, True, i


def class_end(p: str, i: int) -> int:
    """Index just past the "]" closing the character class opened at `i`."""
    i += 1
    if p[i] == "^":
        i += 1
    if p[i] == "]":
        i += 1
    while p[i] != "]":
        i += 2 if p[i] == "\\" else 1
    return i + 1
