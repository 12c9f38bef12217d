"""``tocsin simulate``: generate a synthetic partnership with ground truth into a folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from tocsin.server.cli.base import TocsinCommand, UsageError
from tocsin.server.cli.progress import Progress, simulation_progress
from tocsin.simulate import (
    SCALES,
    SimulationConfigError,
    SimulationOutputError,
    check_output_folder,
    load_config,
    preset,
    simulate,
    write_world,
)


def _seed(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise UsageError(f"--seed must be a whole number, got {raw!r}") from None
    if not 0 <= value < 2**63:
        raise UsageError(f"--seed must be from 0 to {2**63 - 1}, got {value}")
    return value


class Command(TocsinCommand):
    help = (
        "Generate a synthetic partnership with ground truth (records as agencies hold them, "
        "plus truth/) into a new folder."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", required=True, help="random seed (a whole number)")
        parser.add_argument(
            "--scale",
            default="small",
            help=f"size of the partnership: {', '.join(SCALES)} (default small)",
        )
        parser.add_argument(
            "--out",
            required=True,
            type=Path,
            help="folder to create (must not exist, or be empty); written only when complete",
        )
        parser.add_argument(
            "--config",
            type=Path,
            default=None,
            help="TOML file overriding the scale's parameters (see docs/simulator.md)",
        )
        parser.add_argument("--json", action="store_true", help="print the manifest summary")

    def handle(self, *args: Any, **options: Any) -> None:
        seed = _seed(str(options["seed"]))
        scale = str(options["scale"])
        out: Path = options["out"]
        try:
            if options["config"] is not None:
                config = load_config(options["config"], scale)
            else:
                config = preset(scale)
        except SimulationConfigError as exc:
            raise UsageError(str(exc)) from None
        try:
            # Check the folder before spending minutes simulating into it.
            check_output_folder(out)
        except SimulationOutputError as exc:
            raise UsageError(str(exc)) from None
        with self.progress() as progress:
            try:
                world = simulate(seed, scale, config, progress=simulation_progress(progress))
                manifest = write_world(world, out, progress=_files(progress))
            except SimulationConfigError as exc:
                raise UsageError(str(exc)) from None
            except SimulationOutputError as exc:
                raise UsageError(str(exc)) from None
        summary = {
            "out": str(out.absolute()),
            "seed": manifest["seed"],
            "scale": manifest["scale"],
            "summary": manifest["summary"],
            "files": len(manifest["files"]),
        }
        if options["json"]:
            self.emit_json(summary)
        else:
            figures = manifest["summary"]
            self.stdout.write(
                f"Simulated {figures['residents']:,} residents, {figures['exploited_children']:,} "
                f"exploited children ({figures['hidden_children']:,} hidden), "
                f"{figures['concerns']:,} concerns and {figures['person_records']:,} person "
                f"records into {out}"
            )


def _files(progress: Progress) -> Progress:
    """``write_world``'s reports (``writing NAME.FMT``, files done, files in all) as one
    phase."""

    def update(stage: str, done: int, total: int) -> None:
        progress("writing files", done, total)

    return update
