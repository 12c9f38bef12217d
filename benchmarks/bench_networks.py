"""Network detection against the simulator's truth (issue 16), at borough and region scale.

Each scale is simulated from seed 1. Mentions are built from the concern records without the
truth (:func:`tocsin.intel.graph.mentions_from_records`: name keys, aliases held by one person,
partial plates with one fit), the POLE graph is built as of the window's end, and detection
(Leiden, modularity with the default γ, seed 0) is scored against ``truth/groups`` and
``truth/concerns``:

- a node's true group is the most common group among the concerns naming it;
- **groups found whole**: of the groups with two or more nodes in the graph, the share whose
  nodes (core members: its children, adults, vehicles, phones, places) all land in one
  detected network (and the share with at least 80% in one);
- **purity**: per detected network, the share of its nodes from its most common group, averaged
  with networks weighted by size;
- **lead time**: the default rule (three children, two independent reporters, twelve months)
  is evaluated at every month's end; a true alert names a subject and at least three children
  of one group; lead time is the months from the group's first concern to its first true
  alert, over groups with three or more children named in concerns;
- **false alerts**: alerts (new keys, and growth of a key) that are not true, over all alerts.

The same run repeats the scoring with the truth's record identities in place of name keys for
children (perfect linkage), to separate linkage error from detection error. Phone collisions:
numbers named in concerns about two different groups (the simulator gives a number to one
holder at most, so this must be zero), and phones that went without a number.
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from tocsin.intel.graph import (  # noqa: E402
    DEFAULT_RULES,
    DENSITY,
    Mention,
    alerts_due,
    build_graph,
    detect,
    evaluate_patterns,
    mentions_from_records,
)
from tocsin.simulate import World, simulate  # noqa: E402

TITLE = "Networks: detection against the simulator's truth (issue 16)"

_RULE = DEFAULT_RULES[0]


def _month_ends(first: date, last: date) -> list[date]:
    ends = []
    year, month = first.year, first.month
    while True:
        nxt = date(year + month // 12, month % 12 + 1, 1)
        end = nxt - timedelta(days=1)
        ends.append(min(end, last))
        if end >= last:
            return ends
        year, month = nxt.year, nxt.month


def collisions(world: World) -> dict[str, int]:
    """Phone numbers held by two holders, named in concerns about two groups, and phones
    that went without a number."""
    holders: dict[str, set[str]] = defaultdict(set)
    wanted = 0
    for group in world["truth/groups"].dicts():
        wanted += len(group["members"] or []) + (group["kind"] == "cce")
        for phone, who in zip(group["phones"] or [], group["phone_holders"] or [], strict=True):
            holders[str(phone)].add(str(who))
    group_of = {c["concern_id"]: c["group_id"] for c in world["truth/concerns"].dicts()}
    named: dict[str, set[str]] = defaultdict(set)
    for concern in world["records/concerns"].dicts():
        for phone in concern["phones"] or []:
            named[str(phone)].add(str(group_of[concern["concern_id"]]))
    given = sum(len(h) for h in holders.values())
    return {
        "wanted": wanted,
        "given": given,
        "without": wanted - given,
        "held_twice": sum(1 for h in holders.values() if len(h) > 1),
        "named_for_two_groups": sum(1 for g in named.values() if len(g) > 1),
    }


def node_groups(graph: Any, group_of: dict[str, Any]) -> dict[str, str | None]:
    """Each node's true group: the most common among the concerns naming it."""
    label: dict[str, str | None] = {}
    for node in graph.nodes:
        votes = Counter(group_of[c] for c in node.concerns if group_of.get(c))
        label[node.id] = votes.most_common(1)[0][0] if votes else None
    return label


def quality(found: Any, label: dict[str, str | None]) -> tuple[int, int, int, float]:
    """Groups with two or more nodes, those found whole, those 80% in one network, purity."""
    network_of = {n: net.id for net in found.networks for n in net.nodes}
    by_group: dict[str, list[str]] = defaultdict(list)
    for node, group in label.items():
        if group:
            by_group[group].append(node)
    detectable = whole = most = 0
    for nodes in by_group.values():
        if len(nodes) < 2:
            continue
        detectable += 1
        counts = Counter(network_of.get(n) for n in nodes)
        top, top_count = counts.most_common(1)[0]
        if top is not None and top_count == len(nodes):
            whole += 1
        if top is not None and top_count >= 0.8 * len(nodes):
            most += 1
    pure_nodes = total_nodes = 0
    for net in found.networks:
        labels = Counter(label[n] for n in net.nodes if label[n])
        if labels:
            pure_nodes += labels.most_common(1)[0][1]
        total_nodes += len(net.nodes)
    return detectable, whole, most, pure_nodes / total_nodes if total_nodes else 0.0


def sweep(group_of: dict[str, Any], mentions: list[Mention], as_of: date) -> list[dict[str, Any]]:
    """Detection quality as the community resolution changes: plain modularity (γ 1),
    modularity with γ in proportion to the graph's weight (ρ × twice the total weight; the
    default's ρ is ``DENSITY``), and the constant Potts model."""
    graph = build_graph(mentions, as_of=as_of)
    label = node_groups(graph, group_of)
    twice_weight = 2 * sum(graph.graph.es["weight"])
    rows = []
    for method, parameter in (
        ("modularity", 1.0),
        ("density", 0.0003),
        ("density", 0.0005),
        ("density", DENSITY),
        ("density", 0.002),
        ("cpm", 0.05),
        ("cpm", 0.2),
    ):
        default = method == "density" and parameter == DENSITY
        # The default row is detect's own default (resolution None: ρ·2W, at least 1).
        resolution = (
            None if default else parameter * twice_weight if method == "density" else parameter
        )
        found = detect(
            graph, seed=0, method="cpm" if method == "cpm" else "modularity", resolution=resolution
        )
        detectable, whole, most, purity = quality(found, label)
        rows.append(
            {
                "method": method,
                "parameter": parameter,
                "resolution": found.resolution,
                "default": default,
                "networks": len(found.networks),
                "whole": whole / max(detectable, 1),
                "most": most / max(detectable, 1),
                "purity": purity,
            }
        )
    return rows


def score(world: World, mentions: list[Mention], as_of: date) -> dict[str, Any]:
    """Detection and alert figures for one set of mentions."""
    group_of = {str(c["concern_id"]): c["group_id"] for c in world["truth/concerns"].dicts()}
    started = time.perf_counter()
    graph = build_graph(mentions, as_of=as_of)
    built = time.perf_counter() - started
    started = time.perf_counter()
    found = detect(graph, seed=0)
    detected = time.perf_counter() - started
    label = node_groups(graph, group_of)
    detectable, whole, most, purity = quality(found, label)
    # Alerts under the default rule, month by month. evaluate_patterns counts only concerns
    # inside the window ending at as_of, so one graph of every concern serves every month.
    first_concern: dict[str, date] = {}
    for m in mentions:
        group = group_of.get(m.concern_id)
        if group and (group not in first_concern or m.occurred_on < first_concern[group]):
            first_concern[group] = m.occurred_on
    children_of: dict[str, set[str]] = defaultdict(set)
    for node, group in label.items():
        if group and node.startswith("child:"):
            children_of[group].add(node)
    eligible = {g for g, kids in children_of.items() if len(kids) >= _RULE.min_children}
    first = min(m.occurred_on for m in mentions)
    alerted: dict[str, int] = {}
    alerts = false_alerts = 0
    first_alert: dict[str, date] = {}
    started = time.perf_counter()
    for month_end in _month_ends(first, as_of):
        patterns = evaluate_patterns(graph, [_RULE], as_of=month_end)
        for pattern in alerts_due(patterns, alerted):
            alerted[pattern.key] = pattern.size
            alerts += 1
            subject_group = label[pattern.subject]
            kids = Counter(label[c] for c in pattern.children)
            true = subject_group is not None and kids[subject_group] >= _RULE.min_children
            if not true:
                false_alerts += 1
            elif subject_group not in first_alert:
                first_alert[str(subject_group)] = month_end
    evaluated = time.perf_counter() - started
    leads = [(first_alert[g] - first_concern[g]).days / 30.44 for g in eligible if g in first_alert]
    return {
        "nodes": graph.graph.vcount(),
        "edges": graph.graph.ecount(),
        "networks": len(found.networks),
        "modularity": found.modularity,
        "detectable": detectable,
        "whole": whole,
        "most": most,
        "purity": purity,
        "eligible": len(eligible),
        "alerted": len([g for g in eligible if g in first_alert]),
        "lead_median": statistics.median(leads) if leads else float("nan"),
        "lead_p90": statistics.quantiles(leads, n=10)[-1] if len(leads) >= 2 else float("nan"),
        "alerts": alerts,
        "false_alerts": false_alerts,
        "build_s": built,
        "detect_s": detected,
        "alerts_s": evaluated,
    }


def measure(
    scale: str, oracle: bool
) -> tuple[dict[str, int], list[tuple[str, dict[str, Any]]], list[dict[str, Any]]]:
    """Simulate a scale and score it with name keys (and perfect linkage, if ``oracle``)."""
    world = simulate(1, scale)
    as_of = max(
        date.fromisoformat(str(t)[:10]) for t in world["records/concerns"].column("raised_at")
    )
    concerns = list(world["records/concerns"].dicts())
    persons = list(world["records/persons"].dicts())
    started = time.perf_counter()
    mentions = mentions_from_records(concerns, persons, only_with_entities=True)
    resolve_s = time.perf_counter() - started
    results = [("name keys", {**score(world, mentions, as_of), "resolve_s": resolve_s})]
    if oracle:
        identity = {
            str(r["record_id"]): str(r["person_id"]) for r in world["truth/record_identity"].dicts()
        }
        perfect = mentions_from_records(
            concerns, persons, person_keys=identity, only_with_entities=True
        )
        results.append(("perfect child linkage", score(world, perfect, as_of)))
    counts = collisions(world)
    group_of = {str(c["concern_id"]): c["group_id"] for c in world["truth/concerns"].dicts()}
    swept = sweep(group_of, mentions, as_of)
    del world, concerns, persons
    gc.collect()
    return counts, results, swept


def _measure_in_child(scale: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.Popen(
        [sys.executable, __file__, "--scale", scale],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )


def run(quick: bool) -> str:
    """Score each scale (each in its own process, side by side) and return the Markdown."""
    scales = ["borough"] if quick else ["borough", "region"]
    children = {scale: _measure_in_child(scale) for scale in scales}
    measured: dict[str, Any] = {}
    swept: dict[str, list[dict[str, Any]]] = {}
    for scale, child in children.items():
        out, _ = child.communicate()
        if child.returncode != 0:
            raise RuntimeError(f"the {scale} measurement failed (exit {child.returncode})")
        counts, results, rows = json.loads(out.strip().splitlines()[-1])
        measured[scale] = (counts, [(how, r) for how, r in results])
        swept[scale] = rows
    lines = [
        __doc__.split("\n\n", 1)[1].strip(),
        "",
        "| scale | children resolved by | nodes | edges | networks | groups found whole "
        "(≥80% in one) | purity | groups alerted | lead time, months (median, p90) | "
        "alerts | false alerts | build + detect |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    load = os.getloadavg()[0]
    phone_lines = []
    for scale in scales:
        counts, results = measured[scale]
        for how, r in results:
            lines.append(
                f"| {scale} | {how} | {r['nodes']:,} | {r['edges']:,} | {r['networks']:,} | "
                f"**{r['whole'] / max(r['detectable'], 1):.0%}** of {r['detectable']:,} "
                f"({r['most'] / max(r['detectable'], 1):.0%}) | **{r['purity']:.0%}** | "
                f"{r['alerted']:,} of {r['eligible']:,} | {r['lead_median']:.1f}, "
                f"{r['lead_p90']:.1f} | {r['alerts']:,} | "
                f"**{r['false_alerts'] / max(r['alerts'], 1):.1%}** ({r['false_alerts']:,}) | "
                f"{r['build_s']:.1f} s + {r['detect_s']:.1f} s |"
            )
        phone_lines.append(
            f"| {scale} | {counts['wanted']:,} | {counts['given']:,} | {counts['without']:,} | "
            f"{counts['held_twice']} | **{counts['named_for_two_groups']}** |"
        )
    lines += [
        "",
        "Phones (seed 1): phones the groups' members and shared lines want, numbers given (the "
        "drama range holds 1,000), phones without a number, numbers with two holders, numbers "
        "named in concerns about two different groups (each a false link if it were not zero).",
        "",
        "| scale | phones wanted | numbers given | without | held twice | named for two groups |",
        "|---|---|---|---|---|---|",
        *phone_lines,
        "",
        "Resolution (name keys): modularity's γ trades groups found whole for purity. Plain "
        "modularity (γ 1) merges small groups joined by a single shared place or common name, "
        "the more the larger the graph (its resolution limit); the default γ is ρ times twice "
        f"the graph's total link weight with ρ = `DENSITY` = {DENSITY} (at least 1), so the "
        "same ρ serves a borough and a region; `detect(resolution=...)` sets γ.",
        "",
        "| scale | community method | γ | networks | groups found whole (≥80%) | purity |",
        "|---|---|---|---|---|---|",
        *[
            f"| {scale} | "
            + (
                "modularity, plain"
                if r["method"] == "modularity"
                else f"modularity, ρ {r['parameter']:g}"
                + (" (**default**)" if r["default"] else "")
                if r["method"] == "density"
                else f"constant Potts, resolution {r['parameter']:g}"
            )
            + f" | {r['resolution']:.3g} | {r['networks']:,} | "
            f"{r['whole']:.0%} ({r['most']:.0%}) | {r['purity']:.0%} |"
            for scale in scales
            for r in swept[scale]
        ],
        "",
        f"Load average at the end: {load:.1f} on {os.cpu_count()} cores; the seconds are "
        "wall-clock.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    if "--scale" in sys.argv:
        scale = sys.argv[sys.argv.index("--scale") + 1]
        found = measure(scale, oracle=scale == "borough")
        print(json.dumps(found))
    else:
        print(run(quick="--quick" in sys.argv))
