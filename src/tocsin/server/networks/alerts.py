"""Pattern alerts: the clocks policy's ``[[patterns]]`` rules run over the network graph, and
each pattern that is new, or has grown since its last alert, raised as a concern.

A pattern alert is a concern like any other (DESIGN.md, "Intelligence"): it is recorded by
``do_record_concerns``, the action every route in uses, as the system actor ``patterns`` for
the safeguarding partnership's own agency, through the ``pattern`` channel. So it reaches the
front door tray, waits for a decision with its four-eyes rule, and runs on the clocks and the
escalation ladder like every concern: a detected pattern cannot be ignored either. The same
transaction appends ``pattern.detected``, whose projection (:class:`AlertedPattern`) keeps each
pattern's size at its last alert: the same pattern never alerts twice, and its growth does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from tocsin.domain.clocks import ClockPolicy, PatternAlertRule
from tocsin.domain.concerns import ConcernDraft, PersonDraft, PlaceDraft, VehicleDraft
from tocsin.domain.networks import PatternDetected
from tocsin.intel.graph import (
    Pattern,
    PatternRule,
    PoleGraph,
    alerts_due,
    build_graph,
    detect,
    evaluate_patterns,
)
from tocsin.intel.linkage import normalise_postcode
from tocsin.server.actors import ActionRefused, SystemActor, actor_id
from tocsin.server.clocks.sweep import clocks_policy
from tocsin.server.concerns.actions import do_record_concerns
from tocsin.server.concerns.models import Child
from tocsin.server.directory.models import Agency
from tocsin.server.ledger.recording import record_event
from tocsin.server.networks.mentions import PATTERN_CHANNEL, concern_mentions
from tocsin.server.networks.models import AlertedPattern

__all__ = [
    "NO_PARTNERSHIP",
    "PATTERNS",
    "AlertRun",
    "RaisedAlert",
    "do_raise_pattern_alerts",
    "graph_rules",
]

#: Who raises pattern alerts: the rules themselves, not any person.
PATTERNS = SystemActor("patterns")
NO_PARTNERSHIP = (
    "pattern alerts are raised as concerns of the safeguarding partnership: register the "
    "partnership as an agency of the sector 'partnership' first (tocsin agencies add)"
)
#: The most children and concerns a pattern concern's narrative lists by name.
LISTED = 25

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class RaisedAlert:
    pattern: Pattern
    previous_size: int
    concern_id: str
    reference: str


@dataclass
class AlertRun:
    """What one evaluation did: the patterns found, and the alerts raised for those new or
    grown (the rest were alerted before at the same size or larger)."""

    as_of: date
    found: int = 0
    raised: list[RaisedAlert] = field(default_factory=list)


def graph_rules(policy: ClockPolicy) -> list[PatternRule]:
    """The policy's ``[[patterns]]`` as the graph engine's rules."""
    return [_rule(spec) for spec in policy.network_patterns]


def _rule(spec: PatternAlertRule) -> PatternRule:
    return PatternRule(
        id=spec.id,
        kind=spec.kind,
        subject_kinds=frozenset(spec.subject_kinds),
        min_children=spec.min_children,
        min_reporters=spec.min_reporters,
        window_days=spec.window_days,
        flags_any=frozenset(spec.flags_any),
        description=spec.description,
    )


def _partnership() -> Agency:
    agency: Agency | None = Agency.objects.filter(sector="partnership").order_by("name").first()
    if agency is None:
        raise ActionRefused(NO_PARTNERSHIP)
    return agency


def _subject_draft(graph: PoleGraph, subject: str) -> dict[str, list[object]]:
    """The pattern's subject as the concern's intelligence (the adult, vehicle, phone or
    place), so that the concern names what the pattern is about."""
    node = graph.nodes[graph.index[subject]]
    if node.kind == "adult":
        name = node.label.removeprefix("known as ")
        person = PersonDraft(names=[name]) if name == node.label else PersonDraft(nicknames=[name])
        return {"persons": [person]}
    if node.kind == "vehicle":
        return {"vehicles": [VehicleDraft(registration=node.key.removeprefix("partial:"))]}
    if node.kind == "phone":
        return {"phones": [node.key]}
    if node.kind == "place":
        name, _, last = node.label.rpartition(", ")
        if normalise_postcode(last) is not None:
            return {"places": [PlaceDraft(name=name, postcode=last)]}
        return {"places": [PlaceDraft(name=node.label)]}
    return {}


_KIND_WORDS = {
    "adult": "the adult",
    "vehicle": "the vehicle",
    "phone": "the phone",
    "place": "the place",
    "child": "",
}


def _narrative(
    graph: PoleGraph,
    pattern: Pattern,
    rule: PatternAlertRule,
    previous: int,
    references: dict[str, str],
) -> str:
    node = graph.nodes[graph.index[pattern.subject]]
    labels = sorted(graph.nodes[graph.index[c]].label for c in pattern.children)
    shown = ", ".join(labels[:LISTED]) + (
        f" and {len(labels) - LISTED} more" if len(labels) > LISTED else ""
    )
    # In the order they were recorded (references are drawn at random).
    rank = {c: n for n, c in enumerate(references)}
    cited = [
        references.get(c, c)
        for c in sorted(pattern.concerns, key=lambda c: (rank.get(c, len(rank)), c))
    ]
    concerns = ", ".join(cited[:LISTED]) + (
        f" and {len(cited) - LISTED} more" if len(cited) > LISTED else ""
    )
    if rule.kind == "known_network":
        opening = (
            f"Pattern alert ({rule.id}): {len(labels)} children are linked to the network of "
            f"{_KIND_WORDS[node.kind]} {node.label}, which an earlier alert named"
        )
    else:
        opening = (
            f"Pattern alert ({rule.id}): {_KIND_WORDS[node.kind]} {node.label} is linked to "
            f"{len(labels)} children"
        )
    grown = (
        f" The pattern has grown from {previous} children at its last alert." if previous else ""
    )
    return (
        f"{opening} through {len(pattern.reporters)} independent reporters in "
        f"{len(pattern.agencies)} agencies, between {pattern.first_seen:%d %B %Y} and "
        f"{pattern.last_seen:%d %B %Y}.{grown}\n\n"
        f"Children: {shown}.\n\nConcerns: {concerns}.\n\n"
        f"Rule: {rule.description}\n\n"
        "Raised by Tocsin's pattern rules for the analysts and the MACE panel: decide the next "
        "step as for any concern. The network view shows the links and the evidence behind them."
    )


def do_raise_pattern_alerts(
    *,
    as_of: date | None = None,
    policy: ClockPolicy | None = None,
    seed: int = 0,
    actor: SystemActor = PATTERNS,
    progress: Progress | None = None,
) -> AlertRun:
    """Evaluate the policy's pattern rules on the graph of every concern up to ``as_of``
    (default: today) and raise one concern, with its ``pattern.detected``, for each pattern
    that is new or has grown; nothing for a pattern alerted before at the same size or more.
    Raises :class:`ActionRefused` (nothing written) when there is no partnership agency to raise
    the concerns for and some pattern is due."""
    report = progress or (lambda phase, done, total: None)
    as_of = as_of or timezone.localdate()
    policy = policy or clocks_policy()
    specs = {spec.id: spec for spec in policy.network_patterns}
    rules = graph_rules(policy)
    run = AlertRun(as_of=as_of)
    if not rules:
        return run
    report("reading the concerns", 0, 1)
    graph = build_graph(concern_mentions(), as_of=as_of)
    report("reading the concerns", 1, 1)
    alerted = dict(AlertedPattern.objects.values_list("key", "size"))
    known: dict[str, set[str]] = {}
    for subject, children in AlertedPattern.objects.filter(
        rule_id__in=[r.id for r in rules if r.kind == "linked_children"]
    ).values_list("subject", "children"):
        known.setdefault(subject, set()).update(f"child:{c}" for c in children)
    detection = None
    if known and any(r.kind == "known_network" for r in rules):
        report("detecting networks", 0, 1)
        detection = detect(graph, seed=seed)
        report("detecting networks", 1, 1)
    found = evaluate_patterns(graph, rules, as_of=as_of, detection=detection, known=known)
    run.found = len(found)
    due = alerts_due(found, alerted)
    if not due:
        return run
    agency = _partnership()
    from tocsin.server.concerns.models import Concern

    wanted = {c for p in due for c in p.concerns}
    references = {
        str(pk): ref
        for pk, ref in Concern.objects.filter(pk__in=wanted)
        .order_by("recorded_seq")
        .values_list("pk", "reference")
    }
    today = max(as_of, timezone.localdate())
    for done, pattern in enumerate(due, start=1):
        with transaction.atomic():
            run.raised.append(
                _raise(
                    graph,
                    pattern,
                    specs[pattern.rule_id],
                    alerted,
                    references,
                    agency,
                    policy,
                    today,
                    actor,
                )
            )
        report("raising alerts", done, len(due))
    return run


def _raise(
    graph: PoleGraph,
    pattern: Pattern,
    rule: PatternAlertRule,
    alerted: dict[str, int],
    references: dict[str, str],
    agency: Agency,
    policy: ClockPolicy,
    today: date,
    actor: SystemActor,
) -> RaisedAlert:
    previous = alerted.get(pattern.key, 0)
    draft = ConcernDraft(
        narrative=_narrative(graph, pattern, rule, previous, references),
        occurred_on=pattern.last_seen,
        channel=PATTERN_CHANNEL,
        **_subject_draft(graph, pattern.subject),  # type: ignore[arg-type]
    )
    (recorded,) = do_record_concerns([draft], actor=actor, agency=agency, today=today)
    node = graph.nodes[graph.index[pattern.subject]]
    record_event(
        PatternDetected(
            pattern_key=pattern.key,
            rule_id=pattern.rule_id,
            subject=pattern.subject,
            subject_label=node.label,
            # In the order the children were first recorded (their ids are random).
            children=[
                str(pk)
                for pk in Child.objects.filter(
                    pk__in=[c.removeprefix("child:") for c in pattern.children]
                )
                .order_by("first_seq", "pk")
                .values_list("pk", flat=True)
            ],
            reporters=len(pattern.reporters),
            agencies=len(pattern.agencies),
            size=pattern.size,
            previous_size=previous,
            concern_id=str(recorded.concern.pk),
            policy_version=policy.version,
        ),
        actor_id=actor_id(actor),
    )
    return RaisedAlert(pattern, previous, str(recorded.concern.pk), recorded.concern.reference)


def alert_summaries(run: AlertRun) -> Sequence[dict[str, object]]:
    """The alerts raised, as ``tocsin networks --alert --json`` prints them."""
    return [
        {
            "pattern": alert.pattern.key,
            "rule": alert.pattern.rule_id,
            "subject": alert.pattern.subject,
            "children": alert.pattern.size,
            "previous_children": alert.previous_size,
            "reporters": len(alert.pattern.reporters),
            "agencies": len(alert.pattern.agencies),
            "concern": alert.reference,
        }
        for alert in run.raised
    ]
