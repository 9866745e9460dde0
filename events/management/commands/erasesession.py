from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from atrack.ids import UUID_RE
from events.erasure import erasure_create, erasure_lift
from projects.management import command_project


class Command(BaseCommand):
    help = (
        "Erase sessions with their attributes, events, queued and parked work (right to be "
        "forgotten); later writes for them are refused until --lift."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("uuids", nargs="+", metavar="UUID")
        parser.add_argument("--project", required=True, help="Project slug or id.")
        parser.add_argument(
            "--lift",
            action="store_true",
            help="Lift the suppression instead: later writes are stored again.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        project = command_project(options["project"])
        bad = [u for u in options["uuids"] if not UUID_RE.match(u)]
        if bad:
            raise CommandError(f"Not UUIDs: {', '.join(bad)}")
        uuids = [u.lower() for u in options["uuids"]]
        if options["lift"]:
            lifted = sum(erasure_lift(project=project, uuid=u) for u in uuids)
            self.stdout.write(f"Lifted {lifted} of {len(uuids)} suppressions.")
            return
        stored = 0
        for uuid in uuids:
            deleted = erasure_create(project=project, uuid=uuid)
            stored += bool(deleted["sessions"])
            self.stdout.write(
                f"{uuid}: erased {deleted['events']} events, {deleted['attributes']} "
                f"attributes, {deleted['parked']} parked items"
                + ("" if deleted["sessions"] else " (no stored session)")
            )
        self.stdout.write(
            f"Erased {stored} of {len(uuids)} sessions; later writes for all "
            f"{len(uuids)} are refused (--lift to allow them)."
        )
