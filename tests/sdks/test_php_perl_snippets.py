"""The PHP and Perl SDKs' copies of the documentation's examples are still its text.

The copies live beside each SDK's tests (sdks/php/tests/snippets, sdks/perl/t/snippets),
which run them against a live service (sdks/php/check, sdks/perl/check). This check
runs with the Python suite too, so a change of the documentation shows up even where
PHP or Perl is not installed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from tests.sdks.test_doc_snippets import DOC_CANDIDATES

SDKS = Path(settings.BASE_DIR) / "sdks"
COPIES = {
    "php": SDKS / "php" / "tests" / "snippets",
    "perl": SDKS / "perl" / "t" / "snippets",
}
NAMES = (
    "real_life_1_init",
    "real_life_2_read_uuid",
    "real_life_3_track",
    "init",
    "set_attributes",
    "track",
)


@pytest.mark.parametrize("language", sorted(COPIES))
def test_the_copies_are_the_documentations_text(language: str) -> None:
    doc = next((path for path in DOC_CANDIDATES if path.is_file()), None)
    if doc is None:
        pytest.skip("the documentation (shared/seed) is not beside this checkout")
    text = doc.read_text()
    for name in NAMES:
        snippet = (COPIES[language] / f"{name}.txt").read_text()
        assert snippet.strip() in text, f"{language} {name} is no longer the documentation's text"


@pytest.mark.parametrize("language", sorted(COPIES))
def test_every_example_of_the_language_has_a_copy(language: str) -> None:
    doc = next((path for path in DOC_CANDIDATES if path.is_file()), None)
    if doc is None:
        pytest.skip("the documentation (shared/seed) is not beside this checkout")
    heading = {"php": "PHP SDK\n", "perl": "Perl SDK\n"}[language]
    examples = doc.read_text().count(heading) - 1  # the first is the table of SDKs
    assert examples == len(NAMES) == len(list(COPIES[language].glob("*.txt")))
