from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from projects.models import ApiKey
from projects.services import key_revoke


class Command(BaseCommand):
    help = "Revoke a key at once, by its prefix (as listed by listprojects)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            api_key = key_revoke(prefix=options["prefix"])
        except ApiKey.DoesNotExist as exc:
            raise CommandError(f"No key with prefix {options['prefix']!r}.") from exc
        self.stdout.write(f"Revoked {api_key.prefix} ({api_key.kind}) of {api_key.project.slug}.")
