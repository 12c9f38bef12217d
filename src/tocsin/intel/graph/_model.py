"""The POLE graph: people, objects (vehicles, phones), locations, with concerns as the evidence
on the edges between the entities each concern names."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

import igraph

__all__ = [
    "ENTITY_KINDS",
    "FLAGS",
    "ConcernEvidence",
    "Edge",
    "Mention",
    "Node",
    "PoleGraph",
    "build_graph",
    "node_id",
]

#: The kinds of entity a mention can name.
ENTITY_KINDS: tuple[str, ...] = ("child", "adult", "vehicle", "phone", "place")
#: The marks a mention can carry: sexual or criminal exploitation, drugs, weapons.
FLAGS: frozenset[str] = frozenset({"cse", "cce", "drugs", "weapons"})


@dataclass(frozen=True)
class Mention:
    """One entity named in one concern."""

    concern_id: str
    kind: str
    key: str
    label: str
    agency: str
    reporter: str
    occurred_on: date
    flags: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.kind not in ENTITY_KINDS:
            raise ValueError(
                f"A mention's kind must be one of {', '.join(ENTITY_KINDS)}, not {self.kind!r}."
            )
        if not self.key:
            raise ValueError(f"A mention in concern {self.concern_id} has an empty key.")
        unknown = self.flags - FLAGS
        if unknown:
            raise ValueError(
                f"Unknown flags {', '.join(sorted(unknown))} in concern {self.concern_id}; "
                f"use {', '.join(sorted(FLAGS))}."
            )

    @property
    def node_id(self) -> str:
        """The id of the graph node this mention names."""
        return node_id(self.kind, self.key)


def node_id(kind: str, key: str) -> str:
    """A node's id: its kind and resolved key, ``"adult:P000123"``."""
    return f"{kind}:{key}"


@dataclass(frozen=True)
class ConcernEvidence:
    """What the graph keeps of a concern: who reported it, from which agency, when, and how
    it was marked."""

    concern_id: str
    agency: str
    reporter: str
    occurred_on: date
    flags: frozenset[str]
    recency: float  # 0.5 ** (age in days / half-life)


@dataclass(frozen=True)
class Node:
    """An entity: a child, an adult, a vehicle, a phone or a place."""

    id: str
    kind: str
    key: str
    label: str
    first_seen: date
    last_seen: date
    concerns: tuple[str, ...]
    agencies: frozenset[str]
    reporters: frozenset[str]
    flags: frozenset[str]


@dataclass(frozen=True)
class Edge:
    """Two entities named in the same concerns, with those concerns as the evidence.

    ``reports`` counts distinct concerns, ``reporters`` and ``agencies`` distinct reporters and
    agencies; ``weight`` counts independent reports (distinct reporter-agency pairs), each
    decayed by the recency of its latest concern."""

    source: str
    target: str
    concerns: tuple[str, ...]
    reporters: int
    agencies: int
    weight: float
    flags: frozenset[str]
    first_seen: date
    last_seen: date

    @property
    def reports(self) -> int:
        """Distinct concerns naming both ends."""
        return len(self.concerns)


@dataclass
class _NodeBuild:
    kind: str
    key: str
    label: str
    concerns: list[str] = field(default_factory=list)


@dataclass
class PoleGraph:
    """The POLE graph as of a date: an ``igraph.Graph`` whose vertex ``i`` is ``node_ids[i]``
    (sorted, so the graph is the same for the same mentions in any order)."""

    graph: igraph.Graph
    node_ids: list[str]
    as_of: date
    half_life_days: int
    evidence: dict[str, ConcernEvidence]
    _nodes: list[_NodeBuild]
    _edge_concerns: list[tuple[str, ...]]

    @cached_property
    def index(self) -> dict[str, int]:
        """Vertex index by node id."""
        return {nid: i for i, nid in enumerate(self.node_ids)}

    @cached_property
    def nodes(self) -> list[Node]:
        """Every node, in vertex order."""
        return [self.node(i) for i in range(len(self.node_ids))]

    @cached_property
    def edges(self) -> list[Edge]:
        """Every edge, in edge order (``source`` < ``target``)."""
        return [self.edge(i) for i in range(self.graph.ecount())]

    @cached_property
    def _weights(self) -> list[float]:
        return [float(w) for w in self.graph.es["weight"]]

    @cached_property
    def endpoints(self) -> list[tuple[int, int]]:
        """Each edge's two vertex indices, in edge order."""
        return [tuple(pair) for pair in self.graph.get_edgelist()]

    def node(self, vertex: int) -> Node:
        """The node at a vertex index."""
        build = self._nodes[vertex]
        evidence = [self.evidence[c] for c in build.concerns]
        return Node(
            id=self.node_ids[vertex],
            kind=build.kind,
            key=build.key,
            label=build.label,
            first_seen=min(e.occurred_on for e in evidence),
            last_seen=max(e.occurred_on for e in evidence),
            concerns=tuple(build.concerns),
            agencies=frozenset(e.agency for e in evidence),
            reporters=frozenset(e.reporter for e in evidence),
            flags=frozenset().union(*(e.flags for e in evidence)),
        )

    def edge(self, index: int) -> Edge:
        """The edge at an edge index."""
        source, target = self.endpoints[index]
        concerns = self._edge_concerns[index]
        evidence = [self.evidence[c] for c in concerns]
        return Edge(
            source=self.node_ids[source],
            target=self.node_ids[target],
            concerns=concerns,
            reporters=len({e.reporter for e in evidence}),
            agencies=len({e.agency for e in evidence}),
            weight=float(self._weights[index]),
            flags=frozenset().union(*(e.flags for e in evidence)),
            first_seen=min(e.occurred_on for e in evidence),
            last_seen=max(e.occurred_on for e in evidence),
        )

    def kind(self, vertex: int) -> str:
        """The kind of the node at a vertex index."""
        return self._nodes[vertex].kind

    def node_concerns(self, node: str) -> tuple[str, ...]:
        """The concerns naming a node, sorted."""
        return tuple(self._nodes[self.index[node]].concerns)

    def edge_concerns(self, index: int) -> tuple[str, ...]:
        """The concerns naming both ends of an edge."""
        return self._edge_concerns[index]

    def neighbours(self, node: str) -> Iterator[tuple[str, tuple[str, ...]]]:
        """Each neighbour of a node with the concerns joining them."""
        vertex = self.index[node]
        for edge_index in self.graph.incident(vertex):
            source, target = self.endpoints[edge_index]
            other = target if source == vertex else source
            yield self.node_ids[other], self._edge_concerns[edge_index]

    def to_json(self) -> dict[str, Any]:
        """The graph as plain JSON-ready data for the view: nodes and edges with their evidence
        counts (concern ids kept, so the view can list the concerns behind an edge)."""
        return {
            "as_of": self.as_of.isoformat(),
            "half_life_days": self.half_life_days,
            "nodes": [
                {
                    "id": n.id,
                    "kind": n.kind,
                    "label": n.label,
                    "first_seen": n.first_seen.isoformat(),
                    "last_seen": n.last_seen.isoformat(),
                    "concerns": list(n.concerns),
                    "agencies": sorted(n.agencies),
                    "flags": sorted(n.flags),
                }
                for n in self.nodes
            ],
            "edges": [
                {
                    "source": e.source,
                    "target": e.target,
                    "concerns": list(e.concerns),
                    "reports": e.reports,
                    "reporters": e.reporters,
                    "agencies": e.agencies,
                    "weight": round(e.weight, 6),
                    "flags": sorted(e.flags),
                    "first_seen": e.first_seen.isoformat(),
                    "last_seen": e.last_seen.isoformat(),
                }
                for e in self.edges
            ],
        }

    def to_json_text(self) -> str:
        """:meth:`to_json` as compact text."""
        return json.dumps(self.to_json(), separators=(",", ":"), sort_keys=True)


def build_graph(
    mentions: Iterable[Mention], *, as_of: date, half_life_days: int = 365
) -> PoleGraph:
    """Build the POLE graph from mentions, counting only concerns that occurred on or before
    ``as_of``.

    Entities named in the same concern are joined by an edge. An edge's weight is the number of
    independent reports behind it (distinct reporter-agency pairs), each counted at the
    recency ``0.5 ** (age / half_life_days)`` of its most recent concern, so ten concerns from
    one worker weigh less than two from workers in different agencies, and old links fade."""
    if half_life_days <= 0:
        raise ValueError("half_life_days must be a positive number of days.")
    evidence: dict[str, ConcernEvidence] = {}
    concern_nodes: dict[str, set[str]] = defaultdict(set)
    builds: dict[str, _NodeBuild] = {}
    concern_flags: dict[str, set[str]] = defaultdict(set)
    concern_meta: dict[str, tuple[str, str, date]] = {}
    for mention in mentions:
        if mention.occurred_on > as_of:
            continue
        meta = (mention.agency, mention.reporter, mention.occurred_on)
        seen = concern_meta.setdefault(mention.concern_id, meta)
        if seen != meta:
            raise ValueError(
                f"Concern {mention.concern_id} is given two different reporters, agencies or "
                "dates; every mention of one concern must agree."
            )
        concern_flags[mention.concern_id].update(mention.flags)
        nid = mention.node_id
        build = builds.get(nid)
        if build is None:
            build = builds[nid] = _NodeBuild(mention.kind, mention.key, mention.label)
        if mention.concern_id not in concern_nodes or nid not in concern_nodes[mention.concern_id]:
            build.concerns.append(mention.concern_id)
        concern_nodes[mention.concern_id].add(nid)
    for concern_id, (agency, reporter, occurred) in concern_meta.items():
        age = (as_of - occurred).days
        evidence[concern_id] = ConcernEvidence(
            concern_id,
            agency,
            reporter,
            occurred,
            frozenset(concern_flags[concern_id]),
            math.pow(0.5, age / half_life_days),
        )
    node_ids = sorted(builds)
    index = {nid: i for i, nid in enumerate(node_ids)}
    pair_concerns: dict[tuple[int, int], list[str]] = defaultdict(list)
    for concern_id, named in concern_nodes.items():
        vertices = sorted(index[n] for n in named)
        for i, a in enumerate(vertices):
            for b in vertices[i + 1 :]:
                pair_concerns[(a, b)].append(concern_id)
    pairs = sorted(pair_concerns)
    weights: list[float] = []
    edge_concerns: list[tuple[str, ...]] = []
    for pair in pairs:
        concerns = tuple(sorted(pair_concerns[pair]))
        edge_concerns.append(concerns)
        weights.append(_independent_weight(evidence[c] for c in concerns))
    graph = igraph.Graph(n=len(node_ids), edges=pairs, directed=False)
    graph.es["weight"] = weights
    nodes = [builds[nid] for nid in node_ids]
    for build in nodes:
        build.concerns.sort()
    return PoleGraph(graph, node_ids, as_of, half_life_days, evidence, nodes, edge_concerns)


def _independent_weight(evidence: Iterable[ConcernEvidence]) -> float:
    # One vote per reporter-agency pair, at the recency of that pair's latest concern.
    best: dict[tuple[str, str], float] = {}
    for item in evidence:
        pair = (item.reporter, item.agency)
        if item.recency > best.get(pair, 0.0):
            best[pair] = item.recency
    return sum(best.values())
