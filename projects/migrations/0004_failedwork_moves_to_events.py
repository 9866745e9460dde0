"""Parked failed work moves to the data plane (events.FailedWork, in each project's alias)."""

from collections import defaultdict

from django.db import connections, migrations


def move_rows(apps, schema_editor):
    if schema_editor.connection.alias != "default":
        return
    old = apps.get_model("projects", "FailedWork")
    new = apps.get_model("events", "FailedWork")
    projects = apps.get_model("projects", "Project")
    aliases = {p.pk: p.database_alias or "default" for p in projects.objects.using("default")}
    for row in old.objects.using("default").iterator():
        alias = aliases.get(row.project_id, "default")
        # An alias not migrated yet keeps the row in `default` (`migrateall` migrates the
        # other aliases first, so this is rare).
        if alias not in connections or new._meta.db_table not in (
            connections[alias].introspection.table_names()
        ):
            alias = "default"
        by_uuid = defaultdict(list)
        for item in row.payload if isinstance(row.payload, list) else [row.payload]:
            uuid = item.get("uuid") if isinstance(item, dict) else None
            by_uuid[uuid].append(item)
        for uuid, items in by_uuid.items():
            new.objects.using(alias).create(
                created_at=row.created_at,
                project_id=row.project_id,
                uuid=uuid,
                reason=row.reason,
                detail=row.detail,
                payload=items,
                attempts=row.attempts,
                replayed_at=row.replayed_at,
            )


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0003_membership"),
        ("events", "0004_failedwork"),
    ]

    operations = [
        migrations.RunPython(move_rows, migrations.RunPython.noop),
        migrations.DeleteModel(name="FailedWork"),
    ]
