"""tocsin import: bulk import of concerns from CSV or XLSX, all or nothing (docs/import.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from tocsin.server.actors import ActionRefused
from tocsin.server.cli.base import TocsinCommand, UsageError
from tocsin.server.concerns.importing import (
    ImportFileError,
    ImportOutcome,
    error_report_rows,
    import_concerns,
    write_error_report,
    write_template,
)
from tocsin.server.directory.models import User


class Command(TocsinCommand):
    help = (
        "Import concerns from a CSV or XLSX file (one row per concern), all or nothing; "
        "write the empty template."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="concerns|template")
        concerns = sub.add_parser(
            "concerns",
            help="check every row, then record them all in one transaction (or none)",
        )
        concerns.add_argument("file", metavar="FILE", help="a .csv (UTF-8) or .xlsx file")
        concerns.add_argument(
            "--as",
            dest="username",
            required=True,
            metavar="USERNAME",
            help="the user recording the concerns (their role and agency are checked)",
        )
        concerns.add_argument(
            "--dry-run", action="store_true", help="check and report without recording anything"
        )
        concerns.add_argument(
            "--errors",
            metavar="OUT.csv",
            help="write the row-level problems (row, column, value, problem) to this CSV file",
        )
        concerns.add_argument(
            "--json",
            action="store_true",
            help='print {"ok", "rows", "dry_run", "imported", "concerns", "already_recorded"} '
            'or {"ok": false, ..., "errors"}',
        )
        template = sub.add_parser("template", help="write an empty template (the header row)")
        template.add_argument(
            "--out", required=True, metavar="FILE", help="where to write it: FILE.csv or FILE.xlsx"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "template":
            self._template(Path(options["out"]))
        else:
            self._concerns(options)

    def _template(self, out: Path) -> None:
        if out.suffix.lower() not in {".csv", ".xlsx"}:
            raise UsageError(f"{out.name}: the template can be written as .csv or .xlsx")
        try:
            write_template(out)
        except OSError as exc:
            raise UsageError(f"could not write {out} ({exc.strerror})") from None
        self.stdout.write(f"wrote the import template to {out} (columns: docs/import.md)")

    def _concerns(self, options: dict[str, Any]) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise UsageError(f"no user called {options['username']!r} (see 'tocsin users list')")
        errors = Path(options["errors"]) if options["errors"] else None
        if errors is not None and not errors.parent.is_dir():
            raise UsageError(f"cannot write the error report: no folder {errors.parent}")
        try:
            with self.progress() as progress:
                outcome = import_concerns(
                    Path(options["file"]),
                    actor=user,
                    dry_run=options["dry_run"],
                    progress=progress,
                )
        except ImportFileError as exc:
            raise UsageError(f"{exc}; nothing was imported") from None
        except ActionRefused as exc:
            raise UsageError(f"refused: {exc}; nothing was imported") from None
        if errors is not None:
            try:
                write_error_report(outcome.problems, errors)
            except OSError as exc:
                raise UsageError(f"could not write {errors} ({exc.strerror})") from None
        if options["json"]:
            self.emit_json(self._document(outcome))
        elif outcome.ok:
            self._say_done(outcome, options["file"])
        if not outcome.ok:
            raise UsageError(self._summary(outcome, errors))

    @staticmethod
    def _document(outcome: ImportOutcome) -> dict[str, Any]:
        document: dict[str, Any] = {
            "ok": outcome.ok,
            "rows": outcome.rows,
            "dry_run": outcome.dry_run,
            "imported": len(outcome.recorded),
        }
        if outcome.ok:
            document["concerns"] = [
                {
                    "row": row,
                    "id": str(recorded.concern.pk),
                    "reference": recorded.concern.reference,
                    "seq": recorded.envelope.seq,
                }
                for row, recorded in outcome.recorded
            ]
            document["already_recorded"] = [
                {
                    "row": found.row,
                    "id": found.concern_id,
                    "reference": found.reference,
                    "same_as_row": found.same_as_row,
                }
                for found in outcome.already
            ]
        else:
            document["errors"] = error_report_rows(outcome.problems)
        return document

    def _say_done(self, outcome: ImportOutcome, name: str) -> None:
        already = ""
        if outcome.already:
            count = len(outcome.already)
            rows = _row_ranges([found.row for found in outcome.already])
            already = (
                f"; {count} row{'s were' if count != 1 else ' was'} recorded already "
                f"and {'were' if count != 1 else 'was'} left out (row{'s' if count != 1 else ''} "
                f"{rows}; --json names the concern for each)"
            )
        if outcome.dry_run:
            self.stdout.write(
                f"checked {outcome.rows} rows of {name}: no problems; nothing was recorded "
                f"(dry run){already}"
            )
            return
        if not outcome.recorded:
            rows = _row_ranges([found.row for found in outcome.already])
            self.stdout.write(
                f"imported nothing from {name}: every row was recorded already (rows {rows}; "
                "--json names the concern for each)"
            )
            return
        seqs = [recorded.envelope.seq for _, recorded in outcome.recorded]
        self.stdout.write(
            f"imported {len(outcome.recorded)} concerns from {name} "
            f"(ledger entries {min(seqs)} to {max(seqs)}){already}"
        )

    @staticmethod
    def _summary(outcome: ImportOutcome, errors: Path | None) -> str:
        # Row and column only: cell values may be personal and stay out of standard error.
        first = outcome.problems[0]
        where = f"row {first.row}, column {first.column}"
        count = len(outcome.problems)
        report = (
            f"the report is in {errors}"
            if errors is not None
            else "run again with --errors OUT.csv for the row-level report"
        )
        return (
            f"{count} problem{'s' if count != 1 else ''} in "
            f"{outcome.rows_with_problems} of {outcome.rows} rows (first: {where}); "
            f"nothing was imported; {report}"
        )


def _row_ranges(rows: list[int]) -> str:
    """Row numbers as ranges: ``2-5, 9, 12-13``."""
    parts: list[str] = []
    ordered = sorted(rows)
    start = previous = ordered[0]
    for row in [*ordered[1:], None]:
        if row is not None and row == previous + 1:
            previous = row
            continue
        parts.append(str(start) if start == previous else f"{start}-{previous}")
        if row is not None:
            start = previous = row
    return ", ".join(parts)
