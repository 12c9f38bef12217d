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
        "Asks every witness in TOCSIN_WITNESSES for the checkpoint it last cosigned, and fails "
        "if the ledger no longer has that size or root (a truncation, a rewrite, a restored "
        "older backup). Warns, and with --strict fails, when there is no signed checkpoint, "
        "no witness, or the newest checkpoint lags the head.\n\n"
        "Recomputes every leaf hash, every stored subtree hash and the root, checks every "
        "payload against its commitment, replays all events into a scratch database and "
        "compares every projection row with the live tables. Each problem names the table, "
        "the row and the sequence number."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--json", action="store_true", help='print {"ok", "size", "problems", "warnings", ...}'
        )
        parser.add_argument(
            "--no-replay", action="store_true", help="check the tree only (skip events and replay)"
        )
        parser.add_argument(
            "--witness",
            action="append",
            default=[],
            metavar="URL",
            help="also compare with the checkpoint this witness last cosigned (repeatable; "
            "every witness in TOCSIN_WITNESSES is asked anyway)",
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="fail on warnings too: no signed checkpoint, no witness, a witness that cannot "
            "be asked, or a checkpoint lagging the head",
        )
        parser.add_argument(
            "--grace",
            type=float,
            default=None,
            metavar="SECONDS",
            help="how long events may wait for a checkpoint before it counts as lagging "
            "(default: 60, or twice TOCSIN_CHECKPOINT_INTERVAL if longer)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with self.progress() as progress:
            report = verify_ledger(
                progress=progress,
                replay=not options["no_replay"],
                witnesses=options["witness"],
                strict=options["strict"],
                grace_seconds=options["grace"],
            )
        if options["json"]:
            self.emit_json(report.as_json())
        else:
            if report.ok:
                self.stdout.write(
                    f"ledger intact: {report.size} events; tree, commitments, "
                    f"{report.counts.get('rows', 0)} projection rows and "
                    f"{report.counts.get('witnesses', 0)} witness(es) checked"
                )
            elif report.problems:
                self.stdout.write(f"ledger NOT intact: {len(report.problems)} problem(s)")
                for problem in report.problems:
                    self.stdout.write(f"  {problem}")
            else:
                self.stdout.write(
                    f"ledger NOT proven intact (--strict): {len(report.warnings)} warning(s)"
                )
            for warning in report.warnings:
                self.stdout.write(f"  warning: {warning}")
        sys.stdout.flush()
        if not report.ok:
            sys.exit(1)
