from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from enrichment.management import install_table
from enrichment.referer_build import build
from enrichment.referers import DATA_FILE, load


class Command(BaseCommand):
    help = (
        "Rebuild the referer table (enrichment/data/referers.json) from a checkout of "
        "matomo-org/searchengine-and-social-list and our referers_local.yml. Reads only the "
        "paths given; downloads nothing. Run `reenrich --attribution` afterwards."
    )

    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--matomo", required=True, help="Folder with SearchEngines.yml etc.")
        parser.add_argument("--matomo-version", default="unknown", help="Its commit or tag.")
        parser.add_argument("--snowplow", help="Snowplow's referers.yml too (GPL-3.0).")
        parser.add_argument("--output", default=str(DATA_FILE))

    def handle(self, *args: Any, **options: Any) -> None:
        matomo = Path(options["matomo"])
        if not (matomo / "SearchEngines.yml").is_file():
            raise CommandError(f"--matomo: no SearchEngines.yml in {matomo}")
        snowplow = Path(options["snowplow"]) if options["snowplow"] else None
        if snowplow is not None and not snowplow.is_file():
            raise CommandError(f"--snowplow: no such file {snowplow}")
        data = build(matomo=matomo, matomo_version=options["matomo_version"], snowplow=snowplow)
        output = Path(options["output"])
        table = install_table(data, output, load)
        self.stdout.write(f"{len(table)} host patterns written to {output}")
