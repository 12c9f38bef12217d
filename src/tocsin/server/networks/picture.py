"""The network as a page shows it: the graph of the concerns a filter lets through, its
networks, a layout computed on the server, and the words and rows the view, the table, the CSV
and the PDF share.

Filters: the days the concerns happened on, one agency (or public reports), and the kinds of
entity shown (children, adults, vehicles, phones, places). Building reads the concern
projections with ``values()``; :func:`record_shown` then adds every child and concern the
answer shows to the request's read scope, so each view and export is one ``record.viewed``.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tocsin.intel.graph import ENTITY_KINDS, Detection, PoleGraph, build_graph, detect, layout
from tocsin.server.concerns.models import Concern
from tocsin.server.directory.models import Agency
from tocsin.server.networks.mentions import MentionFilter, concern_mentions
from tocsin.server.reads import current_scope

__all__ = [
    "KIND_NAMES",
    "NetworkFilters",
    "NetworkPicture",
    "network_csv",
    "network_picture",
    "record_rows",
    "record_shown",
]

KIND_NAMES: dict[str, str] = {
    "child": "Child",
    "adult": "Adult",
    "vehicle": "Vehicle",
    "phone": "Phone",
    "place": "Place",
}
FLAG_NAMES: dict[str, str] = {
    "cse": "sexual exploitation",
    "cce": "criminal exploitation",
    "drugs": "drugs",
    "weapons": "weapons",
}


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


@dataclass(frozen=True)
class NetworkFilters:
    """What the view is narrowed to."""

    since: date | None = None
    until: date | None = None
    #: an agency id, "public" for public reports, or "" for every agency.
    agency: str = ""
    kinds: frozenset[str] = frozenset(ENTITY_KINDS)

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> tuple[NetworkFilters, dict[str, str]]:
        """The filters a query string asks for, and a problem for each field that cannot be
        read (that field is then left open)."""
        problems: dict[str, str] = {}
        since = until = None
        if (text := str(query.get("since", "")).strip()) and (since := _day(text)) is None:
            problems["since"] = "Enter the first day as a date, like 2026-01-31"
        if (text := str(query.get("until", "")).strip()) and (until := _day(text)) is None:
            problems["until"] = "Enter the last day as a date, like 2026-12-31"
        if since and until and since > until:
            problems["until"] = "The last day must be on or after the first"
            until = None
        agency = str(query.get("agency", "")).strip()
        if agency and agency != "public" and not _known_agency(agency):
            problems["agency"] = "Choose an agency from the list"
            agency = ""
        getlist = getattr(query, "getlist", None)
        asked = getlist("kind") if getlist else query.get("kind", [])
        asked = [asked] if isinstance(asked, str) else list(asked or [])
        kinds = frozenset(k for k in asked if k in KIND_NAMES)
        if asked and not kinds:
            problems["kind"] = "Choose at least one kind of entity"
        return cls(since, until, agency, kinds or frozenset(ENTITY_KINDS)), problems

    def query(self) -> dict[str, Any]:
        """The filters as a query string's parameters (for links to the table and exports)."""
        params: dict[str, Any] = {}
        if self.since:
            params["since"] = self.since.isoformat()
        if self.until:
            params["until"] = self.until.isoformat()
        if self.agency:
            params["agency"] = self.agency
        if self.kinds != frozenset(ENTITY_KINDS):
            params["kind"] = sorted(self.kinds)
        return params


def _kind_in_words(kind: str, count: int) -> str:
    """The kind of entity as a count reads it: "child" or "children", "phone" or "phones"."""
    name = KIND_NAMES[kind].lower()
    if count == 1:
        return name
    return "children" if kind == "child" else f"{name}s"


def _known_agency(agency: str) -> bool:
    import uuid

    try:
        return Agency.objects.filter(pk=uuid.UUID(agency)).exists()
    except ValueError:
        return False


@dataclass
class NetworkPicture:
    filters: NetworkFilters
    graph: PoleGraph
    detection: Detection
    #: node id → network id ("N1", …; "" outside every network).
    network_of: dict[str, str]
    positions: dict[str, tuple[float, float]]
    agencies: dict[str, str]
    references: dict[str, str]
    counts: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        """The network in words: what a screen reader hears instead of the picture."""
        kinds = ", ".join(
            f"{self.counts[k]:,} {_kind_in_words(k, self.counts[k])}"
            for k in ENTITY_KINDS
            if k in self.filters.kinds
        )
        networks = len(self.detection.networks)
        return (
            f"{len(self.graph.node_ids):,} entities ({kinds}) joined by "
            f"{self.graph.graph.ecount():,} links from {len(self.graph.evidence):,} concerns; "
            f"{networks:,} network{'' if networks == 1 else 's'} linking children to adults, "
            "vehicles, phones or places."
        )

    def agency_name(self, agency: str) -> str:
        return "Public report" if agency == "public" else self.agencies.get(agency, "Agency")

    def node_rows(self) -> list[dict[str, Any]]:
        """One row per entity, the networks' first, largest first, then by kind and label."""
        rows = []
        degree = self.graph.graph.degree()
        children_of = _children_linked(self.graph)
        for vertex, node in enumerate(self.graph.nodes):
            rows.append(
                {
                    "id": node.id,
                    "kind": node.kind,
                    "kind_name": KIND_NAMES[node.kind],
                    "label": node.label,
                    "network": self.network_of.get(node.id, ""),
                    "links": degree[vertex],
                    "children": children_of[vertex],
                    "concerns": len(node.concerns),
                    "references": [self.references.get(c, "") for c in node.concerns],
                    "agencies": sorted(self.agency_name(a) for a in node.agencies),
                    "reporters": len(node.reporters),
                    "flags": [FLAG_NAMES[f] for f in sorted(node.flags)],
                    "first_seen": node.first_seen,
                    "last_seen": node.last_seen,
                }
            )
        order = {n.id: i for i, n in enumerate(self.detection.networks)}
        rows.sort(
            key=lambda r: (
                order.get(r["network"], len(order)),
                ENTITY_KINDS.index(r["kind"]),
                r["label"].casefold(),
            )
        )
        return rows

    def link_rows(self) -> list[dict[str, Any]]:
        """One row per link, strongest first: the two ends and the evidence behind it."""
        nodes = self.graph.nodes
        index = self.graph.index
        rows: list[dict[str, Any]] = []
        for edge in self.graph.edges:
            a, b = nodes[index[edge.source]], nodes[index[edge.target]]
            rows.append(
                {
                    "source": a.label,
                    "source_kind": KIND_NAMES[a.kind],
                    "target": b.label,
                    "target_kind": KIND_NAMES[b.kind],
                    "network": self.network_of.get(a.id, "")
                    if self.network_of.get(a.id) == self.network_of.get(b.id)
                    else "",
                    "reports": edge.reports,
                    "reporters": edge.reporters,
                    "agencies": edge.agencies,
                    "weight": edge.weight,
                    "flags": [FLAG_NAMES[f] for f in sorted(edge.flags)],
                    "first_seen": edge.first_seen,
                    "last_seen": edge.last_seen,
                    "references": sorted(self.references.get(c, "") for c in edge.concerns),
                    "ends": (a.id, b.id),
                }
            )
        rows.sort(key=lambda r: (-r["weight"], r["source"].casefold(), r["target"].casefold()))
        return rows

    def to_json(self) -> dict[str, Any]:
        """What the browser draws: positions from the server, sizes by links, and what the
        node panel and the search show."""
        degree = self.graph.graph.degree()
        children_of = _children_linked(self.graph)
        nodes = []
        for vertex, node in enumerate(self.graph.nodes):
            x, y = self.positions.get(node.id, (0.0, 0.0))
            nodes.append(
                {
                    "id": node.id,
                    "kind": node.kind,
                    "label": node.label,
                    "x": round(x, 5),
                    "y": round(y, 5),
                    "links": degree[vertex],
                    "children": children_of[vertex],
                    "network": self.network_of.get(node.id, ""),
                    "concerns": len(node.concerns),
                    "agencies": sorted(self.agency_name(a) for a in node.agencies),
                    "reporters": len(node.reporters),
                    "flags": sorted(node.flags),
                    "first_seen": node.first_seen.isoformat(),
                    "last_seen": node.last_seen.isoformat(),
                }
            )
        edges = [
            {
                "source": e.source,
                "target": e.target,
                "reports": e.reports,
                "reporters": e.reporters,
                "agencies": e.agencies,
                "weight": round(e.weight, 4),
                "flags": sorted(e.flags),
            }
            for e in self.graph.edges
        ]
        return {"summary": self.summary(), "nodes": nodes, "edges": edges}


def _children_linked(graph: PoleGraph) -> list[int]:
    """For each vertex, how many children it is linked to directly."""
    g = graph.graph
    is_child = [graph.kind(v) == "child" for v in range(g.vcount())]
    return [sum(1 for u in g.neighbors(v) if is_child[u]) for v in range(g.vcount())]


def network_picture(
    filters: NetworkFilters, *, as_of: date, seed: int = 0, with_layout: bool = True
) -> NetworkPicture:
    """The network of the concerns ``filters`` lets through, as of ``as_of``."""
    agencies_wanted = frozenset({filters.agency}) if filters.agency else frozenset()
    mentions = [
        m
        for m in concern_mentions(MentionFilter(filters.since, filters.until, agencies_wanted))
        if m.kind in filters.kinds
    ]
    until = min(filters.until, as_of) if filters.until else as_of
    graph = build_graph(mentions, as_of=max(until, filters.since or until))
    detection = detect(graph, seed=seed, betweenness_samples=64)
    network_of = {
        node: f"N{number}"
        for number, network in enumerate(detection.networks, start=1)
        for node in network.nodes
    }
    positions = layout(graph, seed=seed) if with_layout and graph.node_ids else {}
    agencies = {str(pk): name for pk, name in Agency.objects.values_list("pk", "name")}
    references = (
        {
            str(pk): ref
            for pk, ref in Concern.objects.filter(pk__in=list(graph.evidence)).values_list(
                "pk", "reference"
            )
        }
        if graph.evidence
        else {}
    )
    counts = Counter(graph.kind(v) for v in range(len(graph.node_ids)))
    return NetworkPicture(
        filters, graph, detection, network_of, positions, agencies, references, counts
    )


def record_shown(picture: NetworkPicture, *, concerns: bool = True) -> None:
    """Add what the answer shows to the request's read scope: every child on it and, where
    the answer lists the concerns behind each entity and link, every concern."""
    scope = current_scope()
    if scope is None:
        return
    scope.add(
        f"child:{picture.graph.nodes[v].key}"
        for v in range(len(picture.graph.node_ids))
        if picture.graph.kind(v) == "child"
    )
    if concerns:
        scope.add(f"concern:{c}" for c in picture.graph.evidence)


def record_rows(
    picture: NetworkPicture, nodes: list[dict[str, Any]], links: list[dict[str, Any]]
) -> None:
    """Add to the request's read scope what one page of the tables shows: each child among
    the entities and at either end of a link, and each concern behind them."""
    scope = current_scope()
    if scope is None:
        return
    graph = picture.graph
    shown = {row["id"] for row in nodes} | {end for row in links for end in row["ends"]}
    entities = [graph.nodes[graph.index[node_id]] for node_id in sorted(shown)]
    scope.add(f"child:{node.key}" for node in entities if node.kind == "child")
    scope.add(f"concern:{c}" for row in nodes for c in graph.nodes[graph.index[row["id"]]].concerns)
    edges = {(e.source, e.target): e for e in graph.edges}
    scope.add(f"concern:{c}" for row in links for c in edges[row["ends"]].concerns)


def network_csv(picture: NetworkPicture) -> str:
    """Every link as a CSV row, strongest first, with the concerns behind it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "from",
            "from_kind",
            "to",
            "to_kind",
            "network",
            "reports",
            "independent_reporters",
            "agencies",
            "weight",
            "marked",
            "first_seen",
            "last_seen",
            "concerns",
        ]
    )
    for row in picture.link_rows():
        writer.writerow(
            [
                _safe(row["source"]),
                row["source_kind"],
                _safe(row["target"]),
                row["target_kind"],
                row["network"],
                row["reports"],
                row["reporters"],
                row["agencies"],
                f"{row['weight']:.3f}",
                "; ".join(row["flags"]),
                row["first_seen"].isoformat(),
                row["last_seen"].isoformat(),
                " ".join(row["references"]),
            ]
        )
    return out.getvalue()


def _safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
