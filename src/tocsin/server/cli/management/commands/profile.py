"""tocsin profile: a problem profile at a signed checkpoint, made and registered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from tocsin.domain.statistics import profile_json
from tocsin.server.actors import SystemActor
from tocsin.server.cli.base import TocsinCommand, UsageError, operator
from tocsin.server.cli.figures import add_checkpoint_arguments
from tocsin.server.reads import read_scope
from tocsin.server.register.profiles import (
    ProfileRefused,
    do_generate_profile,
    profile_at,
    run_profile_schedule,
)


class Command(TocsinCommand):
    help = (
        "A problem profile (trends, hotspots, networks, the already-known rate, the hidden "
        "number, overlaps between agencies, escalation performance, open recommendations) "
        "computed from the ledger at a signed checkpoint (the newest unless --checkpoint names "
        "one), small counts always suppressed. Without --json it draws the PDF, keeps it in "
        "$TOCSIN_HOME/profiles and registers the profile on the register of reports "
        "(report.registered and profile.generated, with the PDF's digest). --json prints the "
        "figures only, recording nothing: the same checkpoint gives the same bytes. --due makes "
        "the profile the clocks policy's [profiles] schedule wants, if it is not made yet (the "
        "clocks worker does this on its own)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_checkpoint_arguments(parser, period="month", grouped="the trends")
        parser.add_argument(
            "--label",
            default=None,
            help="what the profile is called (default: the last whole quarter, as 2026-Q3)",
        )
        parser.add_argument("--pdf", metavar="FILE", help="also write the PDF to FILE")
        output = parser.add_mutually_exclusive_group()
        output.add_argument(
            "--json", action="store_true", help="print the profile as JSON; record nothing"
        )
        output.add_argument(
            "--due", action="store_true", help="make the profile the schedule wants, if any"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = SystemActor(f"cli:{operator()}")
        size, period, label = options["checkpoint"], options["period"], options["label"]
        if options["due"]:
            made = run_profile_schedule()
            if made is None:
                self.stdout.write("no profile is due (or no checkpoint is signed yet)")
            else:
                self.stdout.write(f"made problem profile {made.label} (seq {made.generated_seq})")
            return
        try:
            if options["json"]:
                doc, _ = profile_at(size, trend_period=period, label=label)
                self.stdout.write(profile_json(doc), ending="")
                return
            with read_scope(actor, "tocsin profile"):
                generated = do_generate_profile(
                    size=size, trend_period=period, label=label, actor=actor
                )
        except ProfileRefused as exc:
            raise UsageError(str(exc)) from None
        if options["pdf"]:
            Path(options["pdf"]).write_bytes(generated.pdf)
        data = generated.doc.data
        self.stdout.write(
            f"Problem profile {data['label']} at checkpoint {data['checkpoint']['size']}: "
            f"registered (seq {generated.registered.seq}, {generated.generated.seq}); "
            f"PDF {generated.path}"
        )
