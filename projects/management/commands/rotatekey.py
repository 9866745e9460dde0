from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from projects import keys
from projects.management import command_project
from projects.services import key_rotate


class Command(BaseCommand):
    help = "Issue a new key; the project's current keys of that kind expire after a grace period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("project", help="Project slug or id.")
        parser.add_argument("--kind", choices=keys.KINDS, required=True)
        parser.add_argument("--grace-hours", type=float, default=24.0)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["grace_hours"] < 0:
            raise CommandError("--grace-hours must not be negative.")
        project = command_project(options["project"])
        grace = timedelta(hours=options["grace_hours"])
        api_key, raw = key_rotate(project=project, kind=options["kind"], grace=grace)
        if options["json"]:
            body = {
                "project": project.slug,
                "kind": api_key.kind,
                "key": raw,
                "prefix": api_key.prefix,
            }
            self.stdout.write(json.dumps(body))
            return
        self.stdout.write(f"New {api_key.kind} key for {project.slug}: {raw}")
        self.stdout.write(
            f"Older {api_key.kind} keys stop working in {options['grace_hours']:g} h."
        )
