"""Graph building and detection at scale (issue 16): about 1,000,000 edges, against networkx.

A POLE graph with planted networks is generated from seeded synthetic mentions: groups of
children, adults, vehicles, phones and places; each concern names a child and two to four of
its group's entities, and one concern in twenty also names an entity of another group. The
Tocsin side builds the graph from the mentions (:func:`tocsin.intel.graph.build_graph`:
evidence, independent-report weights, igraph) and runs :func:`tocsin.intel.graph.detect`
(components, Leiden by leidenalg, networks, adult ranking with betweenness sampled from 256
sources, hotspots). The baseline builds a ``networkx.Graph`` from the same weighted edges and
runs ``networkx.community.louvain_communities`` (seed 0) on it, in the same run. Each side runs
in its own process, so peak memory (maximum resident set size, less the process's size once
its input is loaded) is its own. Both optimise weighted modularity at resolution 1 (Tocsin's
default γ, which grows with the graph's weight, is set to 1 here for a like-for-like
comparison), computed by each side's library on its own partition of the same graph.
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

TITLE = "Networks: building and detection on a 1,000,000-edge graph vs networkx (issue 16)"

AS_OF = date(2026, 12, 1)


def mentions(groups: int, concerns_per_group: int, seed: int = 1) -> list[Any]:
    """Seeded synthetic mentions with planted groups (see the module docstring)."""
    from tocsin.intel.graph import Mention

    rng = random.Random(seed)
    shape = {"child": 30, "adult": 8, "vehicle": 2, "phone": 2, "place": 3}
    kinds = [k for k in shape if k != "child"]
    out: list[Mention] = []
    number = 0
    for g in range(groups):
        flags = frozenset({"cce", "drugs"}) if g % 3 == 0 else frozenset({"cse"})
        for _ in range(concerns_per_group):
            number += 1
            cid = f"C{number:08d}"
            agency = f"A{rng.randrange(12)}"
            reporter = f"S{rng.randrange(4000)}"
            on = AS_OF - timedelta(days=rng.randrange(3650))
            named = {("child", f"{g}-{rng.randrange(shape['child'])}")}
            for _ in range(rng.randint(2, 4)):
                kind = rng.choice(kinds)
                named.add((kind, f"{g}-{rng.randrange(shape[kind])}"))
            if rng.random() < 0.05:
                kind = rng.choice(kinds)
                named.add((kind, f"{rng.randrange(groups)}-{rng.randrange(shape[kind])}"))
            for kind, key in sorted(named):
                out.append(Mention(cid, kind, key, key, agency, reporter, on, flags))
    return out


class _Clock:
    """Wall and CPU seconds since start: CPU time is the fairer figure on a shared machine."""

    def __init__(self) -> None:
        self.wall = time.perf_counter()
        self.cpu = time.process_time()

    def read(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall, time.process_time() - self.cpu


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mib() -> float:
    with open(f"/proc/{os.getpid()}/statm", encoding="ascii") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def tocsin_side(groups: int, concerns_per_group: int, edges_path: str) -> dict[str, Any]:
    """Generate, build and detect; write the weighted edges for the baseline."""
    import numpy as np

    from tocsin.intel.graph import build_graph, detect

    clock = _Clock()
    rows = mentions(groups, concerns_per_group)
    generated = clock.read()[0]
    loaded = _rss_mib()
    clock = _Clock()
    graph = build_graph(rows, as_of=AS_OF)
    built = clock.read()
    clock = _Clock()
    # γ 1, the baseline's quality function (Tocsin's default γ grows with the graph's weight).
    found = detect(graph, seed=0, betweenness_samples=256, resolution=1.0)
    detected = clock.read()
    peak = _peak_mib()
    g = graph.graph
    np.savez(
        edges_path,
        edges=np.array(g.get_edgelist(), dtype=np.int32),
        weights=np.array(g.es["weight"], dtype=np.float64),
        nodes=np.int64(g.vcount()),
    )
    return {
        "mentions": len(rows),
        "concerns": len(graph.evidence),
        "nodes": g.vcount(),
        "edges": g.ecount(),
        "generate_s": generated,
        "build_s": built,
        "detect_s": detected,
        "communities": len(found.communities),
        "networks": len(found.networks),
        "modularity": found.modularity,
        "memory_mib": peak - loaded,
    }


def networkx_side(edges_path: str) -> dict[str, Any]:
    """Build a networkx graph from the same weighted edges and run its Louvain."""
    import networkx as nx
    import numpy as np

    data = np.load(edges_path)
    edges = data["edges"].tolist()
    weights = data["weights"].tolist()
    nodes = int(data["nodes"])
    loaded = _rss_mib()
    clock = _Clock()
    graph = nx.Graph()
    graph.add_nodes_from(range(nodes))
    graph.add_weighted_edges_from((a, b, w) for (a, b), w in zip(edges, weights, strict=True))
    built = clock.read()
    clock = _Clock()
    communities = nx.community.louvain_communities(graph, weight="weight", seed=0)
    detected = clock.read()
    peak = _peak_mib()
    modularity = nx.community.modularity(graph, communities, weight="weight")
    return {
        "build_s": built,
        "detect_s": detected,
        "communities": len(communities),
        "modularity": modularity,
        "memory_mib": peak - loaded,
    }


def _child(*args: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True, env=env
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run(quick: bool) -> str:
    """Measure both sides and return the Markdown section."""
    groups = 600 if quick else 8_000
    per_group = 30 if quick else 36
    with tempfile.TemporaryDirectory(prefix="tocsin-bench-graph-") as scratch:
        edges_path = str(Path(scratch) / "edges.npz")
        ours = _child("tocsin", str(groups), str(per_group), edges_path)
        theirs = _child("networkx", edges_path)
    load = os.getloadavg()

    def row(name: str, r: dict[str, Any]) -> str:
        (bw, bc), (dw, dc) = r["build_s"], r["detect_s"]
        return (
            f"| {name} | {bc:.1f} s ({bw:.1f} s) | {dc:.1f} s ({dw:.1f} s) | "
            f"**{bc + dc:.1f} s** ({bw + dw:.1f} s) | {r['memory_mib']:,.0f} MiB | "
            f"{r['communities']:,} | {r['modularity']:.4f} |"
        )

    ours_cpu = ours["build_s"][1] + ours["detect_s"][1]
    theirs_cpu = theirs["build_s"][1] + theirs["detect_s"][1]
    return "\n".join(
        [
            __doc__.split("\n\n", 1)[1].strip(),
            "",
            f"Graph: {ours['nodes']:,} nodes, **{ours['edges']:,} edges** from "
            f"{ours['concerns']:,} concerns ({ours['mentions']:,} mentions, generated in "
            f"{ours['generate_s']:.1f} s, not counted); Tocsin found {ours['networks']:,} "
            f"networks. Times are CPU seconds, wall-clock in brackets (load average "
            f"{load[0]:.1f} on {os.cpu_count()} cores at the end; where other work shares the "
            "machine, CPU time is the fairer comparison).",
            "",
            "| | build | detect | build + detect | peak memory | communities | modularity |",
            "|---|---|---|---|---|---|---|",
            row(
                "Tocsin (igraph + leidenalg; detect includes networks, ranking, betweenness)", ours
            ),
            row("networkx Louvain (baseline)", theirs),
            "",
            f"Tocsin used **{ours_cpu / theirs_cpu:.2f}x** the baseline's CPU time end to end "
            "(its detect also finds networks, ranks adults with sampled betweenness and finds "
            "hotspots; the baseline's is Louvain alone), and "
            f"{ours['memory_mib'] / max(theirs['memory_mib'], 1):.2f}x its memory.",
        ]
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "tocsin":
        print(json.dumps(tocsin_side(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])))
    elif len(sys.argv) > 1 and sys.argv[1] == "networkx":
        print(json.dumps(networkx_side(sys.argv[2])))
    else:
        print(run(quick="--quick" in sys.argv))
