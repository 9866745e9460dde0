from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run `migrate` on every configured database alias (`default` last)."

    def handle(self, *args: Any, **options: Any) -> None:
        # The other aliases hold data-plane tables only; migrated first, they are there
        # when a `default` migration moves data into them.
        for alias in sorted(settings.DATABASES, key=lambda alias: alias == "default"):
            self.stdout.write(f"Migrating database alias {alias!r}")
            call_command(
                "migrate", database=alias, interactive=False, verbosity=options["verbosity"] - 1
            )
