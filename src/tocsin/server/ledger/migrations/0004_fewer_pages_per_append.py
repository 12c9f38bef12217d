"""Fewer pages written per append. Everywhere: no index on the leaves' kind, and leaf hashes
are no longer stored (the store computes each from its leaf). On SQLite, each ledger table
becomes one B-tree: sequence numbers become rowids, and the subtree-hash table is rebuilt
WITHOUT ROWID."""

import hashlib

from django.db import migrations, models

import tocsin.server.ledger.models

_NODE_TABLE = (
    'CREATE TABLE "{name}" ("level" smallint NOT NULL, "index" bigint NOT NULL, '
    '"hash" BLOB NOT NULL, PRIMARY KEY ("level", "index")){suffix}'
)


def _rebuild_nodes(suffix: str):  # type: ignore[no-untyped-def]
    def rebuild(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor != "sqlite":
            return
        schema_editor.execute(_NODE_TABLE.format(name="ledger_node__rebuilt", suffix=suffix))
        schema_editor.execute(
            'INSERT INTO "ledger_node__rebuilt" ("level", "index", "hash") '
            'SELECT "level", "index", "hash" FROM "ledger_node"'
        )
        schema_editor.execute('DROP TABLE "ledger_node"')
        schema_editor.execute('ALTER TABLE "ledger_node__rebuilt" RENAME TO "ledger_node"')

    return rebuild


def _restore_leaf_hashes(apps, schema_editor):  # type: ignore[no-untyped-def]
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT seq, data FROM ledger_leaf ORDER BY seq")
        hashes = [
            (0, seq, hashlib.sha256(b"\x00" + bytes(data)).digest())
            for seq, data in cursor.fetchall()
        ]
        cursor.executemany(
            'INSERT INTO ledger_node (level, "index", hash) VALUES (%s, %s, %s)', hashes
        )


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0003_signed_checkpoints_and_witness_state"),
    ]

    operations = [
        migrations.AlterField(
            model_name="ledgerleaf",
            name="kind",
            field=models.CharField(max_length=100),
        ),
        migrations.AlterField(
            model_name="ledgerleaf",
            name="seq",
            field=tocsin.server.ledger.models.SequenceField(primary_key=True, serialize=False),
        ),
        migrations.AlterField(
            model_name="ledgerpayload",
            name="seq",
            field=tocsin.server.ledger.models.SequenceField(primary_key=True, serialize=False),
        ),
        migrations.RunSQL("DELETE FROM ledger_node WHERE level = 0", migrations.RunSQL.noop),
        migrations.RunPython(migrations.RunPython.noop, _restore_leaf_hashes),
        migrations.RunPython(_rebuild_nodes(" WITHOUT ROWID"), _rebuild_nodes("")),
    ]
