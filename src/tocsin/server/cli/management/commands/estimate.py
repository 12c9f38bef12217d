"""tocsin estimate: how many children none of the lists has found (multiple systems estimation)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.management.base import CommandParser

from tocsin.intel.estimate import METHODS, EstimationInputError, estimate, read_capture_csv
from tocsin.server.cli.base import TocsinCommand, UsageError


class Command(TocsinCommand):
    help = (
        "Estimate the total number of children, seen and unseen, from overlapping lists.\n\n"
        "IN is a CSV with one 0/1 column per list and a 'count' column (children with that "
        "capture history). The estimate assumes a closed population and perfect linkage; "
        "missed matches inflate it, and it depends on the model: see docs/estimation.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--csv", required=True, metavar="IN", help="capture-history CSV")
        parser.add_argument(
            "--method",
            choices=METHODS,
            default="stepwise",
            help="model choice: main effects, stepwise (Chan-Silverman-Vincent 2021; default), "
            "bic (Silverman-Chan-Vincent 2024) or aic (Bales-Hesketh-Silverman 2015)",
        )
        parser.add_argument(
            "--maxorder",
            type=int,
            metavar="K",
            help="largest interaction (lists per term); default 2, for bic by number of lists",
        )
        parser.add_argument(
            "--pthresh",
            type=float,
            metavar="P",
            help="p-value threshold: stepwise 0.02, aic 0.05 by default",
        )
        parser.add_argument(
            "--bootstrap",
            type=int,
            default=0,
            metavar="N",
            help="BCa bootstrap resamples re-running the model choice (default 0: profile "
            "likelihood given the model)",
        )
        parser.add_argument("--seed", type=int, metavar="S", help="bootstrap seed (default 1234)")
        parser.add_argument(
            "--merge-below",
            type=int,
            default=0,
            metavar="M",
            help="merge lists with fewer than M children into one (default 0: never)",
        )
        parser.add_argument(
            "--ntop",
            type=int,
            metavar="K",
            help="bic only: average over the K best models (default by number of lists, as SCV24)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=os.cpu_count() or 1,
            metavar="W",
            help="processes for the bootstrap (default: every core); the result is the same "
            "for any number",
        )
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["seed"] is not None and not options["bootstrap"]:
            raise UsageError("--seed needs --bootstrap N")
        if options["workers"] < 1:
            raise UsageError("--workers must be at least 1")
        try:
            table = read_capture_csv(options["csv"])
            with _progress_bar(self, options["bootstrap"]) as progress:
                result = estimate(
                    table,
                    method=options["method"],
                    maxorder=options["maxorder"],
                    pthresh=options["pthresh"],
                    bootstrap=options["bootstrap"],
                    seed=options["seed"],
                    merge_below=options["merge_below"],
                    ntop=options["ntop"],
                    workers=options["workers"],
                    progress=progress,
                )
        except EstimationInputError as exc:
            raise UsageError(f"{options['csv']}: {exc}") from None
        if options["json"]:
            self.emit_json(result.as_json())
            return
        low, high = result.ci
        terms = ", ".join(result.model) or "none (main effects only)"
        lines = [
            f"children seen on at least one list: {result.observed:,}",
            f"estimated total: {result.estimate:,.0f} "
            f"({result.ci_level:.0%} {result.ci_method} interval {low:,.0f} to {high:,.0f})",
            f"estimated not on any list: {result.dark_figure:,.0f}",
            f"method: {result.method}; settings: "
            + ", ".join(f"{k}={v}" for k, v in result.settings.items() if k != "lists"),
            f"lists: {', '.join(result.settings['lists'])}",
            f"interactions: {terms}",
        ]
        lines += [f"warning: {w}" for w in result.warnings]
        self.stdout.write("\n".join(lines))
        sys.stdout.flush()


@contextmanager
def _progress_bar(
    command: TocsinCommand, resamples: int
) -> Iterator[Callable[[int, int], None] | None]:
    """The bootstrap's progress (bars on a terminal, plain lines otherwise), when there is
    one: the resamples and the delete-one jackknife, counted together."""
    if not resamples:
        yield None
        return
    with command.progress() as progress:

        def update(done: int, total: int) -> None:
            progress("bootstrap and jackknife", done, total)

        yield update
