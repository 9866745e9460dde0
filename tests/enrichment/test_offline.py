"""Nothing in the enrichment library touches the network (tldextract, ua-parser, GeoIP)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Runs in a fresh interpreter, so that the lazily loaded suffix list and UA regexes are
# loaded with every socket call turned into an error.
SCRIPT = """
import socket, sys, tempfile
from pathlib import Path

def refuse(*args, **kwargs):
    raise AssertionError(f"network access attempted: {args!r}")

socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse

from enrichment.geo import GeoDatabases
from enrichment.pipeline import enrich_session
from tests.enrichment.mmdb_factory import DOC_IP, write_test_databases

folder = Path(tempfile.mkdtemp())
write_test_databases(folder)
context = {
    "url": {"href": "https://a-track.io/?gclid=1", "referer": "https://www.google.co.uk/"},
    "client": {"ipAddress": DOC_IP, "userAgent": "Mozilla/5.0 (compatible; Googlebot/2.1)"},
}
result = enrich_session(context=context, previous=None, seen_at_ms=1, geo=GeoDatabases(folder))
assert result["first_touch"]["source"] == "google", result
assert result["device_data"]["is_bot"], result
print("offline ok")
"""


def test_enrichment_runs_with_the_network_forbidden() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "offline ok" in done.stdout
