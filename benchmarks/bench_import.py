"""Bulk import: rows per second for ``import_concerns`` on a 10,000-row CSV (every row parsed
and validated, then all recorded in one transaction through ``do_record_concerns``).

Baselines measured in the same run: parsing and validation alone (``--dry-run``), and the same
drafts recorded one by one through ``do_record_concern`` (a transaction each), which is what
a loop over the form's action would do. Each database runs in a subprocess of its own with a
fresh TOCSIN_HOME (SQLite; PostgreSQL when reachable).
"""

from __future__ import annotations

import csv
import json
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from _worker import run_worker  # benchmarks/ is on the path (run.py, or as a script)

TITLE = "Import: concerns per second from a CSV file (issue 5)"
HERE = Path(__file__).resolve()
POSTGRES = os.environ.get("TOCSIN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
GIVEN = ["Amara", "Bilal", "Zofia", "Wiktor", "Siobhan", "Nkechi", "Tomasz", "Aisha", "Kacper"]
FAMILY = ["Okafor", "Hussain", "Nowak", "Kowalski", "O'Brien", "Adeyemi", "Khan", "Byrne"]


def _write_csv(path: Path, rows: int) -> None:
    header = [
        "child_given_name", "child_family_name", "child_date_of_birth", "child_sex",
        "child_postcode", "narrative", "occurred_on", "person_names", "person_ethnicity",
        "vehicle_registration", "vehicle_make", "phones", "indicators", "cin_factors",
    ]  # fmt: skip
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        for i in range(rows):
            writer.writerow(
                [
                    GIVEN[i % len(GIVEN)],
                    f"{FAMILY[i % len(FAMILY)]}-{i}",
                    f"{2009 + i % 8}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                    "FMXU"[i % 4],
                    "ZZ1 4QX",
                    "Adults have been contacting the child through social media and a car "
                    "has been seen collecting them from school.",
                    "2026-11-01",
                    "Dean Carter" if i % 3 == 0 else "",
                    "NOBT" if i % 3 == 0 else "",
                    "ZX12 ABC" if i % 2 == 0 else "",
                    "Ford" if i % 2 == 0 else "",
                    "07700 900123",
                    "missing_from_home_or_care@2026-10-30" if i % 5 == 0 else "",
                    "11A;10A" if i % 4 == 0 else "",
                ]
            )


def worker(rows: int, one_by_one: int) -> dict[str, float]:
    """Runs inside a subprocess with its own TOCSIN_HOME and DATABASE_URL."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tocsin.server.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from tocsin.server.actors import SystemActor
    from tocsin.server.concerns.actions import do_record_concern
    from tocsin.server.concerns.importing import check_sheet, import_concerns, read_sheet
    from tocsin.server.directory.actions import do_enrol_user, do_register_agency

    call_command("migrate", verbosity=0)
    actor = SystemActor("benchmark")
    agency = do_register_agency("Northgate Council", "council", actor=actor)
    user = do_enrol_user("bench", "Bench Person", agency, "practitioner", actor=actor)
    folder = Path(tempfile.mkdtemp(prefix="tocsin-bench-import-"))
    path = folder / "concerns.csv"
    _write_csv(path, rows)

    started = time.perf_counter()
    dry = import_concerns(path, actor=user, dry_run=True)
    checked = time.perf_counter() - started
    assert dry.ok, dry.problems[:3]

    started = time.perf_counter()
    outcome = import_concerns(path, actor=user)
    imported = time.perf_counter() - started
    assert outcome.ok
    assert len(outcome.recorded) == rows

    parsed, _ = check_sheet(read_sheet(path), today=django.utils.timezone.localdate())
    drafts = [row.draft for row in parsed[:one_by_one]]
    started = time.perf_counter()
    for draft in drafts:
        do_record_concern(draft, actor=user)
    singly = time.perf_counter() - started
    return {
        "rows": rows,
        "import_s": imported,
        "check_s": checked,
        "one_by_one_rows": len(drafts),
        "one_by_one_s": singly,
        "file_bytes": path.stat().st_size,
    }


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
        "| One by one through `do_record_concern` (rows/s) | Import vs one by one |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    made = _postgres()
    for label, url in [("SQLite", None), ("PostgreSQL", made[1] if made else "")]:
        if url == "":
            lines.append(f"| {label} | – | not reachable at {POSTGRES} | – | – | – |")
            continue
        try:
            r = _measure(url, rows, one_by_one)
        finally:
            if url and made:
                _drop(made[0])
        rate = r["rows"] / r["import_s"]
        check = r["rows"] / r["check_s"]
        single = r["one_by_one_rows"] / r["one_by_one_s"]
        lines.append(
            f"| {label} | {r['rows']:,} ({r['file_bytes'] / 2**20:.1f} MB) | {rate:,.0f} "
            f"| {check:,.0f} | {single:,.0f} (over {r['one_by_one_rows']:,} rows) "
            f"| {rate / single:.2f}x |"
        )
    lines += [
        "",
        "Import time includes reading the file, checking every row (the shared validation, the",
        "language check on each narrative, indicator screening for one row in five) and recording",
        "every concern, its child and its screening on the ledger in one transaction. The",
        "one-by-one baseline records the same parsed drafts with one transaction per concern.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--worker":
        print(json.dumps(worker(int(sys.argv[2]), int(sys.argv[3]))))
    else:
        print(run(quick="--quick" in sys.argv))
