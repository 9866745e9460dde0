from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from projects.models import Project


class Command(BaseCommand):
    help = "List projects, their database alias and their keys (prefixes only)."

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        for project in Project.objects.prefetch_related("api_keys"):
            self.stdout.write(f"{project.slug}\t{project.name}\tdatabase={project.database_alias}")
            for key in project.api_keys.all():
                state = (
                    "active" if key.is_active(now) else ("revoked" if key.revoked_at else "expired")
                )
                if key.is_active(now) and key.expires_at:
                    state = f"expires {key.expires_at:%Y-%m-%d %H:%M}Z"
                self.stdout.write(f"  {key.prefix}…\t{key.kind}\t{state}")
