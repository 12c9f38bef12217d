"""Copy a built SQLite demo, table by table, into a migrated PostgreSQL database (for the load
test, when loading the borough demo on PostgreSQL through the actions takes longer than the
benchmark can wait on a busy machine). Run with ``DATABASE_URL`` naming the target.

    python benchmarks/_copy_to_postgres.py SQLITE_FILE

Every table the two share (except Django's list of applied migrations) is emptied and filled
with the SQLite rows by COPY, in the schema's own column types (0/1 become booleans, blobs
bytea, times UTC); foreign keys are not checked while copying (the rows come from a database
that enforced them), and every sequence is moved past the largest id copied. The ledger's
bytes are copied as they are, so ``tocsin verify`` holds on the copy as on the original.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time


def main() -> int:
    source = sys.argv[1]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tocsin.server.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    lite = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    lite_tables = {
        r[0]
        for r in lite.execute("SELECT name FROM sqlite_master WHERE type='table'")
        if not r[0].startswith("sqlite_")
    }
    started = time.perf_counter()
    copied = 0
    with connection.cursor() as cursor:
        pg = cursor.connection  # psycopg
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
        tables = sorted(
            (r[0] for r in cursor.fetchall() if r[0] in lite_tables),
            key=lambda t: t != "django_content_type",
        )
        tables = [t for t in tables if t != "django_migrations"]
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("SET TIME ZONE 'UTC'")
        cursor.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE")
        for table in tables:
            cursor.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'public' AND table_name = %s",
                [table],
            )
            types = dict(cursor.fetchall())
            lite_columns = [r[1] for r in lite.execute(f'PRAGMA table_info("{table}")')]
            columns = [c for c in lite_columns if c in types]
            booleans = [i for i, c in enumerate(columns) if types[c] == "boolean"]
            names = ", ".join(f'"{c}"' for c in columns)
            rows = lite.execute(f'SELECT {names} FROM "{table}"')
            with pg.cursor().copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    if booleans:
                        row = list(row)
                        for i in booleans:
                            if row[i] is not None:
                                row[i] = bool(row[i])
                    copy.write_row(row)
                    copied += 1
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute(
            "SELECT table_name, column_name, pg_get_serial_sequence("
            "quote_ident(table_name), column_name) FROM information_schema.columns "
            "WHERE table_schema = 'public' AND pg_get_serial_sequence("
            "quote_ident(table_name), column_name) IS NOT NULL"
        )
        for table, column, sequence in cursor.fetchall():
            cursor.execute(
                f'SELECT setval(%s, COALESCE((SELECT MAX("{column}") FROM "{table}"), 0) + 1, '
                "false)",
                [sequence],
            )
        cursor.execute("ANALYZE")
    print(
        f"copied {copied:,} rows in {len(tables)} tables in {time.perf_counter() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
