from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from projects.services import project_create


class Command(BaseCommand):
    help = "Create a project with a public and a secret key (shown once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--slug", help="URL-safe identifier; derived from the name if unset.")
        parser.add_argument("--database", default="default", help="Database alias for its data.")
        parser.add_argument(
            "--origin", action="append", default=[], help="Allowed browser origin (repeatable)."
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            created = project_create(
                name=options["name"],
                slug=options["slug"],
                database_alias=options["database"],
                allowed_origins=options["origin"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        if options["json"]:
            body = {
                "project": created.project.slug,
                "public_key": created.public_key,
                "secret_key": created.secret_key,
            }
            self.stdout.write(json.dumps(body))
            return
        self.stdout.write(
            f"Project: {created.project.slug} (database {created.project.database_alias})"
        )
        self.stdout.write(f"Public key: {created.public_key}")
        self.stdout.write(f"Secret key: {created.secret_key}")
        self.stdout.write("The keys are shown only now; store them safely.")
