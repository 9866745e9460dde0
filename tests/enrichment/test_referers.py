"""The shipped referer table (Matomo's CC0 list + ours) and the build that makes it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from enrichment.attribution import classify
from enrichment.referer_build import build
from enrichment.referers import default_table, load, search_term

# (referer, source, channel, term)
CASES = [
    ("https://www.google.com/search?q=tarot+cards", "google", "organic_search", "tarot cards"),
    ("https://www.bing.com/search?q=a%20b&form=QBLH", "bing", "organic_search", "a b"),
    ("https://es.search.yahoo.com/search?p=cartas", "yahoo", "organic_search", "cartas"),
    ("https://duckduckgo.com/", "duckduckgo", "organic_search", None),
    ("https://docs.google.com/document/d/1", "google.com", "referral", None),
    ("https://mail.google.com/mail/u/0/", "gmail", "email", None),
    ("https://webmail1m.orange.fr/webmail/fr_FR/read.html", "orange.fr", "email", None),
    ("https://lightmailer-bs.gmx.net/", "gmx", "email", None),
    ("https://deref-gmx.de/mail/client/x/deref", "gmx", "email", None),
    ("https://webmail.example-isp.nl/", "example-isp.nl", "email", None),
    ("https://mail.ru/", "mail.ru", "referral", None),
    ("https://go.mail.ru/search?q=x", "mailru", "organic_search", "x"),
    ("https://tpc.googlesyndication.com/", "google ads", "display", None),
    ("https://www.youtube.com/watch?v=1", "youtube", "organic_video", None),
    ("https://fosstodon.org/@someone", "mastodon", "organic_social", None),
    ("https://l.threads.com/l/ABC", "threads", "organic_social", None),
    ("https://duck.ai/chat", "duck.ai", "ai_assistant", None),
    ("android-app://com.reddit.frontpage/", "reddit", "organic_social", None),
    ("https://blog.example.com/", "example.com", "referral", None),
]


@pytest.mark.parametrize(("referer", "source", "channel", "term"), CASES)
def test_it_classifies_public_referers(referer, source, channel, term):
    found = classify({}, {}, referer, ())
    assert (found.source, found.channel, found.term) == (source, channel, term)


def test_the_shipped_table_names_its_sources_and_licences():
    table = default_table()
    names = {s["name"]: s for s in table.sources}
    assert names["matomo-org/searchengine-and-social-list"]["licence"] == "CC0-1.0"
    assert len(table) > 900


def test_a_utm_source_matching_a_table_name_gets_its_category():
    assert classify({"utm_source": "mastodon"}, {}, None).channel == "organic_social"


MATOMO_SEARCH = """
Findit:
  -
    urls:
      - findit.{}
      - '{}.findit.org'
    params:
      - '/s\\/([^\\/]+)/'
      - q
"""


def _matomo(folder: Path) -> Path:
    folder.mkdir()
    (folder / "SearchEngines.yml").write_text(MATOMO_SEARCH)
    (folder / "Socials.yml").write_text('"Chatter":\n  - chatter.example\n')
    (folder / "AIAssistants.yml").write_text('"Asky":\n  - asky.example\n')
    return folder


def test_build_reads_matomo_syntax_and_keeps_our_entries_first(tmp_path):
    data = build(matomo=_matomo(tmp_path / "m"), matomo_version="abc")
    assert data["hosts"]["findit.*"] == ["findit", "search", False, ["/s\\/([^\\/]+)/", "q"]]
    assert data["hosts"]["findit.org"][2] is True  # "{}.findit.org": any subdomain
    assert data["hosts"]["chatter.example"] == ["chatter", "social", True, None]
    assert data["hosts"]["mail.google.*"][:2] == ["gmail", "email"]
    assert data["sources"][1]["version"] == "abc"


def test_search_terms_come_from_a_path_pattern_or_a_parameter(tmp_path):
    output = tmp_path / "referers.json"
    output.write_text(json.dumps(build(matomo=_matomo(tmp_path / "m"), matomo_version="x")))
    table = load(output)
    match = table.lookup("www.findit.de", "/s/red%20shoes")
    assert match is not None
    assert match.source == "findit"
    assert search_term(match, "/s/red%20shoes", "") == "red shoes"
    assert search_term(match, "/", "q=blue+hat") == "blue hat"


def test_the_command_writes_a_loadable_table(tmp_path):
    output = tmp_path / "out.json"
    call_command(
        "referers_build", matomo=str(_matomo(tmp_path / "m")), matomo_version="v1",
        output=str(output),
    )  # fmt: skip
    assert load(output).lookup("asky.example") is not None


def test_the_command_refuses_a_folder_without_the_lists(tmp_path):
    with pytest.raises(CommandError, match=r"SearchEngines\.yml"):
        call_command("referers_build", matomo=str(tmp_path), output=str(tmp_path / "o.json"))
