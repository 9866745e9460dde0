"""Matcher: the Rust regex-set path and the pure-Python path agree."""

from __future__ import annotations

from typing import Any

import pytest

from enrichment import fastmatch
from enrichment.bots import HTTP_LIBRARIES, NAMED_BOTS
from enrichment.fastmatch import Matcher
from tests.enrichment.test_device import DEVICES

PATTERNS = [pattern for pattern, _, _ in NAMED_BOTS] + [pattern for pattern, _ in HTTP_LIBRARIES]


class CountingRust:
    """ua-parser-rs, counting the extractors built and the texts they were asked about."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.built = 0
        self.extracted = 0

    def UserAgentExtractor(self, rows: Any) -> Any:  # ua-parser-rs spells it so
        extractor = self.real.UserAgentExtractor(rows)  # raises on a pattern Rust rejects
        self.built += 1
        counting = self

        class Counting:
            def extract(self, text: str) -> Any:
                counting.extracted += 1
                return extractor.extract(text)

        return Counting()


@pytest.fixture
def rust(monkeypatch: pytest.MonkeyPatch) -> CountingRust:
    assert fastmatch.RUST is not None, "ua-parser-rs is a production dependency"
    counting = CountingRust(fastmatch.RUST)
    monkeypatch.setattr(fastmatch, "RUST", counting)
    return counting


def test_the_rust_path_is_used_when_ua_parser_rs_is_installed(rust: CountingRust) -> None:
    matcher = Matcher(["googlebot"])
    assert (matcher.first("Mozilla/5.0 (compatible; Googlebot/2.1)"), matcher.first("x")) == (
        0,
        None,
    )
    assert (rust.built, rust.extracted) == (1, 2)


@pytest.mark.parametrize("ua", [ua for ua, _, _ in DEVICES])
def test_rust_and_python_give_the_same_first_match(ua: str) -> None:
    rust, python = Matcher(PATTERNS), Matcher(PATTERNS, use_rust=False)
    assert rust.first(ua) == python.first(ua)


def test_a_pattern_rust_cannot_compile_falls_back_to_python(rust: CountingRust) -> None:
    matcher = Matcher([r"a(?!b)"])
    assert (matcher.first("ac"), matcher.first("ab")) == (0, None)
    assert (rust.built, rust.extracted) == (0, 0)
