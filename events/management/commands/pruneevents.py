from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from events.services import retention_prune


class Command(BaseCommand):
    help = "Delete events older than each project's retention period (beat runs this daily)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count, delete nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        result = retention_prune(now=timezone.now(), dry_run=options["dry_run"])
        verb = "would delete" if options["dry_run"] else "deleted"
        for slug, count in result.items():
            self.stdout.write(f"{slug}: {verb} {count} events")
        if not result:
            self.stdout.write("No project has a retention period.")
