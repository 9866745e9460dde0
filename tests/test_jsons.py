"""Stored JSON text: orjson where it can, the standard library where it cannot."""

from __future__ import annotations

import json

import pytest

from atrack import jsons


@pytest.mark.parametrize(
    "value",
    [
        {"a": 1, "b": [1.5, None, True], "c": {"d": "é ✓ 日本"}},
        {"big": 123456789012345678901234567890},  # past 64 bits: orjson refuses it
        [{"n": -(2**70)}, "plain"],
        {},
    ],
)
def test_dumps_gives_the_same_json_value(value: object) -> None:
    text = jsons.dumps(value)
    assert json.loads(text) == value
    assert " " not in text.replace("é ✓ 日本", "")  # compact


def test_big_integers_keep_every_digit() -> None:
    assert jsons.dumps({"n": 2**80}) == '{"n":1208925819614629174706176}'
