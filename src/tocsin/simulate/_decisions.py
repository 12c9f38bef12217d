"""What happens after a concern is raised: screening decisions, re-gradings, strategy
discussions, assessments and crime recording; and, at configured rates, what goes wrong:
managers who downgrade without a second person, decisions never made, reports not acted on and
crimes not recorded. The failures are written to ``truth/failures`` with their times, so the
clocks can be checked against them."""

from __future__ import annotations

import random

from tocsin.simulate._concerns import Concern
from tocsin.simulate._config import SimulationConfig
from tocsin.simulate._partnership import Partnership
from tocsin.simulate._population import Population
from tocsin.simulate._world import Cell, Table, format_time

__all__ = ["FAILURE_KINDS", "add_working_days", "make_decisions"]

#: Every kind of injected failure, as named in ``truth/failures``.
FAILURE_KINDS: tuple[str, ...] = (
    "downgraded_without_second_person",
    "decision_not_made",
    "not_acted_on",
    "crime_not_recorded",
)

_DAY = 1440
_HOUR = 60


def add_working_days(minute: int, days: int) -> int:
    """``minute`` moved on by ``days`` working days (Monday to Friday; bank holidays are not
    modelled here)."""
    day, rest = divmod(minute, _DAY)
    added = 0
    while added < days:
        day += 1
        if (day + 3) % 7 < 5:  # 1970-01-01 was a Thursday
            added += 1
    return day * _DAY + rest


def make_decisions(
    config: SimulationConfig,
    population: Population,
    partnership: Partnership,
    concerns: list[Concern],
    pyrng: random.Random,
) -> dict[str, Table]:
    """The decisions recorded on every concern and the failures injected among them."""
    fail = config.failures
    decisions: list[tuple[Cell, ...]] = []
    failures: list[tuple[Cell, ...]] = []
    staff_ids = partnership.staff_ids
    police = partnership.by_sector("police")[0]

    def decide(
        concern: Concern,
        kind: str,
        minute: int,
        staff: int,
        outcome: str,
        risk_from: str | None = None,
        risk_to: str | None = None,
        reason: str | None = None,
        second: int | None = None,
    ) -> None:
        decisions.append(
            (
                f"D{len(decisions) + 1:07d}",
                concern.concern_id,
                kind,
                format_time(minute),
                staff_ids[staff],
                outcome,
                risk_from,
                risk_to,
                reason,
                staff_ids[second] if second is not None else None,
            )
        )

    def failed(
        concern: Concern, kind: str, occurred: int, due: int, staff: int | None, detail: str
    ) -> None:
        failures.append(
            (
                f"F{len(failures) + 1:06d}",
                kind,
                concern.concern_id,
                format_time(occurred),
                format_time(due),
                staff_ids[staff] if staff is not None else None,
                detail,
            )
        )

    for concern in concerns:
        council = partnership.by_sector("council", int(population.council[concern.child]))[0]
        mash = council.staff_by_role["mash_officer"]
        managers = council.staff_by_role["team_manager"]
        due = add_working_days(concern.minute, 1)
        risk = concern.risk
        if pyrng.random() < fail.no_decision_rate:
            failed(
                concern,
                "decision_not_made",
                concern.minute,
                due,
                pyrng.choice(mash),
                "No screening decision was recorded on the concern.",
            )
            continue
        decided = concern.minute + _HOUR + int(pyrng.random() * (due - concern.minute - _HOUR))
        if risk in ("medium", "high") and pyrng.random() < fail.downgrade_rate:
            manager = pyrng.choice(managers)
            regraded = concern.minute + int(pyrng.random() * (decided - concern.minute))
            decide(
                concern,
                "risk_regraded",
                regraded,
                manager,
                "regraded",
                risk,
                "low",
                "No further concerns at this time.",
            )
            failed(
                concern,
                "downgraded_without_second_person",
                regraded,
                regraded,
                manager,
                f"Risk lowered from {risk} to low by a team manager with no second person "
                "reviewing it.",
            )
            risk = "low"
        elif risk == "high" and pyrng.random() < 0.1:
            # Legitimate re-grading, agreed by a second person.
            first, second = (
                pyrng.sample(managers, k=2) if len(managers) > 1 else (managers[0], managers[0])
            )
            decide(
                concern,
                "risk_regraded",
                concern.minute + _HOUR,
                first,
                "regraded",
                "high",
                "medium",
                "Protective factors identified at the visit.",
                second,
            )
            risk = "medium"
        outcome = {"high": "strategy_discussion", "medium": "assessment"}.get(
            risk, "early_help" if pyrng.random() < 0.6 else "no_further_action"
        )
        decide(concern, "screening_decision", decided, pyrng.choice(mash), outcome)
        if outcome in ("strategy_discussion", "assessment"):
            days = 1 if outcome == "strategy_discussion" else 45
            action_due = add_working_days(decided, days)
            if pyrng.random() < fail.not_acted_on_rate:
                failed(
                    concern,
                    "not_acted_on",
                    decided,
                    action_due,
                    pyrng.choice(managers),
                    "The decision to hold a strategy discussion was never acted on."
                    if outcome == "strategy_discussion"
                    else "The decision to assess was never acted on.",
                )
            else:
                done = decided + int(pyrng.random() * (action_due - decided))
                kind = (
                    "strategy_discussion_held"
                    if outcome == "strategy_discussion"
                    else "assessment_completed"
                )
                decide(concern, kind, done, pyrng.choice(managers), "completed")
        if concern.agency.index == police.index and concern.category == "cse":
            # A disclosure of a sexual offence against a child: record the crime within 24 hours
            # (National Crime Recording Standard, DOMAIN.md section 2).
            crime_due = concern.minute + 24 * _HOUR
            officers = police.staff_by_role["police_officer"]
            if pyrng.random() < fail.crime_not_recorded_rate:
                failed(
                    concern,
                    "crime_not_recorded",
                    concern.minute,
                    crime_due,
                    pyrng.choice(officers),
                    "No crime was recorded for the disclosure.",
                )
            else:
                at = concern.minute + int(pyrng.random() * 20 * _HOUR)
                decide(concern, "crime_recorded", at, pyrng.choice(officers), "recorded")
    return {
        "records/decisions": Table(
            (
                "decision_id",
                "concern_id",
                "kind",
                "made_at",
                "made_by",
                "outcome",
                "risk_from",
                "risk_to",
                "reason",
                "second_person",
            ),
            decisions,
            description="What was decided and done on each concern, as recorded.",
        ),
        "truth/failures": Table(
            ("failure_id", "kind", "concern_id", "occurred_at", "due_at", "staff_id", "detail"),
            failures,
            description="The failures injected, with when they happened and what was due when.",
        ),
    }
