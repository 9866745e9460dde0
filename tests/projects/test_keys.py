"""Key format: pure functions, no database."""

from __future__ import annotations

import pytest

from projects import keys


@pytest.mark.parametrize("kind", keys.KINDS)
def test_a_generated_key_is_recognised_by_its_kind(kind: str) -> None:
    new = keys.generate(kind)
    assert keys.kind_of(new.raw) == kind
    assert new.raw.startswith(new.prefix)
    assert keys.matches(new.raw, new.digest)


def test_the_digest_does_not_match_another_key() -> None:
    first, second = keys.generate(keys.PUBLIC), keys.generate(keys.PUBLIC)
    assert not keys.matches(second.raw, first.digest)
    assert first.prefix != second.prefix


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "atk_pub_",
        "nope",
        "atk_xxx_" + "a" * 40,
        "atk_pub_" + "a" * 39,
        "atk_pub_" + "é" * 40,
        "atk_pub_" + "a" * 39 + "-",
    ],
)
def test_malformed_keys_are_not_keys(raw: str) -> None:
    assert keys.kind_of(raw) is None
