from __future__ import annotations

import sys
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from atrack.times import parse_time
from projects.management import command_project
from projects.routing import alias_for
from sessions_app.reenrich import reenrich_count, sessions_reenrich


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_time(value)
    except ValueError as exc:
        raise CommandError(f"--since: not an ISO 8601 date: {value!r}") from exc


class Command(BaseCommand):
    help = (
        "Re-apply IP, device and attribution enrichment to stored sessions (after a GeoIP "
        "or referer-table update, or a change of the project's hosting_is_bot)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", help="Project slug or id; default: every project.")
        parser.add_argument("--since", help="Only sessions seen since this ISO 8601 date.")
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument("--after-id", type=int, default=0, help="Resume after this session id.")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        since = _since(options["since"])
        for alias, project_id in self._targets(options["project"]):
            self._run(alias, project_id, since, options)

    def _targets(self, project: str | None) -> list[tuple[str, int | None]]:
        if project is None:
            return [(alias, None) for alias in settings.DATABASES]
        found = command_project(project)
        return [(alias_for(found), found.pk)]

    def _run(
        self, alias: str, project_id: int | None, since: datetime | None, options: dict[str, Any]
    ) -> None:
        total = reenrich_count(
            alias=alias, project_id=project_id, since=since, after_id=options["after_id"]
        )
        done, last_id = 0, options["after_id"]
        batches = sessions_reenrich(
            alias=alias,
            project_id=project_id,
            since=since,
            after_id=last_id,
            batch_size=options["batch_size"],
        )
        try:
            for count, batch_last_id in batches:
                done, last_id = done + count, batch_last_id
                if not options["no_progress"]:
                    self._progress(alias, done, total)
        except KeyboardInterrupt as exc:
            raise CommandError(f"Interrupted; resume with --after-id {last_id}") from exc
        if not options["no_progress"]:
            sys.stderr.write("\n")
        self.stdout.write(f"{alias}: re-enriched {done} sessions (last id {last_id}).")

    def _progress(self, alias: str, done: int, total: int) -> None:
        share = done / total if total else 1.0
        bar = "#" * int(share * 30)
        sys.stderr.write(f"\r{alias} [{bar:<30}] {share:6.1%} {done}/{total}")
        sys.stderr.flush()
