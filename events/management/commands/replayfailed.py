from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils import timezone

from events.ingest.processing import UnknownProject, process_items
from projects.models import FailedWork


class Command(BaseCommand):
    help = "Replay parked work (from the failed-work store) and mark it replayed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "ids", nargs="*", type=int, help="Failed-work ids; none means all pending."
        )
        parser.add_argument("--reason", choices=[c for c, _ in FailedWork.REASON_CHOICES])
        parser.add_argument("--dry-run", action="store_true", help="List what would be replayed.")

    def handle(self, *args: Any, **options: Any) -> None:
        pending = FailedWork.objects.filter(replayed_at__isnull=True).order_by("created_at")
        if options["ids"]:
            pending = pending.filter(pk__in=options["ids"])
        if options["reason"]:
            pending = pending.filter(reason=options["reason"])
        replayed = failed = 0
        for work in pending:
            if options["dry_run"]:
                self.stdout.write(f"#{work.pk} {work.reason}: {len(work.payload)} items")
                continue
            if self._replay(work):
                replayed += 1
            else:
                failed += 1
        self.stdout.write(f"Replayed {replayed}, still failing {failed}.")
        if failed:
            raise CommandError(f"{failed} item(s) could not be replayed; they stay in the store.")

    def _replay(self, work: FailedWork) -> bool:
        try:
            process_items(work.payload)
        except (DatabaseError, UnknownProject) as exc:
            work.attempts += 1
            work.detail = f"{type(exc).__name__}: {exc}"[:5000]
            work.save(update_fields=["attempts", "detail"])
            self.stderr.write(f"#{work.pk} failed again: {work.detail}")
            return False
        work.replayed_at = timezone.now()
        work.save(update_fields=["replayed_at"])
        return True
