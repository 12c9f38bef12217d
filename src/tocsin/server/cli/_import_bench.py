"""``tocsin bench import``: a synthetic file of concerns imported, against the same rows only
checked (``--dry-run``) and recorded one by one through the form's action, in one run on one
database. Synthetic data only: a handful of invented names, numbered."""

from __future__ import annotations

import csv
import secrets
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import connection
from django.utils import timezone

from tocsin.domain.language import check_text
from tocsin.server.actors import SystemActor
from tocsin.server.concerns.actions import do_record_concern
from tocsin.server.concerns.importing import check_sheet, import_concerns, read_sheet
from tocsin.server.directory.actions import do_enrol_user, do_register_agency

__all__ = ["measure_import", "write_sample_file"]

_GIVEN = ["Amara", "Bilal", "Zofia", "Wiktor", "Siobhan", "Nkechi", "Tomasz", "Aisha", "Kacper"]
_FAMILY = ["Okafor", "Hussain", "Nowak", "Kowalski", "O'Brien", "Adeyemi", "Khan", "Byrne"]
_HEADER = [
    "child_given_name", "child_family_name", "child_date_of_birth", "child_sex",
    "child_postcode", "narrative", "occurred_on", "person_names", "person_ethnicity",
    "vehicle_registration", "vehicle_make", "phones", "indicators", "cin_factors",
    "source_reference",
]  # fmt: skip


def write_sample_file(path: Path, rows: int, *, label: str) -> None:
    """A CSV of ``rows`` synthetic concerns, each a different child; every other row has a
    source reference (``label`` keeps them apart between runs), the rest are known by what
    they say. One row in five has an indicator (a screening), one in four CIN factors."""
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(_HEADER)
        for i in range(rows):
            writer.writerow(
                [
                    _GIVEN[i % len(_GIVEN)],
                    f"{_FAMILY[i % len(_FAMILY)]}-{label}-{i}",
                    f"{2010 + i % 8}-{1 + i % 12:02d}-{1 + i % 28:02d}",
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
                    f"BENCH-{label}-{i}" if i % 2 == 0 else "",
                ]
            )


def measure_import(
    rows: int, one_by_one: int, progress: Callable[[str, int, int], None]
) -> dict[str, Any]:
    """Import ``rows`` synthetic concerns into the current database as a new agency's
    practitioner; the same file checked only; its first ``one_by_one`` rows recorded one at a
    time through ``do_record_concern`` (a transaction each). Rates are rows a second of wall
    time (and, under ``*_cpu_*``, of this process's CPU time)."""
    label = secrets.token_hex(4)
    # The language check compiles its phrase table once per process: compiled before any
    # timing, so that neither side of the comparison pays for it.
    check_text("")
    actor = SystemActor("bench")
    agency = do_register_agency(f"Bench import agency {label}", "voluntary", actor=actor)
    user = do_enrol_user(
        f"bench-import-{label}", "Bench Person", agency, "practitioner", actor=actor
    )
    with tempfile.TemporaryDirectory(prefix="tocsin-bench-import-") as folder:
        path = Path(folder) / "concerns.csv"
        write_sample_file(path, rows, label=label)
        started = time.perf_counter()
        checked = import_concerns(path, actor=user, dry_run=True, progress=progress)
        check_seconds = time.perf_counter() - started
        if not checked.ok:
            raise RuntimeError(f"the sample file has problems: {checked.problems[:1]}")
        started, cpu = time.perf_counter(), time.process_time()
        imported = import_concerns(path, actor=user, progress=progress)
        import_seconds = time.perf_counter() - started
        import_cpu = time.process_time() - cpu
        if len(imported.recorded) != rows:
            raise RuntimeError(f"{len(imported.recorded)} of {rows} rows were recorded")
        parsed, _ = check_sheet(read_sheet(path), today=timezone.localdate())
    drafts = [row.draft for row in parsed[:one_by_one]]
    started, cpu = time.perf_counter(), time.process_time()
    for done, draft in enumerate(drafts, start=1):
        do_record_concern(draft, actor=user)
        if done % 50 == 0 or done == len(drafts):
            progress("recording one by one", done, len(drafts))
    single_seconds = time.perf_counter() - started
    single_cpu = time.process_time() - cpu
    import_rate = rows / import_seconds
    single_rate = len(drafts) / single_seconds
    return {
        "rows": rows,
        "database": connection.vendor,
        "import_rows_per_second": round(import_rate, 1),
        "one_by_one_rows_per_second": round(single_rate, 1),
        "check_only_rows_per_second": round(rows / check_seconds, 1),
        "ratio": round(import_rate / single_rate, 2),
        # Not part of the command's output: for the benchmark's notes on a shared machine,
        # where wall time includes waiting for a core.
        "import_cpu_rows_per_second": round(rows / import_cpu, 1),
        "one_by_one_cpu_rows_per_second": round(len(drafts) / single_cpu, 1),
    }
