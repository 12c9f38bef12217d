"""Bulk import: rows per second for ``import_concerns`` on a 10,000-row CSV (every row parsed
and validated, then recorded in batches within one transaction), as ``tocsin bench import``
measures it (``tocsin.server.cli._import_bench``).

Baselines measured in the same run: parsing and validation alone (``--dry-run``), and the same
drafts recorded one by one through ``do_record_concern`` (a transaction each), which is what
a loop over the form's action would do. Each database runs in a subprocess of its own with a
fresh TOCSIN_HOME (SQLite; PostgreSQL when reachable). The worker also notes the CPU time the
import and the one-by-one recording took, since on a shared machine wall time includes
waiting for a core.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from _worker import run_worker  # benchmarks/ is on the path (run.py, or as a script)

TITLE = "Import: concerns per second from a CSV file (issues 5 and 18)"
HERE = Path(__file__).resolve()
POSTGRES = os.environ.get("TOCSIN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def worker(rows: int, one_by_one: int) -> dict[str, float]:
    """Runs inside a subprocess with its own TOCSIN_HOME and DATABASE_URL."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tocsin.server.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from tocsin.server.cli._import_bench import measure_import

    call_command("migrate", verbosity=0)
    result: dict[str, float] = measure_import(rows, one_by_one, lambda *_: None)
    result["one_by_one_rows"] = one_by_one
    result["load"] = os.getloadavg()[0]
    return result


def _postgres() -> tuple[str, str] | None:
    try:
        import psycopg

        name = f"tocsin_bench_{secrets.token_hex(4)}"
        with psycopg.connect(POSTGRES, autocommit=True, connect_timeout=3) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
    except Exception:
        return None
    return name, urlunsplit(urlsplit(POSTGRES)._replace(path=f"/{name}"))


def _drop(name: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _measure(database_url: str | None, rows: int, one_by_one: int) -> dict[str, float]:
    result: dict[str, float] = run_worker(HERE, rows, one_by_one, database_url=database_url)
    return result


def run(quick: bool) -> str:
    """Measure on SQLite (and PostgreSQL when reachable); return the Markdown section."""
    rows, one_by_one = (1_000, 200) if quick else (10_000, 1_000)
    lines = [
        "| Database | Rows | Import (rows/s) | Check only, `--dry-run` (rows/s) "
        "| One by one through `do_record_concern` (rows/s) | Import vs one by one "
        "| Load average |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    cpu = [
        "| Database | Import (rows per CPU second) | One by one (rows per CPU second) | Ratio |",
        "| --- | --- | --- | --- |",
    ]
    made = _postgres()
    for label, url in [("SQLite", None), ("PostgreSQL", made[1] if made else "")]:
        if url == "":
            lines.append(f"| {label} | – | not reachable at {POSTGRES} | – | – | – | – |")
            continue
        try:
            r = _measure(url, rows, one_by_one)
        finally:
            if url and made:
                _drop(made[0])
        lines.append(
            f"| {label} | {r['rows']:,} | {r['import_rows_per_second']:,.0f} "
            f"| {r['check_only_rows_per_second']:,.0f} "
            f"| {r['one_by_one_rows_per_second']:,.0f} (over {r['one_by_one_rows']:,} rows) "
            f"| {r['ratio']:.2f}x | {r['load']:.1f} |"
        )
        cpu.append(
            f"| {label} | {r['import_cpu_rows_per_second']:,.0f} "
            f"| {r['one_by_one_cpu_rows_per_second']:,.0f} "
            f"| {r['import_cpu_rows_per_second'] / r['one_by_one_cpu_rows_per_second']:.2f}x |"
        )
    lines += [
        "",
        "Import time includes reading the file, checking every row (the shared validation,",
        "indicator screening for one row in five), the language check on each narrative, and",
        "recording every concern, its child and its screening on the ledger, 500 concerns to an",
        "append, in one transaction. The one-by-one baseline records the same parsed drafts with",
        "one transaction per concern, in the same process right after the import. Every other",
        "row has a source reference; the rest are known by the hash of their cells.",
        "",
        "The same runs in CPU time of the measuring process (on a shared machine wall time",
        "includes waiting for a core; one by one also waits for a disk flush per commit):",
        "",
        *cpu,
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--worker":
        print(json.dumps(worker(int(sys.argv[2]), int(sys.argv[3]))))
    else:
        print(run(quick="--quick" in sys.argv))
