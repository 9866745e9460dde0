"""The device model table: classes only a model name tells, and its look-around handling."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from enrichment.device import parse_device
from enrichment.device_model_build import build
from enrichment.device_models import FirstMatch, load, python_pattern, relaxed

# (user agent, device_class): each says the opposite of what its class would suggest.
MODELS: list[tuple[str, str]] = [
    # Tablets that say "Mobile": Huawei MatePad, Galaxy Tab A7 Lite, Lenovo Tab M10.
    ("Mozilla/5.0 (Linux; Android 10; HarmonyOS; BAH3-W09; HMSCore 6.14.0.322) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.5735.196 HuaweiBrowser/15.0.4.312 Mobile Safari/537.36", "tablet"),
    ("Mozilla/5.0 (Linux; Android 13; SM-T220) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36", "tablet"),
    ("Mozilla/5.0 (Linux; arm_64; Android 9; Lenovo PB-6505Y) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/85.0.4183.127 YaBrowser/20.9.3.85.00 Mobile Safari/537.36", "tablet"),
    # Android TV boxes that name neither "TV" nor a panel, and say "Mobile".
    ("Mozilla/5.0 (Linux; Android 10; ATOM-108AL) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/72.0.3626.121 Mobile Safari/537.36", "tv"),
    ("Mozilla/5.0 (Linux; Android 10; B-STREAM Build/QT; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/110.0.5481.153 Mobile Safari/537.36", "tv"),
    # Phones in "desktop site" mode drop "Mobile": still phones.
    ("Mozilla/5.0 (Linux; Android 8.1.0; Pixel 2 Build/OPM1.171019.013) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/63.0.3239.111 Safari/537.36", "mobile"),
    ("Mozilla/5.0 (Linux; Android 4.4.2; SM-G920I Build/KOT49H) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/36.0.1985.135 Safari/537.36", "mobile"),
    # Models the table does not know keep the UA's own word.
    ("Mozilla/5.0 (Linux; Android 12; Some Unknown Model) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", "tablet"),
    ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36", "mobile"),
]  # fmt: skip


@pytest.mark.parametrize(("ua", "expected"), MODELS)
def test_the_model_decides_the_class(ua: str, expected: str) -> None:
    assert parse_device(ua)["device_class"] == expected


def test_a_podcast_app_on_a_galaxy_tab_is_a_person_on_a_tablet() -> None:
    # App HTTP clients carry no "Mobile"/"Safari" words to go by: only the model tells.
    data = parse_device("Podcast Addict - Dalvik/2.1.0 (Linux; U; Android 13; SM-T220 Build/TP1A)")
    assert (data["device_class"], data["is_bot"]) == ("tablet", False)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"SAMSUNG(?! ?Browser)", "SAMSUNG"),
        (r"(?<!Redmi )Note 8", "Note 8"),
        (r"A(?=[(\[)]x)B", "AB"),
        (r"X(?!(?:a|b))Y", "XY"),
    ],
)
def test_relaxed_drops_look_arounds(pattern: str, expected: str) -> None:
    assert relaxed(pattern) == expected


def test_python_pattern_splits_a_look_behind_of_different_widths() -> None:
    pattern = python_pattern(r"(?<!ab|c)Note")
    assert re.search(pattern, "x Note")
    assert not re.search(pattern, "abNote")
    assert not re.search(pattern, "cNote")


def test_first_match_skips_a_look_around_pattern_that_only_matches_relaxed() -> None:
    # "SAMSUNG Browser" matches pattern 0 without its look-ahead; the strict answer is 2.
    matcher = FirstMatch([r"SAMSUNG(?! ?Browser)", r"Nokia", r"Browser", r"SAMSUNG"])
    assert matcher.first("SAMSUNG Browser") == 2
    assert matcher.first("SAMSUNG SM-A536B") == 0
    assert matcher.first("Nokia") == 1
    assert matcher.first("nothing") is None


def test_a_look_around_pattern_between_relaxed_and_clean_matches_wins() -> None:
    matcher = FirstMatch([r"A(?!B)", r"C(?<!xC)", r"D"])
    assert matcher.first("AB C D") == 1
    assert matcher.first("AB xC D") == 2


def _write_matomo(root: Path) -> None:
    folder = root / "regexes" / "device"
    folder.mkdir(parents=True)
    for name in ("consoles", "car_browsers", "cameras", "portable_media_player"):
        (folder / f"{name}.yml").write_text("")
    (folder / "mobiles.yml").write_text(
        "Acme:\n"
        "  regex: 'ACME'\n"
        "  device: 'smartphone'\n"
        "  models:\n"
        "    - regex: 'ACME Tab (?!Pro)'\n"
        "      device: 'tablet'\n"
        "      model: 'Tab'\n"
        "    - regex: 'ACME Box'\n"
        "      device: 'tv'\n"
        "      model: 'Box'\n"
        "    - regex: 'ACME ([0-9]+)'\n"
        "      model: '$1'\n"
    )


def test_build_keeps_models_whose_class_differs_from_the_brand(tmp_path: Path) -> None:
    _write_matomo(tmp_path)
    data = build(matomo=tmp_path, version="test")
    assert data["brands"] == [
        ["ACME", "mobile", [["(?:ACME Tab (?!Pro))", "tablet"], ["(?:ACME Box)", "tv"]]]
    ]
    path = tmp_path / "table.json"
    path.write_text(json.dumps(data))
    table = load(path)
    assert table.model_class("Android 13; ACME Tab 3)") == "tablet"
    assert table.model_class("Android 13; ACME Tab Pro)") == "mobile"
    assert table.model_class("Android 13; ACME Box)") == "tv"
    assert table.model_class("Android 13; Other 5)") is None
