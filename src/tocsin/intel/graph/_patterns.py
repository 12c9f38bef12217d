"""Pattern rules: what in the graph should raise an alert.

Two kinds of rule:

- ``linked_children``: an entity of a subject kind (adult, vehicle, phone, place) linked to at
  least ``min_children`` children through at least ``min_reporters`` independent reporters, by
  concerns within the last ``window_days`` days;
- ``known_network``: children linked to a known network, one that a detected network shares
  with a subject of an earlier alert.

A pattern's key is stable (the rule and the subject), so the server alerts once for a key and
again only when its ``size`` (children linked) grows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from tocsin.intel.graph._detect import Detection
from tocsin.intel.graph._model import ENTITY_KINDS, FLAGS, PoleGraph

__all__ = [
    "DEFAULT_RULES",
    "RULE_KINDS",
    "Pattern",
    "PatternRule",
    "PatternRuleError",
    "alerts_due",
    "evaluate_patterns",
    "pattern_key",
    "rules_from_policy",
]

#: The kinds of pattern rule.
RULE_KINDS: tuple[str, ...] = ("linked_children", "known_network")
_SUBJECT_KINDS = frozenset(ENTITY_KINDS) - {"child"}


class PatternRuleError(ValueError):
    """A pattern rule in the policy file is malformed; the message names the rule and field."""


@dataclass(frozen=True)
class PatternRule:
    """One rule, as written in the policy file's ``[[networks.patterns]]`` tables."""

    id: str
    subject_kinds: frozenset[str] = field(default=_SUBJECT_KINDS)
    min_children: int = 3
    min_reporters: int = 2
    window_days: int = 365
    kind: str = "linked_children"
    flags_any: frozenset[str] = frozenset()
    description: str = ""

    def __post_init__(self) -> None:
        where = f"Pattern rule {self.id!r}"
        if not self.id:
            raise PatternRuleError("A pattern rule needs an id.")
        if self.kind not in RULE_KINDS:
            raise PatternRuleError(f"{where}: kind must be one of {', '.join(RULE_KINDS)}.")
        bad = self.subject_kinds - _SUBJECT_KINDS
        if bad or not self.subject_kinds:
            raise PatternRuleError(
                f"{where}: subjects must be some of {', '.join(sorted(_SUBJECT_KINDS))}."
            )
        if self.min_children < 1 or self.min_reporters < 1 or self.window_days < 1:
            raise PatternRuleError(
                f"{where}: min_children, min_reporters and window_days must be at least 1."
            )
        if self.flags_any - FLAGS:
            raise PatternRuleError(f"{where}: flags must be some of {', '.join(sorted(FLAGS))}.")

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any]) -> PatternRule:
        """A rule from one policy table (keys: id, kind, subjects, min_children,
        min_reporters, window_days, flags, description)."""
        known = {
            "id",
            "kind",
            "subjects",
            "min_children",
            "min_reporters",
            "window_days",
            "flags",
            "description",
        }
        rule_id = str(table.get("id", ""))
        unknown = set(table) - known
        if unknown:
            raise PatternRuleError(
                f"Pattern rule {rule_id!r}: unknown keys {', '.join(sorted(unknown))}; "
                f"use {', '.join(sorted(known))}."
            )
        kind = str(table.get("kind", "linked_children"))
        try:
            return cls(
                id=rule_id,
                kind=kind,
                subject_kinds=frozenset(table.get("subjects", sorted(_SUBJECT_KINDS))),
                min_children=int(table.get("min_children", 1 if kind == "known_network" else 3)),
                min_reporters=int(table.get("min_reporters", 1 if kind == "known_network" else 2)),
                window_days=int(table.get("window_days", 365)),
                flags_any=frozenset(table.get("flags", ())),
                description=str(table.get("description", "")),
            )
        except (TypeError, ValueError) as exc:
            if isinstance(exc, PatternRuleError):
                raise
            raise PatternRuleError(f"Pattern rule {rule_id!r}: {exc}") from exc


#: The rules used when the policy file names none: the issue's example rules.
DEFAULT_RULES: tuple[PatternRule, ...] = (
    PatternRule(
        id="entity-linked-to-children",
        description="An adult, vehicle, phone or place linked to three or more children "
        "through two or more independent reporters within twelve months.",
    ),
    PatternRule(
        id="child-linked-to-known-network",
        kind="known_network",
        min_children=1,
        min_reporters=1,
        description="A child linked to a network that holds the subject of an earlier alert.",
    ),
)


def rules_from_policy(tables: Iterable[Mapping[str, Any]]) -> list[PatternRule]:
    """The rules from the policy file's ``[[networks.patterns]]`` tables; ids must be unique."""
    rules = [PatternRule.from_mapping(t) for t in tables]
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise PatternRuleError(f"Pattern rule id {rule.id!r} is used twice.")
        seen.add(rule.id)
    return rules


def pattern_key(rule_id: str, subject: str) -> str:
    """The stable key of a pattern: the same rule and subject always give the same key."""
    return hashlib.sha256(f"{rule_id}\x1f{subject}".encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Pattern:
    """A rule met by a subject: the children linked and the evidence behind them."""

    key: str
    rule_id: str
    subject: str
    children: frozenset[str]
    reporters: frozenset[str]
    agencies: frozenset[str]
    concerns: frozenset[str]
    first_seen: date
    last_seen: date

    @property
    def size(self) -> int:
        """Children linked; the server alerts again when this grows."""
        return len(self.children)


def evaluate_patterns(
    graph: PoleGraph,
    rules: Iterable[PatternRule],
    *,
    as_of: date,
    detection: Detection | None = None,
    known: Mapping[str, Iterable[str]] | None = None,
) -> list[Pattern]:
    """Every pattern the rules find in the graph as of a date, sorted by rule then subject.

    ``known_network`` rules need ``detection`` and ``known``: the subjects of earlier alerts,
    each with the children those alerts already named; they yield the children a known network
    holds beyond those."""
    found: list[Pattern] = []
    for rule in rules:
        if rule.kind == "linked_children":
            found.extend(_linked_children(graph, rule, as_of))
        elif detection is not None and known:
            found.extend(_known_network(graph, rule, as_of, detection, known))
    found.sort(key=lambda p: (p.rule_id, p.subject))
    return found


def _in_window(rule: PatternRule, occurred: date, as_of: date) -> bool:
    return as_of - timedelta(days=rule.window_days) < occurred <= as_of


def _linked_children(graph: PoleGraph, rule: PatternRule, as_of: date) -> list[Pattern]:
    found: list[Pattern] = []
    g = graph.graph
    for vertex, nid in enumerate(graph.node_ids):
        if graph.kind(vertex) not in rule.subject_kinds:
            continue
        children: set[str] = set()
        reporters: set[str] = set()
        agencies: set[str] = set()
        concerns: set[str] = set()
        for edge_index in g.incident(vertex):
            source, target = graph.endpoints[edge_index]
            other = target if source == vertex else source
            if graph.kind(other) != "child":
                continue
            for concern in graph.edge_concerns(edge_index):
                item = graph.evidence[concern]
                if not _in_window(rule, item.occurred_on, as_of):
                    continue
                if rule.flags_any and not rule.flags_any & item.flags:
                    continue
                children.add(graph.node_ids[other])
                reporters.add(item.reporter)
                agencies.add(item.agency)
                concerns.add(concern)
        if len(children) >= rule.min_children and len(reporters) >= rule.min_reporters:
            found.append(_pattern(graph, rule, nid, children, reporters, agencies, concerns))
    return found


def _known_network(
    graph: PoleGraph,
    rule: PatternRule,
    as_of: date,
    detection: Detection,
    known: Mapping[str, Iterable[str]],
) -> list[Pattern]:
    found: list[Pattern] = []
    alerted = {subject: frozenset(children) for subject, children in known.items()}
    for network in detection.networks:
        anchors = sorted(n for n in network.nodes if n in alerted)
        if not anchors:
            continue
        already = frozenset().union(*(alerted[a] for a in anchors))
        children: set[str] = set()
        reporters: set[str] = set()
        agencies: set[str] = set()
        concerns: set[str] = set()
        for child in network.children - already:
            recent = [
                graph.evidence[c]
                for c in graph.node_concerns(child)
                if _in_window(rule, graph.evidence[c].occurred_on, as_of)
            ]
            if not recent:
                continue
            children.add(child)
            reporters.update(e.reporter for e in recent)
            agencies.update(e.agency for e in recent)
            concerns.update(e.concern_id for e in recent)
        if len(children) >= rule.min_children and len(reporters) >= rule.min_reporters:
            found.append(_pattern(graph, rule, anchors[0], children, reporters, agencies, concerns))
    return found


def _pattern(
    graph: PoleGraph,
    rule: PatternRule,
    subject: str,
    children: set[str],
    reporters: set[str],
    agencies: set[str],
    concerns: set[str],
) -> Pattern:
    dates = [graph.evidence[c].occurred_on for c in concerns]
    return Pattern(
        key=pattern_key(rule.id, subject),
        rule_id=rule.id,
        subject=subject,
        children=frozenset(children),
        reporters=frozenset(reporters),
        agencies=frozenset(agencies),
        concerns=frozenset(concerns),
        first_seen=min(dates),
        last_seen=max(dates),
    )


def alerts_due(patterns: Iterable[Pattern], alerted: Mapping[str, int]) -> list[Pattern]:
    """The patterns to alert on, given the size at each key's last alert: a new key, or a key
    whose pattern has grown. The same pattern does not alert twice; its growth does."""
    return [p for p in patterns if p.key not in alerted or p.size > alerted[p.key]]
