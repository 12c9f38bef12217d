"""Create the ledger's single head row: size 0, root SHA-256 of nothing (RFC 9162)."""

import hashlib

from django.db import migrations


def create_head(apps, schema_editor):  # type: ignore[no-untyped-def]
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_head (id, size, root) VALUES (1, 0, %s)",
            [hashlib.sha256(b"").digest()],
        )


def remove_head(apps, schema_editor):  # type: ignore[no-untyped-def]
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_head WHERE id = 1")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_ledger_storage_and_retention")]
    operations = [migrations.RunPython(create_head, remove_head)]
