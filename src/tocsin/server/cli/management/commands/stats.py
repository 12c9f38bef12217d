"""tocsin stats: the official figures, computed from the ledger at a signed checkpoint."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from tocsin.domain.statistics import SUPPRESSED_MARK, to_json
from tocsin.server.actors import SystemActor
from tocsin.server.cli.base import TocsinCommand, UsageError, operator
from tocsin.server.cli.figures import add_checkpoint_arguments
from tocsin.server.reads import read_scope
from tocsin.server.statistics.actions import (
    StatisticsRefused,
    do_export_statistics,
    note_shown,
)
from tocsin.server.statistics.reading import NoCheckpoint, statistics_at


class Command(TocsinCommand):
    help = (
        "Official figures computed from the ledger's events up to a signed checkpoint (the "
        "newest unless --checkpoint names one), each output naming the checkpoint's size and "
        "root: the same command at the same checkpoint prints the same bytes, however many "
        "events came later. --published suppresses small counts (TOCSIN_STATS_SUPPRESS_BELOW) "
        "as in anything published; otherwise every count is shown, with the reasons for "
        "regradings, and that read is recorded on the ledger. --csv and --xlsx are exports, "
        "each recorded as statistics.exported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_checkpoint_arguments(parser, period="quarter", grouped="concerns")
        parser.add_argument(
            "--published", action="store_true", help="suppress small counts, as published"
        )
        output = parser.add_mutually_exclusive_group()
        output.add_argument("--json", action="store_true", help="print the figures as JSON")
        output.add_argument("--csv", action="store_true", help="print the figures as CSV")
        output.add_argument("--xlsx", metavar="FILE", help="write the figures as XLSX to FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = SystemActor(f"cli:{operator()}")
        size, period, published = options["checkpoint"], options["period"], options["published"]
        if options["csv"] or options["xlsx"]:
            file_format = "csv" if options["csv"] else "xlsx"
            try:
                with read_scope(actor, "tocsin stats"):
                    export = do_export_statistics(
                        file_format, size=size, period=period, published=published, actor=actor
                    )
            except StatisticsRefused as exc:
                raise UsageError(str(exc)) from None
            if options["csv"]:
                self.stdout.write(export.content.decode("utf-8"), ending="")
            else:
                Path(options["xlsx"]).write_bytes(export.content)
                self.stderr.write(f"wrote {options['xlsx']} (export seq {export.envelope.seq})")
            return
        try:
            with read_scope(actor, "tocsin stats"):
                stats = statistics_at(size, period=period)
                note_shown(stats, full=not published)
        except NoCheckpoint as exc:
            raise UsageError(str(exc)) from None
        doc = stats.document(sees_every_concern=not published)
        if options["json"]:
            self.stdout.write(to_json(doc), ending="")
            return
        self._write_text(doc.data)

    def _write_text(self, data: dict[str, Any]) -> None:
        checkpoint = data["checkpoint"]
        self.stdout.write(
            f"Statistics at checkpoint {checkpoint['size']} ({checkpoint['root']}), "
            f"as of {data['as_of']}; {data['audience']}"
        )
        for entry in data["figures"]:
            self.stdout.write("")
            self.stdout.write(entry["title"])
            self.stdout.write("  " + " | ".join([entry["row_heading"], *entry["columns"], "Total"]))
            for i, row in enumerate(entry["rows"]):
                cells = [_shown(v) for v in [*entry["counts"][i], entry["row_totals"][i]]]
                self.stdout.write("  " + " | ".join([row, *cells]))
            totals = [_shown(v) for v in [*entry["column_totals"], entry["total"]]]
            self.stdout.write("  " + " | ".join(["Total", *totals]))
        self.stdout.write("")
        for rate in data["rates"]:
            percent = "-" if rate["percent"] is None else f"{rate['percent']}%"
            self.stdout.write(f"{rate['title']}: {percent}")


def _shown(value: int | None) -> str:
    return SUPPRESSED_MARK if value is None else str(value)
