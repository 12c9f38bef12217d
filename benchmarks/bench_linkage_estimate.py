"""How the estimate of the hidden number moves with linkage errors (issue 15).

The agencies' lists of exploited children (``records/agency_lists``: each agency's own record
of each child it identified) are drawn up one list per sector, as the server's per-sector
grouping does, over the whole simulated window, and the hidden number is estimated
(``tocsin.intel.estimate``, stepwise, profile-likelihood interval) with a child being:

* the true person behind each record (``truth/record_identity``): perfect linkage;
* the engine's cluster (``link_records``, DuckDB, trained without labels on every person record
  of the world, the registers included), clustered at several thresholds from one scoring run;
* each record alone (no linkage at all), and records agreeing exactly on name and date of birth.

For each, the linkage's pairwise precision and recall over children's records, the number of
children on some list, the estimate and its interval, against the simulator's true number of
children exploited in the window (every row of ``truth/capture_histories``).
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from tocsin.intel.estimate import EstimationInputError, estimate  # noqa: E402
from tocsin.intel.linkage import (  # noqa: E402
    ClusterAssignment,
    accuracy,
    link_records,
    normalise_name,
    records_from_simulation,
)
from tocsin.intel.lists import build_capture_lists  # noqa: E402
from tocsin.simulate import SECTORS, preset, simulate  # noqa: E402

TITLE = "Person linkage: how the estimate of the hidden number moves with linkage errors (issue 15)"

#: The simulated partnerships: as the estimate benchmark's (a few hundred exploited children).
OVERRIDES: dict[str, dict[str, Any]] = {"population": {"residents": 40_000, "years": 10}}
THRESHOLDS = (0.5, 0.7, 0.9, 0.99, 0.999)


def _clusters(ids: list[str], edges: list[tuple[str, str]]) -> dict[str, str]:
    parent = {i: i for i in ids}

    def root(i: str) -> str:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for left, right in edges:
        a, b = root(left), root(right)
        if a != b:
            parent[max(a, b)] = min(a, b)
    return {i: root(i) for i in ids}


def _exact(records: list[Any]) -> dict[str, str]:
    groups: dict[tuple[Any, ...], str] = {}
    out = {}
    for r in records:
        key: tuple[Any, ...] = (
            normalise_name(r.first_name),
            normalise_name(r.surname),
            r.date_of_birth,
        )
        if None in key:
            key = ("alone", r.record_id)
        out[r.record_id] = groups.setdefault(key, r.record_id)
    return out


def _estimate_row(
    lists: list[tuple[str, str]], person_of: Mapping[str, str]
) -> tuple[int, str, str]:
    capture = build_capture_lists(lists, names=list(SECTORS), resolver=_Resolver(person_of))
    try:
        result = estimate(capture.table(), method="stepwise")
    except EstimationInputError as exc:
        return capture.persons, f"none ({exc})", ""
    return capture.persons, f"{result.estimate:,.0f}", f"{result.ci[0]:,.0f} to {result.ci[1]:,.0f}"


class _Resolver:
    name = "benchmark"

    def __init__(self, person_of: Mapping[str, str]) -> None:
        self._person_of = person_of

    def __call__(self, child_ids: Any) -> Mapping[str, str]:
        return {c: self._person_of[c] for c in child_ids}


def run(quick: bool) -> str:
    """Simulate, link once, estimate under each notion of a child; the Markdown section."""
    seeds = (1,) if quick else (1, 2, 3)
    blocks = []
    for seed in seeds:
        blocks.append(_one_world(seed, quick))
    return "\n\n".join(
        [
            "`tocsin.simulate` at scale `small` with `population.residents = 40000; "
            "population.years = 10` (seeds "
            + ", ".join(map(str, seeds))
            + "), every other parameter at its default, NHS numbers held as the noise model "
            "says (health always, the council often, the rest rarely). Lists: "
            "`records/agency_lists`, one per sector, over the whole window; estimate: stepwise, "
            "95% profile-likelihood interval (no bootstrap, to keep the run short). Linkage: "
            "one `link_records` run (DuckDB, trained without labels on every person record of "
            "the world), clustered again at each threshold from the pairs it kept (at or above "
            "0.5). Pair precision and recall are over children's records (all of them, not only "
            "those on lists).",
            *blocks,
            "**Reading the figures.** A missed link (recall below 1) splits a child into two, "
            "who look like two children each on fewer lists: the overlaps shrink and the "
            "estimate rises. A false link (precision below 1) joins two children, whose lists "
            "then overlap more than they should, and the estimate falls. No linkage at all "
            "shows how far the estimate moves when nothing is linked.",
        ]
    )


def _one_world(seed: int, quick: bool) -> str:
    config = preset("small").with_overrides(OVERRIDES)
    world = simulate(seed, "small", config)
    records = records_from_simulation(
        world["records/persons"].dicts(), world["records/agencies"].dicts()
    )
    truth = {
        str(r["record_id"]): str(r["person_id"]) for r in world["truth/record_identity"].dicts()
    }
    children = {str(p["person_id"]) for p in world["truth/people"].dicts() if p["role"] == "child"}
    true_number = len(world["truth/capture_histories"])
    lists = [
        (str(row["sector"]), str(row["record_id"])) for row in world["records/agency_lists"].dicts()
    ]
    del world
    started = time.perf_counter()
    result = link_records(records, threshold=min(THRESHOLDS))
    seconds = time.perf_counter() - started
    ids = [r.record_id for r in records]
    rows = [
        "| child is | pair precision | pair recall | children on some list | estimate | "
        "95% interval |",
        "|---|---|---|---|---|---|",
    ]

    def add(label: str, person_of: Mapping[str, str], scored: bool = True) -> None:
        if scored:
            assignments = [ClusterAssignment(i, person_of[i], None) for i in ids]
            s = accuracy(assignments, truth, only=children)
            precision, recall = f"{s.pair_precision:.4f}", f"{s.pair_recall:.4f}"
        else:
            precision = recall = "1 (truth)"
        persons, figure, interval = _estimate_row(lists, person_of)
        rows.append(f"| {label} | {precision} | {recall} | {persons:,} | {figure} | {interval} |")

    add("the true person", truth, scored=False)
    for threshold in THRESHOLDS:
        edges = [(p.left, p.right) for p in result.pairs if p.match_probability >= threshold]
        add(f"the engine's cluster at {threshold}", _clusters(ids, edges))
    add("records agreeing exactly on name and date of birth", _exact(records))
    add("each record alone (no linkage)", {i: i for i in ids})
    by_person: dict[str, set[str]] = defaultdict(set)
    for sector, record in lists:
        by_person[truth[record]].add(sector)
    return "\n".join(
        [
            f"**Seed {seed}:** {len(records):,} person records; true number of children "
            f"exploited in the window **{true_number:,}**, of whom {len(by_person):,} are on "
            f"some list ({len(lists):,} list entries). Linkage took {seconds:.0f} s.",
            "",
            *rows,
        ]
    )
