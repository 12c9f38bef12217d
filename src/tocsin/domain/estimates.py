"""Estimates of the hidden number: each one produced is an event, so a figure once shown can be
proved later and cannot be quietly lowered (DESIGN.md, "Estimation and statistics")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tocsin.domain.events import Event

__all__ = ["EXPLOITATION_CIN_FACTORS", "EstimateProduced"]

#: Children in Need factors that put a child on an agency's list: child sexual exploitation
#: and child criminal exploitation (DOMAIN.md section 3).
EXPLOITATION_CIN_FACTORS: tuple[str, ...] = ("11A", "24A")


@dataclass(frozen=True)
class EstimateProduced(Event):
    kind = "estimate.produced"
    meaning = (
        "An estimate of how many children were exploited, seen and unseen, was produced from "
        "the agencies' lists: the rule, period, lists, capture-history counts (no child ids), "
        "settings and the whole result."
    )
    estimate_id: str
    period_from: str
    period_to: str
    #: the lists were built from the first ``ledger_size`` events: anyone can rebuild them.
    ledger_size: int
    #: which children are on which list (factors, dates, grouping, resolver, what is left out).
    rule: dict[str, Any]
    #: each list: its name, the agencies behind it and how many children it holds.
    lists: list[dict[str, Any]]
    #: {"lists": [names], "histories": [{"history": [0/1 per list], "count": n}]}.
    capture_table: dict[str, Any]
    #: what the rule leaves out and how much (public reports have no agency).
    left_out: dict[str, int]
    method: str
    #: the options asked for (bootstrap resamples, seed, merging of small lists).
    settings: dict[str, Any]
    #: the engine's whole answer, as ``tocsin estimate --json`` prints it.
    result: dict[str, Any]

    def subjects(self) -> tuple[str, ...]:
        return (f"estimate:{self.estimate_id}",)
