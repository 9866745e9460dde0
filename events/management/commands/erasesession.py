from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from events.ingest.payloads import UUID_RE
from projects.models import Project
from projects.routing import alias_for
from projects.selectors import project_get
from sessions_app.selectors import session_get
from sessions_app.services import session_erase


class Command(BaseCommand):
    help = "Erase sessions with their attributes and events (right to be forgotten)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("uuids", nargs="+", metavar="UUID")
        parser.add_argument("--project", required=True, help="Project slug or id.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            project = project_get(slug_or_id=options["project"])
        except Project.DoesNotExist as exc:
            raise CommandError(f"No project {options['project']!r}.") from exc
        bad = [u for u in options["uuids"] if not UUID_RE.match(u)]
        if bad:
            raise CommandError(f"Not UUIDs: {', '.join(bad)}")
        missing = 0
        for uuid in options["uuids"]:
            session = session_get(project=project, uuid=uuid.lower())
            if session is None:
                missing += 1
                self.stdout.write(f"{uuid}: not found")
                continue
            deleted = session_erase(alias=alias_for(project), session_id=session.pk)
            self.stdout.write(
                f"{uuid}: erased {deleted['events']} events, {deleted['attributes']} attributes"
            )
        self.stdout.write(
            f"Erased {len(options['uuids']) - missing} of {len(options['uuids'])} sessions."
        )
