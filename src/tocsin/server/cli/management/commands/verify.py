"""tocsin verify: recompute the tree, check every commitment, replay every event and compare."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import CommandParser

from tocsin.server.cli.base import TocsinCommand
from tocsin.server.verify import verify_ledger


class Command(TocsinCommand):
    help = (
        "Check that the ledger and every projection are intact; exit 0 if so, 1 if not.\n\n"
        "Recomputes every leaf hash, every stored subtree hash and the root, checks every "
        "payload against its commitment, replays all events into a scratch database and "
        "compares every projection row with the live tables. Each problem names the table, "
        "the row and the sequence number."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help='print {"ok", "size", "problems"}')
        parser.add_argument(
            "--no-replay", action="store_true", help="check the tree only (skip events and replay)"
        )
        parser.add_argument(
            "--witness",
            action="append",
            default=[],
            metavar="URL",
            help="also compare with the checkpoint this witness last cosigned (repeatable)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with self.progress() as progress:
            report = verify_ledger(
                progress=progress,
                replay=not options["no_replay"],
                witnesses=options["witness"],
            )
        if options["json"]:
            self.emit_json(report.as_json())
        else:
            if report.ok:
                self.stdout.write(
                    f"ledger intact: {report.size} events; tree, commitments and "
                    f"{report.counts.get('rows', 0)} projection rows checked"
                )
            else:
                self.stdout.write(f"ledger NOT intact: {len(report.problems)} problem(s)")
                for problem in report.problems:
                    self.stdout.write(f"  {problem}")
        sys.stdout.flush()
        if not report.ok:
            sys.exit(1)
