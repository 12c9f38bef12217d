"""tocsin link: resolve person records from several agencies into people (record linkage)."""

from __future__ import annotations

import csv
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from tocsin.intel.linkage import (
    BACKENDS,
    DEFAULT_THRESHOLD,
    REQUIRED_COLUMNS,
    LinkageInputError,
    link_records,
    load_model,
    read_person_csv,
    save_model,
)
from tocsin.server.cli.base import TocsinCommand, UsageError

#: Seconds between plain progress lines when standard error is not a terminal.
PLAIN_PROGRESS_EVERY = 5.0


def _probability(text: str) -> float:
    import argparse

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"{value} is not between 0 and 1 (exclusive)")
    return value


class Command(TocsinCommand):
    help = (
        "Resolve person records into people: OUT gets record_id,cluster_id,match_probability.\n\n"
        f"IN is a UTF-8 CSV of person records with at least {', '.join(REQUIRED_COLUMNS)} "
        "(the schema is in docs/linkage.md). A model is trained on IN without labels unless "
        "--model gives one. Bad input names the row and column, exits 2 and writes nothing.\n\n"
        "`tocsin link train [--out FILE]` retrains the server's model instead: on every person "
        "record of every concern, with the front door's reviews of proposed matches as labels; "
        "it writes the model to FILE, or to TOCSIN_LINKAGE_MODEL's file when that is set."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action",
            nargs="?",
            choices=["train"],
            help="train: retrain the server's model from its records and the clerical labels",
        )
        parser.add_argument("--csv", metavar="IN", help="person records (CSV)")
        parser.add_argument(
            "--out",
            metavar="OUT",
            help="where to write the clusters (CSV); with train, the model (JSON)",
        )
        parser.add_argument(
            "--threshold",
            type=_probability,
            default=DEFAULT_THRESHOLD,
            metavar="P",
            help=f"match probability at which two records are one person (default "
            f"{DEFAULT_THRESHOLD})",
        )
        parser.add_argument(
            "--backend",
            choices=BACKENDS,
            default="duckdb",
            help="duckdb (default, in process) or spark (local mode; needs pyspark and Java)",
        )
        parser.add_argument(
            "--model", metavar="FILE", help="use this trained model instead of training one"
        )
        parser.add_argument(
            "--save-model",
            metavar="FILE",
            help="write the trained model and its diagnostics to FILE (JSON)",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help="print a summary as JSON: records, clusters, pairs_scored, seconds",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "train":
            self._train(options)
            return
        if not options["csv"] or not options["out"]:
            raise UsageError(
                "give the records to link and where to write the clusters: --csv IN --out OUT"
            )
        out = Path(options["out"])
        if not out.parent.is_dir():
            raise UsageError(f"--out {out}: the folder {out.parent} does not exist")
        if options["backend"] == "spark":
            try:
                import pyspark  # noqa: F401
            except ImportError:
                raise UsageError(
                    "--backend spark needs pyspark: pip install 'tocsin[spark]' (and Java 17+)"
                ) from None
            if shutil.which("java") is None:
                raise UsageError("--backend spark needs Java 17 or later on the PATH")
        try:
            records = read_person_csv(options["csv"])
            model = load_model(options["model"]) if options["model"] else None
            with _progress() as progress:
                result = link_records(
                    records,
                    threshold=options["threshold"],
                    backend=options["backend"],
                    model=model,
                    progress=progress,
                )
        except FileNotFoundError:
            raise UsageError(f"{options['csv']}: no such file") from None
        except LinkageInputError as exc:
            raise UsageError(f"{options['csv']}: {exc}") from None
        _write_atomically(out, result.assignments)
        if options["save_model"]:
            save_model(result, options["save_model"])
        if options["json"]:
            self.emit_json(result.summary())
            return
        summary = result.summary()
        self.stdout.write(
            f"{summary['records']:,} records resolved into {summary['clusters']:,} people "
            f"({summary['pairs_scored']:,} pairs scored, {summary['seconds']:.1f} s); "
            f"written to {out}"
        )
        for warning in result.diagnostics.get("warnings", []):
            self.stderr.write(f"warning: {warning}")
        sys.stdout.flush()

    def _train(self, options: dict[str, Any]) -> None:
        from django.conf import settings

        from tocsin.intel.linkage import train_with_labels
        from tocsin.server.people.known import forget_index, linkage_model, linkage_record
        from tocsin.server.people.review import labelled_pairs, person_rows

        if options["csv"] or options["model"] or options["save_model"]:
            raise UsageError(
                "train reads the server's records: --csv, --model and --save-model do not apply"
            )
        target = options["out"] or getattr(settings, "TOCSIN_LINKAGE_MODEL", None)
        if not target:
            raise UsageError(
                "name where to write the model: --out FILE (then point TOCSIN_LINKAGE_MODEL at "
                "it), or set TOCSIN_LINKAGE_MODEL"
            )
        out = Path(target)
        if not out.parent.is_dir():
            raise UsageError(f"{out}: the folder {out.parent} does not exist")
        records = [linkage_record(row) for row in person_rows()]
        labels = labelled_pairs()
        try:
            with _progress() as progress:
                result = train_with_labels(
                    records, labels, base=linkage_model().document, progress=progress
                )
        except LinkageInputError as exc:
            raise UsageError(f"cannot train on the server's records: {exc}") from None
        handle, scratch = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
        os.close(handle)
        try:
            save_model(result, scratch)
            os.replace(scratch, out)
        except BaseException:
            Path(scratch).unlink(missing_ok=True)
            raise
        forget_index()
        summary = {
            "records": len(records),
            "labels": result.diagnostics["labels"],
            "pairs_scored": result.pairs_scored,
            "seconds": round(result.seconds, 3),
            "model": str(out),
        }
        if options["json"]:
            self.emit_json(summary)
            return
        counts = summary["labels"]
        self.stdout.write(
            f"trained on {len(records):,} person records and {counts['confirmed']:,} confirmed and "
            f"{counts['rejected']:,} rejected matches ({summary['seconds']:.1f} s); the model now "
            f"scores {counts['confirmed_scored_for_review_or_link']:,} of the confirmed for review "
            f"or link and {counts['rejected_scored_below_link']:,} of the rejected below the link "
            f"threshold; written to {out}"
        )


def _write_atomically(out: Path, assignments: list[Any]) -> None:
    """Write OUT through a hidden sibling renamed into place, so it is never half-written."""
    handle, scratch = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream, lineterminator="\n")
            writer.writerow(["record_id", "cluster_id", "match_probability"])
            for a in assignments:
                probability = "" if a.match_probability is None else f"{a.match_probability:.6f}"
                writer.writerow([a.record_id, a.cluster_id, probability])
        os.replace(scratch, out)
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise


@contextmanager
def _progress() -> Iterator[Any]:
    """A rich bar over the stages on a terminal; otherwise one plain line on standard error
    every few seconds naming the stage (nothing for a run shorter than that)."""
    if sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import Progress

        with Progress(console=Console(stderr=True), transient=True) as bars:
            task = bars.add_task("linking", total=None)

            def show(stage: str, done: int, total: int) -> None:
                bars.update(task, description=stage, completed=done, total=total)

            yield show
        return
    state: dict[str, Any] = {"stage": "starting", "done": 0, "total": 0}
    started = time.monotonic()
    stop = threading.Event()

    def tick() -> None:
        while not stop.wait(PLAIN_PROGRESS_EVERY):
            elapsed = time.monotonic() - started
            print(
                f"tocsin link: {state['stage']} (stage {state['done'] + 1} of "
                f"{state['total']}), {elapsed:.0f} s",
                file=sys.stderr,
                flush=True,
            )

    def update(stage: str, done: int, total: int) -> None:
        state.update(stage=stage, done=done, total=total)

    ticker = threading.Thread(target=tick, daemon=True)
    ticker.start()
    try:
        yield update
    finally:
        stop.set()
        ticker.join()
