"""Matcher: the Rust regex-set path and the pure-Python path agree."""

from __future__ import annotations

import pytest

from enrichment.bots import _LIBRARIES, _NAMED
from enrichment.fastmatch import Matcher
from tests.enrichment.test_device import DEVICES

PATTERNS = [pattern for pattern, _, _ in _NAMED] + [pattern for pattern, _ in _LIBRARIES]


def test_the_rust_path_is_used_when_ua_parser_rs_is_installed() -> None:
    assert Matcher(["googlebot"])._rust is not None


@pytest.mark.parametrize("ua", [ua for ua, _, _ in DEVICES])
def test_rust_and_python_give_the_same_first_match(ua: str) -> None:
    rust, python = Matcher(PATTERNS), Matcher(PATTERNS, use_rust=False)
    assert rust.first(ua) == python.first(ua)


def test_a_pattern_rust_cannot_compile_falls_back_to_python() -> None:
    matcher = Matcher([r"a(?!b)"])
    assert matcher._rust is None
    assert (matcher.first("ac"), matcher.first("ab")) == (0, None)
