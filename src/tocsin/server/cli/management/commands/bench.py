"""tocsin bench ledger: append N events through the full action path and compare with the same
rows written by the plain ORM, in the same run and on the same database. tocsin bench import:
import N synthetic concerns from a file, against the same rows checked only and recorded one
by one, in the same run and on the same database."""

from __future__ import annotations

import secrets
import sys
import time
import uuid
from typing import Any

from django.db import connection, transaction

from tocsin.server.actors import SystemActor
from tocsin.server.cli.base import TocsinCommand, positive
from tocsin.server.cli.models import BaselineAgency
from tocsin.server.directory.actions import do_register_agency
from tocsin.server.ledger.recording import reading_ledger


class Command(TocsinCommand):
    help = (
        "Measure ledger append throughput: N agency.registered events through "
        "do_register_agency (validation, append, projection, one transaction each) against the "
        "same rows inserted with the plain ORM, interleaved in blocks in the same run; or "
        "import N synthetic concerns against recording them one by one."
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="target", required=True, metavar="ledger|import")
        ledger = sub.add_parser("ledger", help="append N events; ledger vs plain-ORM throughput")
        ledger.add_argument(
            "--events", type=positive, required=True, metavar="N", help="how many events to append"
        )
        ledger.add_argument(
            "--block",
            type=positive,
            default=100,
            metavar="B",
            help="events per interleaved block (default 100)",
        )
        ledger.add_argument(
            "--no-baseline", action="store_true", help="skip the plain-ORM baseline"
        )
        ledger.add_argument(
            "--report-committed",
            action="store_true",
            help="print 'committed SEQ' after every commit (for crash tests)",
        )
        ledger.add_argument(
            "--json",
            action="store_true",
            help='print {"events", "database", "ledger_events_per_second", '
            '"baseline_rows_per_second", "ratio", "ledger_size"}',
        )

        imports = sub.add_parser(
            "import",
            help="import N synthetic concerns (into this database, as a new agency); "
            "import vs one by one vs check only",
        )
        imports.add_argument(
            "--rows", type=positive, required=True, metavar="N", help="rows in the file"
        )
        imports.add_argument(
            "--one-by-one",
            type=positive,
            default=1000,
            metavar="M",
            help="how many of the rows to record one by one for the baseline (default 1,000, "
            "or N if fewer)",
        )
        imports.add_argument(
            "--json",
            action="store_true",
            help='print {"rows", "database", "import_rows_per_second", '
            '"one_by_one_rows_per_second", "check_only_rows_per_second", "ratio"}',
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["target"] == "import":
            self._import(options)
            return
        total = options["events"]
        block = min(options["block"], total)
        run = secrets.token_hex(4)
        actor = SystemActor("bench")
        ledger_seconds = baseline_seconds = 0.0
        done = 0
        announce = options["report_committed"]
        with self.progress() as progress:
            while done < total:
                count = min(block, total - done)
                if not options["no_baseline"]:
                    started = time.perf_counter()
                    for i in range(done, done + count):
                        name = f"Bench baseline {run} {i}"
                        with transaction.atomic():
                            BaselineAgency.objects.create(
                                id=uuid.uuid4(),
                                name=name,
                                name_key=name.casefold(),
                                sector="voluntary",
                                registered_seq=i,
                            )
                    baseline_seconds += time.perf_counter() - started
                started = time.perf_counter()
                for i in range(done, done + count):
                    agency = do_register_agency(f"Bench agency {run} {i}", "voluntary", actor=actor)
                    if announce:
                        sys.stdout.write(f"committed {agency.registered_seq}\n")
                        sys.stdout.flush()
                ledger_seconds += time.perf_counter() - started
                done += count
                progress("appending", done, total)
        BaselineAgency.objects.filter(name__startswith=f"Bench baseline {run} ").delete()
        ledger_rate = total / ledger_seconds
        result: dict[str, Any] = {
            "events": total,
            "database": connection.vendor,
            "ledger_events_per_second": round(ledger_rate, 1),
            "ledger_size": reading_ledger().size(),
        }
        if not options["no_baseline"]:
            baseline_rate = total / baseline_seconds
            result["baseline_rows_per_second"] = round(baseline_rate, 1)
            result["ratio"] = round(ledger_rate / baseline_rate, 3)
        if options["json"]:
            self.emit_json(result)
        elif not announce:
            line = (
                f"{total} events on {connection.vendor}: {ledger_rate:,.0f} events/s via the ledger"
            )
            if "ratio" in result:
                line += (
                    f", {result['baseline_rows_per_second']:,.0f} rows/s plain ORM "
                    f"(ratio {result['ratio']:.2f})"
                )
            self.stdout.write(line)

    def _import(self, options: dict[str, Any]) -> None:
        from tocsin.server.cli._import_bench import measure_import

        rows = options["rows"]
        with self.progress() as progress:
            measured = measure_import(rows, min(options["one_by_one"], rows), progress)
        result = {key: value for key, value in measured.items() if "_cpu_" not in key}
        if options["json"]:
            self.emit_json(result)
            return
        self.stdout.write(
            f"{rows} rows on {result['database']}: import {result['import_rows_per_second']:,.0f}"
            f" rows/s, one by one {result['one_by_one_rows_per_second']:,.0f} rows/s "
            f"(ratio {result['ratio']:.2f}), check only "
            f"{result['check_only_rows_per_second']:,.0f} rows/s"
        )
