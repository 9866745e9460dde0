from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import QuerySet

from events.failed import failed_work_replay
from events.models import FailedWork
from projects.management import command_project


class Command(BaseCommand):
    help = "Replay parked work (the failed-work store of each database) and mark it replayed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "ids", nargs="*", type=int, help="Failed-work ids (with --project); none: all."
        )
        parser.add_argument("--project", help="Only this project's parked work (slug or id).")
        parser.add_argument("--reason", choices=[c for c, _ in FailedWork.REASON_CHOICES])
        parser.add_argument("--dry-run", action="store_true", help="List what would be replayed.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["ids"] and not options["project"]:
            raise CommandError("Ids are per project: name it with --project.")
        replayed = failed = 0
        for alias, work in self._pending(options):
            if options["dry_run"]:
                self.stdout.write(f"#{work.pk} {work.reason}: {len(work.payload)} items")
                continue
            error = failed_work_replay(alias=alias, work=work)
            if error is None:
                replayed += 1
            else:
                failed += 1
                self.stderr.write(f"#{work.pk} failed again: {error}")
        self.stdout.write(f"Replayed {replayed}, still failing {failed}.")
        if failed:
            raise CommandError(f"{failed} item(s) could not be replayed; they stay in the store.")

    def _pending(self, options: dict[str, Any]) -> list[tuple[str, FailedWork]]:
        querysets: list[QuerySet[FailedWork]]
        if options["project"]:
            querysets = [FailedWork.objects.for_project(command_project(options["project"]))]
        else:
            querysets = [FailedWork.objects.using(alias).all() for alias in settings.DATABASES]
        found = []
        for rows in querysets:
            rows = rows.filter(replayed_at__isnull=True).order_by("created_at")
            if options["ids"]:
                rows = rows.filter(pk__in=options["ids"])
            if options["reason"]:
                rows = rows.filter(reason=options["reason"])
            found += [(rows.db, work) for work in rows]
        return found
