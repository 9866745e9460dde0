from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run `migrate` on every configured database alias (default first)."

    def handle(self, *args: Any, **options: Any) -> None:
        for alias in settings.DATABASES:
            self.stdout.write(f"Migrating database alias {alias!r}")
            call_command(
                "migrate", database=alias, interactive=False, verbosity=options["verbosity"] - 1
            )
