"""Detection on the POLE graph: components, Leiden communities, networks, the ranking of adults
of concern, hotspots, and a server-side layout."""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from dataclasses import dataclass

import igraph
import leidenalg
import numpy as np

from tocsin.intel.graph._model import PoleGraph

__all__ = [
    "DENSITY",
    "METHODS",
    "AdultRank",
    "Detection",
    "Hotspot",
    "Network",
    "default_resolution",
    "detect",
    "layout",
]

#: Community quality functions: modularity (its γ grows with the graph unless given) or the
#: constant Potts model.
METHODS: tuple[str, ...] = ("modularity", "cpm")

#: Modularity's default γ is this times the graph's total link weight (twice it, as the
#: formula counts each link from both ends), and never below 1. Modularity compares a link
#: between two groups with the links a random graph of the same size would put there, so
#: the bigger the partnership, the weaker a link it takes as a reason to merge two groups:
#: at region scale, small groups joined by one shared place or one common name became one
#: network (the resolution limit; Fortunato and Barthélemy, PNAS 2007). With γ in
#: proportion to the total weight, two groups merge when the links between them exceed
#: this share of the product of their links, whatever the size of the graph. Chosen on the
#: simulator's truth at borough and region scale (docs/benchmarks.md, "Networks: detection
#: against the simulator's truth").
DENSITY = 0.001


@dataclass(frozen=True)
class Network:
    """A community holding at least one child and at least one adult, vehicle, phone or place."""

    id: str
    nodes: frozenset[str]
    children: frozenset[str]
    adults: frozenset[str]
    vehicles: frozenset[str]
    phones: frozenset[str]
    places: frozenset[str]
    concerns: int
    reporters: int
    agencies: int
    flags: frozenset[str]

    @property
    def size(self) -> int:
        """Entities in the network."""
        return len(self.nodes)


@dataclass(frozen=True)
class AdultRank:
    """How much an adult of concern is linked to: children, independent reporters, agencies,
    and how often they lie between others (sampled betweenness)."""

    node: str
    children: int
    reporters: int
    agencies: int
    betweenness: float
    network: str | None


@dataclass(frozen=True)
class Hotspot:
    """A place by the children linked to it."""

    node: str
    children: int
    reporters: int
    agencies: int


@dataclass(frozen=True)
class Detection:
    """What :func:`detect` found. ``membership[i]`` is the community of vertex ``i``;
    ``resolution`` is the γ (or the constant Potts model's threshold) the communities were
    found with."""

    components: list[frozenset[str]]
    communities: list[frozenset[str]]
    membership: list[int]
    modularity: float
    networks: list[Network]
    adults: list[AdultRank]
    hotspots: list[Hotspot]
    seed: int
    method: str
    resolution: float

    def network_of(self, node: str) -> Network | None:
        """The network holding a node, if any."""
        for network in self.networks:
            if node in network.nodes:
                return network
        return None


def detect(
    graph: PoleGraph,
    *,
    seed: int = 0,
    betweenness_samples: int = 256,
    method: str = "modularity",
    resolution: float | None = None,
    iterations: int = 2,
) -> Detection:
    """Find components, Leiden communities (weighted by independent reports), the networks
    among them, the ranking of adults and the hotspots. The same graph and seed give the same
    answer. ``resolution`` is modularity's γ (higher splits the graph into smaller, purer
    networks; by default :data:`DENSITY` times twice the total link weight, at least 1; see
    docs/networks.md) or the constant Potts model's density threshold (default 0.05). The
    γ used is kept as ``Detection.resolution``. Leiden runs ``iterations`` passes
    (``-1``: until a pass changes nothing, several times slower for little gain)."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}.")
    g = graph.graph
    ids = graph.node_ids
    components = sorted(
        (frozenset(ids[v] for v in comp) for comp in g.connected_components()),
        key=lambda c: (-len(c), min(c)),
    )
    if resolution is None:
        resolution = 0.05 if method == "cpm" else default_resolution(g)
    membership = _leiden(g, seed=seed, method=method, resolution=resolution, iterations=iterations)
    modularity = g.modularity(membership, weights="weight") if g.ecount() else 0.0
    members: dict[int, list[int]] = {}
    for vertex, community in enumerate(membership):
        members.setdefault(community, []).append(vertex)
    communities = sorted(
        (frozenset(ids[v] for v in vs) for vs in members.values()),
        key=lambda c: (-len(c), min(c)),
    )
    networks = _networks(graph, communities)
    network_by_node = {n: net.id for net in networks for n in net.nodes}
    between = _sampled_betweenness(g, betweenness_samples, seed)
    adults = _rank_adults(graph, between, network_by_node)
    hotspots = _hotspots(graph)
    return Detection(
        components=components,
        communities=communities,
        membership=list(membership),
        modularity=float(modularity),
        networks=networks,
        adults=adults,
        hotspots=hotspots,
        seed=seed,
        method=method,
        resolution=resolution,
    )


def default_resolution(g: igraph.Graph) -> float:
    """Modularity's γ for ``g`` when none is given: :data:`DENSITY` times twice its total
    link weight, and at least 1 (plain modularity) for a small graph."""
    total = sum(g.es["weight"]) if g.ecount() else 0.0
    return max(1.0, DENSITY * 2 * total)


def _leiden(
    g: igraph.Graph, *, seed: int, method: str, resolution: float, iterations: int
) -> list[int]:
    if g.vcount() == 0:
        return []
    if g.ecount() == 0:
        return list(range(g.vcount()))
    partition = leidenalg.find_partition(
        g,
        leidenalg.CPMVertexPartition
        if method == "cpm"
        else leidenalg.RBConfigurationVertexPartition,
        weights="weight",
        resolution_parameter=resolution,
        n_iterations=iterations,
        seed=seed,
    )
    return [int(c) for c in partition.membership]


def _networks(graph: PoleGraph, communities: list[frozenset[str]]) -> list[Network]:
    networks: list[Network] = []
    for community in communities:
        by_kind: dict[str, set[str]] = {}
        for nid in community:
            by_kind.setdefault(nid.split(":", 1)[0], set()).add(nid)
        if not by_kind.get("child") or len(by_kind) < 2:
            continue
        concerns: set[str] = set()
        for nid in community:
            concerns.update(graph.node_concerns(nid))
        evidence = [graph.evidence[c] for c in concerns]
        networks.append(
            Network(
                id=f"N{len(networks) + 1:04d}",
                nodes=community,
                children=frozenset(by_kind.get("child", ())),
                adults=frozenset(by_kind.get("adult", ())),
                vehicles=frozenset(by_kind.get("vehicle", ())),
                phones=frozenset(by_kind.get("phone", ())),
                places=frozenset(by_kind.get("place", ())),
                concerns=len(concerns),
                reporters=len({(e.reporter, e.agency) for e in evidence}),
                agencies=len({e.agency for e in evidence}),
                flags=frozenset().union(*(e.flags for e in evidence)),
            )
        )
    return networks


def _sampled_betweenness(g: igraph.Graph, samples: int, seed: int) -> list[float]:
    # Exact betweenness is too slow past ~100k edges; paths from a seeded sample of sources,
    # scaled up by n / k, estimate it. Unweighted: a path through a strong tie is no shorter.
    n = g.vcount()
    if n == 0 or g.ecount() == 0:
        return [0.0] * n
    if samples <= 0 or samples >= n:
        return [float(b) for b in g.betweenness(directed=False)]
    # Sampling for a measure, not for security: a seeded generator keeps it repeatable.
    sources = sorted(random.Random(seed).sample(range(n), samples))  # not security  # nosec B311
    values = g.betweenness(directed=False, sources=sources)
    scale = n / samples
    return [float(b) * scale for b in values]


def _linked(graph: PoleGraph, vertex: int) -> tuple[set[int], set[tuple[str, str]], set[str]]:
    children: set[int] = set()
    pairs: set[tuple[str, str]] = set()
    agencies: set[str] = set()
    for edge_index in graph.graph.incident(vertex):
        source, target = graph.endpoints[edge_index]
        other = target if source == vertex else source
        if graph.kind(other) != "child":
            continue
        children.add(other)
        for concern in graph.edge_concerns(edge_index):
            item = graph.evidence[concern]
            pairs.add((item.reporter, item.agency))
            agencies.add(item.agency)
    return children, pairs, agencies


def _rank_adults(
    graph: PoleGraph, between: list[float], network_by_node: dict[str, str]
) -> list[AdultRank]:
    ranks: list[AdultRank] = []
    for vertex, nid in enumerate(graph.node_ids):
        if graph.kind(vertex) != "adult":
            continue
        children, pairs, agencies = _linked(graph, vertex)
        ranks.append(
            AdultRank(
                nid,
                len(children),
                len(pairs),
                len(agencies),
                between[vertex],
                network_by_node.get(nid),
            )
        )
    ranks.sort(key=lambda r: (-r.children, -r.reporters, -r.agencies, -r.betweenness, r.node))
    return ranks


def _hotspots(graph: PoleGraph) -> list[Hotspot]:
    spots: list[Hotspot] = []
    for vertex, nid in enumerate(graph.node_ids):
        if graph.kind(vertex) != "place":
            continue
        children, pairs, agencies = _linked(graph, vertex)
        if children:
            spots.append(Hotspot(nid, len(children), len(pairs), len(agencies)))
    spots.sort(key=lambda h: (-h.children, -h.reporters, -h.agencies, h.node))
    return spots


#: The most nodes laid out by the exact (all-pairs) Fruchterman-Reingold.
_EXACT_LAYOUT_NODES = 1000


def layout(
    graph: PoleGraph, node_ids: Iterable[str] | None = None, *, seed: int = 0
) -> dict[str, tuple[float, float]]:
    """Positions for the nodes (all, or ``node_ids``) in the square [-1, 1]², computed on the
    server so the browser only draws. Force-directed (Fruchterman-Reingold, weighted) from a
    seeded start, grid-based past 1,000 nodes; the same graph and seed give the same layout."""
    if node_ids is None:
        vertices = list(range(len(graph.node_ids)))
    else:
        vertices = sorted({graph.index[n] for n in node_ids})
    if not vertices:
        return {}
    sub = graph.graph.subgraph(vertices) if len(vertices) < len(graph.node_ids) else graph.graph
    rng = np.random.default_rng(seed)
    # The start spread over a square of side about sqrt(n), as igraph's own start is: the grid
    # layout sorts nodes into unit cells, and a start inside [-1, 1]² puts them all in one.
    half = max(1.0, math.sqrt(len(vertices)) / 2)
    start = (rng.uniform(-1.0, 1.0, size=(len(vertices), 2)) * half).tolist()
    # igraph draws from Python's random module; a seeded generator makes the layout repeatable
    # (a picture's layout, not security).
    igraph.set_random_number_generator(random.Random(seed))  # layout only  # nosec B311
    try:
        if len(vertices) == 1:
            coords = np.zeros((1, 2))
        else:
            # Past 1,000 nodes, the grid-based Fruchterman-Reingold and fewer iterations: on a
            # 3,745-node, 19,333-edge network the exact one took 59 s and DrL 40 s, this 0.9 s,
            # and the network view lays the graph out on every request.
            large = len(vertices) > _EXACT_LAYOUT_NODES
            coords = np.array(
                sub.layout_fruchterman_reingold(
                    weights="weight", seed=start, niter=200 if large else 500, grid=large
                ).coords,
                dtype=float,
            )
    finally:
        igraph.set_random_number_generator(random)
    coords = np.nan_to_num(coords, nan=0.0, posinf=0.0, neginf=0.0)
    low = coords.min(axis=0)
    span = coords.max(axis=0) - low
    span[span == 0] = 1.0
    scaled = (coords - low) / span * 2.0 - 1.0
    if len(vertices) == 1:
        scaled = np.zeros((1, 2))
    return {
        graph.node_ids[v]: (float(x), float(y))
        for v, (x, y) in zip(vertices, scaled.tolist(), strict=True)
    }
