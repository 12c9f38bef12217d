"""Person linkage (issue 15): accuracy against the simulator's truth and time, at borough scale.

The simulator's borough (seed 1) gives every person record an agency holds and the truth of
who each record is. The engine (``tocsin.intel.linkage.link_records``, DuckDB backend, default
threshold) trains its model without labels and clusters the records; pairwise and cluster
precision, recall and F1 are scored for children and for adults. The baseline in the same run
is deterministic linkage: records agreeing exactly on first name, surname and date of birth
(normalised) are one person, which is what matching by exact details does.
"""

from __future__ import annotations

import itertools
import resource
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from tocsin.intel.linkage import (  # noqa: E402
    ClusterAssignment,
    PersonIndex,
    accuracy,
    link_records,
    normalise_name,
    records_from_simulation,
)
from tocsin.simulate import simulate  # noqa: E402

TITLE = "Person linkage: accuracy against the simulator's truth, and time (issue 15)"


def _exact_baseline(records: list) -> list[ClusterAssignment]:  # type: ignore[type-arg]
    groups: dict[tuple[str | None, ...], list[str]] = defaultdict(list)
    for r in records:
        key = (normalise_name(r.first_name), normalise_name(r.surname), r.date_of_birth)
        if None in key:
            key = ("alone", r.record_id)
        groups[key].append(r.record_id)
    return [ClusterAssignment(i, min(ids), None) for ids in groups.values() for i in ids]


def run(quick: bool) -> str:
    """Link one simulated world and return the Markdown section."""
    scale = "small" if quick else "borough"
    world = simulate(1, scale)
    records = records_from_simulation(
        world["records/persons"].dicts(), world["records/agencies"].dicts()
    )
    truth = {r["record_id"]: r["person_id"] for r in world["truth/record_identity"].dicts()}
    people = list(world["truth/people"].dicts())
    children = {p["person_id"] for p in people if p["role"] == "child"}
    adults = {p["person_id"] for p in people if p["role"] != "child"}
    del world, people
    stages: list[tuple[str, float]] = []
    started = time.perf_counter()
    result = link_records(
        records, progress=lambda stage, _i, _n: stages.append((stage, time.perf_counter()))
    )
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10
    # The "already known" check: hold back one record of each of 50 people with several,
    # index the rest with the trained model, and time checking each held-back record.
    by_person: dict[str, list[str]] = defaultdict(list)
    for record in records:
        by_person[truth[record.record_id]].append(record.record_id)
    held = {ids[-1] for ids in by_person.values() if len(ids) > 1}
    held = set(sorted(held)[:: max(1, len(held) // 50)][:50])
    index = PersonIndex([r for r in records if r.record_id not in held], result.model)
    check_times, found = [], 0
    for record in (r for r in records if r.record_id in held):
        check_started = time.perf_counter()
        matches = index.check([record], threshold=result.threshold)
        check_times.append(time.perf_counter() - check_started)
        found += bool(matches) and truth[matches[0].left] == truth[record.record_id]
    del index
    baseline_started = time.perf_counter()
    baseline = _exact_baseline(records)
    baseline_seconds = time.perf_counter() - baseline_started
    lines = [
        f"Scale `{scale}` (seed 1): {len(records):,} person records of {len(set(truth.values())):,}"
        f" people; {result.pairs_scored:,} pairs scored; {result.clusters:,} clusters at "
        f"threshold {result.threshold}. Linkage took **{seconds:.0f} s** in all (peak resident "
        f"memory of the process, simulation included: {peak:,.0f} MiB).",
        "",
        "| who | method | pair precision | pair recall | pair F1 | cluster precision | "
        "cluster recall | cluster F1 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for who, scope in (("children", children), ("adults", adults)):
        for method, assignments in (
            ("Splink model (unsupervised)", result.assignments),
            ("exact name and date of birth", baseline),
        ):
            s = accuracy(assignments, truth, only=scope)
            lines.append(
                f"| {who} | {method} | {s.pair_precision:.4f} | {s.pair_recall:.4f} | "
                f"**{s.pair_f1:.4f}** | {s.cluster_precision:.4f} | {s.cluster_recall:.4f} | "
                f"{s.cluster_f1:.4f} |"
            )
    timeline = []
    for (stage, at), (_next, until) in itertools.pairwise(stages):
        timeline.append(f"{stage} {until - at:.0f} s")
    lines += [
        "",
        "Stages: "
        + "; ".join(timeline)
        + f". The exact-match baseline took {baseline_seconds:.1f} s.",
        "",
        "Warnings from training: " + ("; ".join(result.diagnostics["warnings"]) or "none") + ".",
        "",
        f"**Checking one new record against the index** of the other "
        f"{len(records) - len(held):,} records (the already-known check; {len(held)} held-back "
        f"records of people with several): median **{statistics.median(check_times) * 1000:.0f}"
        f" ms** (slowest {max(check_times) * 1000:.0f} ms); the strongest match was the same "
        f"person for {found} of {len(held)}.",
        "",
        "The region scale against the `recordlinkage` toolkit is in its own section "
        "(`bench_linkage_region.py`); how the estimate moves with linkage errors in "
        "`bench_linkage_estimate.py`'s.",
    ]
    return "\n".join(lines)
