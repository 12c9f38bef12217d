"""Person linkage at region scale against the recordlinkage toolkit (issue 15).

The simulator's region (seed 1: 1,050,000 residents, some 1.57 million person records) is
written once; then, each in its own process (``_region_linkage.py``, time and peak memory its
own, memory from ``getrusage(RUSAGE_CHILDREN)`` in a launcher):

* the ``recordlinkage`` toolkit's classic pipeline (clean; block on five keys like Tocsin's
  blocking rules; Jaro-Winkler on names, Levenshtein on the address, exact on date of birth,
  postcode, sex and NHS number; the ECM classifier, unsupervised; connected components), on the
  records of a fixed pseudo-random set of whole households (each of ``RL_SIZES`` records; a
  step killed or failing is reported as such, with its time and the stages it finished);
* Tocsin (``link_records``, DuckDB, trained without labels) on the same records;
* Tocsin alone on every record of the region, and the already-known check (``PersonIndex``
  with the model that run trained) for 50 held-back records.

Steps already measured in ``TOCSIN_BENCH_REGION_DIR`` (``results.json``) are not run again,
so a long run can be resumed; the section says when each figure was measured.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

import pyarrow.parquet as pq  # type: ignore[import-untyped]  # noqa: E402

from tocsin.intel.linkage import ClusterAssignment, accuracy  # noqa: E402

TITLE = "Person linkage at region scale, against the recordlinkage toolkit (issue 15)"
WORKER = HERE / "_region_linkage.py"
#: Records recordlinkage and Tocsin are compared on (whole households): a size both finish
#: quickly, and a million. Override with TOCSIN_BENCH_RL_SIZE (sizes separated by commas; 0 is
#: every record of the region).
RL_SIZES = (150_000, 1_000_000)


def _measure(
    directory: Path, results: dict[str, Any], key: str, *argv: str
) -> dict[str, Any] | None:
    """The figures of step ``key``: measured now, or from an earlier run; None when
    ``TOCSIN_BENCH_REGION_CACHED_ONLY`` is set and the step was never measured."""
    if key not in results and os.environ.get("TOCSIN_BENCH_REGION_CACHED_ONLY"):
        return None
    if key not in results:
        done = subprocess.run(
            [sys.executable, str(WORKER), "measure", *argv],
            check=True,
            capture_output=True,
            text=True,
        )
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        figures["measured"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        figures["load"] = os.getloadavg()
        results[key] = figures
        (directory / "results.json").write_text(json.dumps(results, indent=1), "utf-8")
    return dict(results[key])


def _scores(directory: Path, name: str) -> dict[str, Any]:
    truth_table = pq.read_table(
        directory / "records.parquet", columns=["record_id", "person_id", "child"]
    )
    truth = dict(
        zip(
            truth_table.column("record_id").to_pylist(),
            truth_table.column("person_id").to_pylist(),
            strict=True,
        )
    )
    children = {
        p
        for p, c in zip(
            truth_table.column("person_id").to_pylist(),
            truth_table.column("child").to_pylist(),
            strict=True,
        )
        if c
    }
    table = pq.read_table(directory / f"{name}.parquet")
    assignments = [
        ClusterAssignment(r, c, None)
        for r, c in zip(
            table.column("record_id").to_pylist(),
            table.column("cluster_id").to_pylist(),
            strict=True,
        )
    ]
    seen = {truth[a.record_id] for a in assignments}
    return {
        "children": accuracy(assignments, truth, only=children & seen),
        "adults": accuracy(assignments, truth, only=seen - children),
    }


def _finished(figures: dict[str, Any] | None) -> bool:
    return figures is not None and figures.get("returncode", 0) == 0


def _unfinished(figures: dict[str, Any]) -> str:
    """How a step that did not finish ended: killed (and how far it got), or failed."""
    how = (
        "killed (SIGKILL, as the kernel kills a process when memory runs out)"
        if figures.get("returncode") == -9
        else f"failed (exit {figures.get('returncode')})"
    )
    wall = figures.get("wall")
    reached = figures.get("stages") or []
    return (
        how
        + (f" after {wall:,.0f} s" if wall else "")
        + f" at a peak of {figures['peak_mib']:,.0f} MiB"
        + (f"; stages done: {', '.join(reached)}" if reached else "")
        + (f"; {figures['note']}" if figures.get("note") else "")
    )


def _sizes(quick: bool) -> list[int]:
    configured = os.environ.get("TOCSIN_BENCH_RL_SIZE")
    if configured:
        return [int(size) for size in configured.split(",")]
    return [3000] if quick else list(RL_SIZES)


def run(quick: bool) -> str:
    """Measure (or reuse) every step and return the Markdown section."""
    configured = os.environ.get("TOCSIN_BENCH_REGION_DIR")
    directory = Path(configured or tempfile.mkdtemp(prefix="tocsin-region-"))
    directory.mkdir(parents=True, exist_ok=True)
    results_file = directory / "results.json"
    results: dict[str, Any] = (
        json.loads(results_file.read_text("utf-8")) if results_file.exists() else {}
    )
    scale = "small" if quick else "region"
    sizes = _sizes(quick)
    prepared = _measure(directory, results, "prepare", "prepare", str(directory), scale)
    if prepared is None:
        return "Not measured: the region's records were never prepared."
    compared: dict[int, tuple[dict[str, Any] | None, dict[str, Any] | None]] = {}
    for size in sizes:
        rl = _measure(
            directory, results, f"recordlinkage-{size}", "recordlinkage", str(directory), str(size)
        )
        same = _measure(directory, results, f"tocsin-{size}", "tocsin", str(directory), str(size))
        compared[size] = (rl, same)
    # TOCSIN_BENCH_REGION_SKIP_FULL: leave out Tocsin on every record (hours on a loaded machine).
    full = (
        None
        if os.environ.get("TOCSIN_BENCH_REGION_SKIP_FULL")
        else _measure(directory, results, "tocsin-0", "tocsin", str(directory), "0")
    )
    # The check uses the model trained on every record, or, where that run was not made, the
    # one trained on the largest set of records Tocsin linked.
    linked = [size for size in sizes if _finished(compared[size][1])]
    model_size = "0" if _finished(full) else str(max(linked)) if linked else None
    check = (
        _measure(directory, results, f"check-{model_size}", "check", str(directory), model_size)
        if model_size is not None
        else None
    )
    steps = [
        (f"{name} on {size:,}", f"{key}-{size}")
        for size in sizes
        for name, key in (("recordlinkage", "recordlinkage"), ("Tocsin", "tocsin"))
    ] + [("Tocsin on every record", "tocsin-0"), ("the check", f"check-{model_size}")]
    lines = [
        f"Scale `{scale}` (seed 1): {prepared['records']:,} person records of "
        f"{prepared['people']:,} people (simulated in {prepared['simulate']:.0f} s). Time is "
        "the linkage alone (reading the records excluded); peak memory is the whole process's "
        "(`RUSAGE_CHILDREN` of a launcher), reading the records included. Steps ran one at a "
        "time; load average on the 2 cores when each step ended: "
        + "; ".join(
            f"{name} {results[key]['load'][0]:.1f}" for name, key in steps if key in results
        )
        + ".",
        "",
        "| records | method | pairs compared | seconds | peak memory | who | pair precision | "
        "pair recall | pair F1 | cluster precision | cluster recall | cluster F1 |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    rows: list[tuple[dict[str, Any] | None, str, str]] = []
    for size in sizes:
        rl, same = compared[size]
        rows += [
            (rl, f"recordlinkage-{size}", "recordlinkage: blocking, comparisons, ECM"),
            (
                rl,
                f"recordlinkage_sum-{size}",
                "recordlinkage: blocking, comparisons, sum of 7 at least 5",
            ),
            (same, f"tocsin-{size}", "Tocsin (Splink, DuckDB, unsupervised)"),
        ]
    if 0 not in sizes:
        rows.append((full, "tocsin-0", "Tocsin (Splink, DuckDB, unsupervised)"))
    f1: dict[str, float] = {}
    for figures, name, label in rows:
        if figures is None:
            continue
        if not _finished(figures):
            if not name.startswith("recordlinkage_sum"):
                size = int(name.rsplit("-", 1)[1])
                # The records it was given: those Tocsin linked at this size (whole households).
                given = results.get(f"tocsin-{size}", {}).get("records") or size
                records = f"{given:,}" if size else f"{prepared['records']:,}"
                lines.append(
                    f"| {records} | {label} | | did not finish | {figures['peak_mib']:,.0f} MiB "
                    f"| | {_unfinished(figures)} | | | | | |"
                )
            continue
        scores = _scores(directory, name)
        f1[name] = scores["children"].pair_f1
        for who in ("children", "adults"):
            s = scores[who]
            lines.append(
                f"| {figures['records']:,} | {label} | {figures['pairs']:,} | "
                f"{figures['seconds']:.0f} | {figures['peak_mib']:,.0f} MiB | {who} | "
                f"{s.pair_precision:.4f} | {s.pair_recall:.4f} | **{s.pair_f1:.4f}** | "
                f"{s.cluster_precision:.4f} | {s.cluster_recall:.4f} | {s.cluster_f1:.4f} |"
            )
    lines.append("")
    for size in sizes:
        rl, same = compared[size]
        if _finished(rl) and _finished(same):
            assert rl is not None and same is not None
            lines.append(
                f"**On the same {rl['records']:,} records, Tocsin took {same['seconds']:.0f} s "
                f"against recordlinkage's {rl['seconds']:.0f} s (ECM): "
                f"{rl['seconds'] / same['seconds']:.2f}x recordlinkage's speed** (the issue's "
                f"target is at least 3x at equal or better F1); children's pair F1 "
                f"{f1[f'tocsin-{size}']:.4f} against {f1[f'recordlinkage-{size}']:.4f}. "
                f"recordlinkage spent {rl['indexing']:.0f} s blocking and {rl['comparing']:.0f} "
                "s comparing."
            )
        elif rl is not None and not _finished(rl) and _finished(same) and rl.get("wall"):
            assert same is not None
            lines.append(
                f"**On the same {same['records']:,} records, recordlinkage did not finish**: "
                f"{_unfinished(rl)}. Tocsin linked them in {same['seconds']:.0f} s (children's "
                f"pair F1 {f1[f'tocsin-{size}']:.4f}; {same['wall']:.0f} s with reading the "
                f"records and starting up): **more than {rl['wall'] / same['wall']:.1f}x "
                "faster**, comparing each process's whole time, recordlinkage's only until it "
                "stopped."
            )
        else:
            lines.append(f"Not measured in this run: recordlinkage and Tocsin on {size:,} records.")
        lines.append("")
    if full is None:
        lines.append(f"Not measured in this run: Tocsin on all {prepared['records']:,} records.")
    if check is not None and _finished(check):
        trained_on = check.get("model_note") or (
            "every record" if model_size == "0" else f"the {int(model_size or 0):,} records"
        )
        lines.append(
            f"**Checking one new record against the index of {check['index']:,} records** (the "
            f"already-known check, with the model trained on {trained_on}; index built in "
            f"{check['built']:.0f} s; {check['held']} held-back records of people with several): "
            f"median **{check['median_ms']:.0f} ms** (slowest {check['max_ms']:.0f} ms; target "
            f"under 200 ms); the strongest match was the same person for {check['found']} of "
            f"{check['held']}."
        )
    else:
        lines.append("Not measured in this run: the already-known check at this size.")
    return "\n".join(lines)
