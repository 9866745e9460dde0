from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from enrichment.device_model_build import build
from enrichment.device_models import DATA_FILE, check
from enrichment.management import install_table


class Command(BaseCommand):
    help = (
        "Rebuild the device model table (enrichment/data/device_models.json) from a checkout "
        "of matomo-org/device-detector (regexes/device/*.yml, LGPL-3.0). Reads only the path "
        "given; downloads nothing. Run `reenrich` afterwards to reclassify stored sessions."
    )

    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--matomo", required=True, help="device-detector checkout root.")
        parser.add_argument("--matomo-version", default="unknown", help="Its commit or tag.")
        parser.add_argument("--output", default=str(DATA_FILE))

    def handle(self, *args: Any, **options: Any) -> None:
        matomo = Path(options["matomo"])
        if not (matomo / "regexes" / "device" / "mobiles.yml").is_file():
            raise CommandError(f"--matomo: no regexes/device/mobiles.yml in {matomo}")
        data = build(matomo=matomo, version=options["matomo_version"])
        output = Path(options["output"])
        brands = install_table(data, output, check)  # every regex must compile
        self.stdout.write(f"{brands} brands written to {output}")
