from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from events.moving import MoveError, default_settle_seconds, project_move
from projects.management import command_project


class Command(BaseCommand):
    help = (
        "Move a project's sessions, attributes and events to another database alias while "
        "writes continue: copy, verify, switch, catch up, verify, delete the old rows."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("project", help="Project slug or id.")
        parser.add_argument("--to", required=True, dest="target", help="Target database alias.")
        parser.add_argument(
            "--settle-seconds",
            type=float,
            default=None,
            help="Wait after the switch before the catch-up; must exceed how long any "
            f"process caches projects (default API_KEY_CACHE_SECONDS + margin, now "
            f"{default_settle_seconds():g}).",
        )
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        project = command_project(options["project"])
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be positive.")
        quiet = options["json"] or options["verbosity"] < 1
        try:
            report = project_move(
                project=project,
                target=options["target"],
                settle_seconds=options["settle_seconds"],
                batch_size=options["batch_size"],
                log=(lambda _: None) if quiet else self.stdout.write,
            )
        except MoveError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(asdict(report)))
            return
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"Moved {project.slug} from {report.source!r} to {report.target!r}: "
                f"verified {report.verified}, deleted {report.deleted} "
                f"in {sum(report.seconds.values()):.1f} s ({report.seconds})."
            )
