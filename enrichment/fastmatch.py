"""Fast "which pattern matches first" over many case-insensitive regexes.

Python's `re` walks every alternative at every position: a hundred bot names cost ~200 µs
per user agent. ua-parser-rs (already installed as ua-parser's resolver) exposes Rust
regex sets; its extractor returns the first pattern of a list that matches, which is
exactly what is needed here. Without it, or for a pattern Rust's regex syntax rejects
(look-arounds), the same answer comes from `re`, only slower.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any

try:
    import ua_parser_rs as _ua_parser_rs

    RUST: Any = _ua_parser_rs
except ImportError:  # pragma: no cover - the pure-Python path is exercised in tests
    RUST = None


def _rust(patterns: Sequence[str]) -> Any | None:
    if RUST is None:
        return None
    try:
        rows = [(f"(?i){p}", str(i), None, None, None, None) for i, p in enumerate(patterns)]
        return RUST.UserAgentExtractor(rows)
    except Exception:  # a pattern Rust cannot compile: use Python for the whole set
        return None


class Matcher:
    """The index of the first of `patterns` found in a text (case-insensitive)."""

    def __init__(self, patterns: Sequence[str], *, use_rust: bool = True) -> None:
        self._patterns = tuple(patterns)
        self._rust = _rust(patterns) if use_rust else None

    @functools.cached_property
    def _python(self) -> tuple[re.Pattern[str], ...]:
        # Compiled only when Rust is missing or refused a pattern: big sets cost seconds.
        return tuple(re.compile(p, re.IGNORECASE) for p in self._patterns)

    def first(self, text: str) -> int | None:
        """Index of the first matching pattern, or None."""
        if self._rust is not None:
            found = self._rust.extract(text)
            return None if found is None else int(found.family)
        return next((i for i, p in enumerate(self._python) if p.search(text)), None)

    def search(self, text: str) -> bool:
        """True when any pattern matches."""
        return self.first(text) is not None
