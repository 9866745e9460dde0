"""The device model table: classes only a model name tells, and its look-around handling."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

import pytest

from enrichment.device import parse_device
from enrichment.device_model_build import build, spread
from enrichment.device_model_literals import needed
from enrichment.device_models import DATA_FILE, Rows, grams_of, load, python_pattern

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
        (r"SM-T22[05]", ["sm-t220", "sm-t225"]),
        (r"(?:HW-)?HUAWEI[_ ]?(?!Browser)", ["huawei"]),
        (r"Nokia|Lumia", ["lumia", "nokia"]),
        (r"OB[_-](?:421|588)", ["ob-421", "ob-588", "ob_421", "ob_588"]),
        (r"SM-(?:P605|P607T)", ["sm-p605", "sm-p607t"]),
        (r"(?<!Redmi )Note 8", ["note 8"]),
        (r"ab+c", None),  # nothing three long is certain
        (r"Nokia|X[0-9]+", None),  # one alternative needs no literal
        (r"(?i)Nokia", None),  # syntax it does not know
        (r"Nokia\x41", None),
    ],
)
def test_needed_gives_literals_every_match_contains(
    pattern: str, expected: list[str] | None
) -> None:
    assert needed(pattern) == expected


def test_needed_goes_below_a_gram_when_asked() -> None:
    assert needed(r"SH-?[0-9]+") is None
    assert needed(r"SH-?[0-9]+", least=2) == ["sh"]
    assert needed(r"(?:Dream_D1|GN[0-9]{3})", least=2) == ["dream_d1", "gn"]


def test_spread_splits_a_big_group_into_its_alternatives() -> None:
    assert spread(r"X(?:A1|B2|C3|D4)Y|Z") == ["X(?:A1)Y", "X(?:B2)Y", "X(?:C3)Y", "X(?:D4)Y", "Z"]
    assert spread(r"X(?:A1|B2|C3|D4)?Y") == [r"X(?:A1|B2|C3|D4)?Y"]  # optional: left whole


def test_python_pattern_splits_a_look_behind_of_different_widths() -> None:
    pattern = python_pattern(r"(?<!ab|c)Note")
    assert re.search(pattern, "x Note")
    assert not re.search(pattern, "abNote")
    assert not re.search(pattern, "cNote")


# Matomo's wrapping of every device regex, compiled whole: what the table must answer.
MATOMO_PREFIX = r"(?:^|[^A-Z0-9_-]|[^A-Z0-9-]_|sprd-|MZ-)(?:{})"
PREFIX_SOURCES = ["Note 8", "(?<!Redmi )Note 8", "LG(?!E)", "X[0-9]+", "(?:A|B)?C1"]
PREFIX_TEXTS = [
    "Note 8", "xNote 8", "_Note 8", "a_Note 8", "-_Note 8", "__Note 8", "sprd-Note 8",
    "MZ-Note 8", "mz-note 8", "xsprd-Note 8", "1Note 8", "(Note 8", "xNote 8 Note 8",
    "Redmi Note 8", "LGE LG", "aLGE", "X1", "aX1 _X2", "x-X1", "BC1", "xBC1", "x_C1",
    "\u017fprd-Note 8", "\u212aX1", "Note 8\n",
]  # fmt: skip


@pytest.mark.parametrize("source", PREFIX_SOURCES)
def test_matomos_prefix_is_checked_where_the_regex_matches(source: str) -> None:
    rows = Rows([[[[source, None]]]])
    wrapped = re.compile(MATOMO_PREFIX.format(python_pattern(source)), re.IGNORECASE)
    for text in PREFIX_TEXTS:
        expected = 0 if wrapped.search(text) else None
        assert rows.first(text, grams_of(text, 3)) == expected, text


# (user agent, row): a literal tells the regex out only on an ASCII UA.
LITERAL_CASES = [
    ("Android 13; SM-T510)", 0),
    ("Android 13; SM-T51)", None),  # the gram is there, not the literal: no regex tried
    ("Android 13; \u017fM-T510)", 0),  # `re` folds U+017F (long s) to "s"; str.lower() does not
    ("Android 13; SH-04)", 1),
    ("Android 13; SX-04)", None),
    ("Android 13; \u017fH-04)", 1),
]


@pytest.mark.parametrize(("text", "expected"), LITERAL_CASES)
def test_rows_skip_a_regex_whose_literals_an_ascii_ua_lacks(text: str, expected: int) -> None:
    rows = Rows([[[["SM-T510", ["t51"], ["sm-t510"]]]], [[["SH-?[0-9]+", None, ["sh"]]]]])
    assert rows.first(text, grams_of(text, 3)) == expected


def test_a_rare_user_agent_compiles_no_regex(monkeypatch: pytest.MonkeyPatch) -> None:
    table = load()
    ua = "Mozilla/5.0 (Linux; Android 14; Qwzrtv Plokmn) AppleWebKit/537.36 Chrome/120.0.0.0"
    table.model_class(ua)  # the regexes every Android UA needs compile here
    compiled: list[str] = []
    monkeypatch.setattr(re, "compile", lambda *args: compiled.append(args[0]))
    for ua in ["Android 14; Zqkwjq Ybnrtl)", "Android 9; Rtyplk Vbnmqw)", "Android 7; Kj Pzq)"]:
        assert table.model_class(ua) is None
    assert compiled == []


def test_rows_give_the_first_row_in_table_order_not_the_first_in_the_text() -> None:
    rows = Rows(
        [[[["Nokia", ["nok"]]]], [[["SAMSUNG(?! ?Browser)", ["sam"]]]], [[["Browser", None]]]]
    )
    for text, expected in [
        ("Nokia SAMSUNG", 0),
        ("SAMSUNG Browser", 2),
        ("SAMSUNG x", 1),
        ("x", None),
    ]:
        assert rows.first(text, grams_of(text, 3)) == expected


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
    [[branches, default, models]] = data["brands"]
    assert (branches, default) == ([["ACME", ["acm"], ["acme"]]], "mobile")
    assert json.loads(models) == [  # JSON text: parsed at the brand's first match
        [[["ACME Tab (?!Pro)", [" ta"], ["acme tab "]]], "tablet"],
        [[["ACME Box", [" bo"], ["acme box"]]], "tv"],
    ]
    path = tmp_path / "table.json"
    path.write_text(json.dumps(data))
    table = load(path)
    assert table.model_class("Android 13; ACME Tab 3)") == "tablet"
    assert table.model_class("Android 13; ACME Tab Pro)") == "mobile"
    assert table.model_class("Android 13; ACME Box)") == "tv"
    assert table.model_class("Android 13; Other 5)") is None


ANDROID_SAMPLE = [ua for ua, _ in MODELS] + [
    f"Mozilla/5.0 (Linux; Android {version}; {model}) AppleWebKit/537.36 (KHTML, like Gecko) "
    f"Chrome/120.0.0.0 {mobile}Safari/537.36"
    for version, model, mobile in [
        ("13", "SM-A536B", "Mobile "), ("10", "SM-T510", ""), ("11", "Redmi Note 8 Pro", "Mobile "),
        ("14", "Pixel 8 Pro", "Mobile "), ("9", "LG-H870", "Mobile "), ("12", "moto g(30)", "Mobile "),
        ("11", "Lenovo TB-X606F", ""), ("9", "AFTMM Build/PS7242", ""), ("10", "BRAVIA 4K GB", ""),
        ("7.1.1", "Nokia 2", "Mobile "), ("10", "Quest 2", ""), ("8.1.0", "HUAWEI BLN-L21", "Mobile "),
        ("10", "M2004J19C", "Mobile "), ("12", "CPH2205", "Mobile "), ("7", "SHIELD Android TV", ""),
        ("6.0", "Le X620", "Mobile "), ("11", "TECNO KE5", "Mobile "), ("9", "SH-04L", "Mobile "),
        ("13", "XT2175-2", "Mobile "), ("10", "KFMAWI", ""), ("5.1", "HM NOTE 1LTE", "Mobile "),
    ]
]  # fmt: skip


def _variants(ua: str) -> list[str]:
    """`ua`, and versions of it that take each edge of Matomo's prefix and of case folding."""
    return [
        ua, ua.replace("; ", ";_"), ua.replace("; ", ";x"), ua.replace("; ", "; sprd-").upper(),
        ua.replace("s", "\u017f").replace("k", "\u212a"), ua + "\n",
    ]  # fmt: skip


@functools.cache
def _wrapped(source: str) -> re.Pattern[str]:
    return re.compile(MATOMO_PREFIX.format(python_pattern(source)), re.IGNORECASE)


def _first_row(rows: list[Any], ua: str) -> int | None:
    """The first row one of whose regexes, wrapped in Matomo's prefix, is found in `ua`,
    trying each regex the UA holds a gram of (None: every UA)."""
    grams = grams_of(ua, 3)
    for row, (branches, *_) in enumerate(rows):
        for source, index, *_ in branches:
            if (index is None or grams & set(index)) and _wrapped(source).search(ua):
                return row
    return None


def test_the_table_answers_as_its_regexes_wrapped_whole() -> None:
    data = json.loads(DATA_FILE.read_text())
    table = load()
    for ua in (variant for sample in ANDROID_SAMPLE for variant in _variants(sample)):
        brand = _first_row(data["brands"], ua)
        models = json.loads(data["brands"][brand][2]) if brand is not None else []
        expected = None if brand is None else (brand, _first_row(models, ua))
        assert table.match(ua) == expected, ua
