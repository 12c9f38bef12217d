"""Networks: a pattern the network graph's rules found is an event, so that the same pattern
never alerts twice and its growth always does, provably (DESIGN.md, "Intelligence")."""

from __future__ import annotations

from dataclasses import dataclass

from tocsin.domain.events import Event

__all__ = ["PatternDetected"]


@dataclass(frozen=True)
class PatternDetected(Event):
    kind = "pattern.detected"
    meaning = (
        "A pattern rule of the clocks policy found an adult, vehicle, phone or place linked to "
        "children through independent reporters (or a child linked to a known network), new or "
        "grown since its last alert; the concern it raised goes through the front door."
    )
    #: stable across runs: the rule and the subject's node id.
    pattern_key: str
    rule_id: str
    #: the graph node the pattern is about (``adult:name:…``, ``vehicle:AB12CDE``, ``child:…``).
    subject: str
    subject_label: str
    #: child ids the pattern links to the subject.
    children: list[str]
    #: how many independent reporters and agencies stand behind it.
    reporters: int
    agencies: int
    #: ``len(children)``; an alert is raised again only when this grows.
    size: int
    #: the size at the pattern's previous alert (0 for a new pattern).
    previous_size: int
    #: the concern the alert raised (channel ``pattern``), which carries the clocks.
    concern_id: str
    #: the clocks policy version the rule came from.
    policy_version: int

    def subjects(self) -> tuple[str, ...]:
        return (f"pattern:{self.pattern_key}", f"concern:{self.concern_id}")
