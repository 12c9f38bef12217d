"""Behaviour that goes wrong: each failure at its configured rate, and the records show exactly
the gap the failure describes."""

from __future__ import annotations

from collections import defaultdict

from tocsin.simulate import FAILURE_KINDS, World

from .stats import assert_rate


def _by_concern(world: World) -> dict[str, list[dict[str, object]]]:
    decisions: dict[str, list[dict[str, object]]] = defaultdict(list)
    for decision in world["records/decisions"].dicts():
        decisions[str(decision["concern_id"])].append(decision)
    return decisions


def test_failures_occur_at_their_configured_rates(dense_world: World) -> None:
    fail = dense_world.config.failures
    failures = list(dense_world["truth/failures"].dicts())
    assert {f["kind"] for f in failures} == set(FAILURE_KINDS)
    concerns = list(dense_world["records/concerns"].dicts())
    decisions = _by_concern(dense_world)
    not_made = sum(1 for f in failures if f["kind"] == "decision_not_made")
    assert_rate(not_made, len(concerns), fail.no_decision_rate, "decisions not made")
    decided_serious = [
        c
        for c in concerns
        if c["risk_grade"] in ("medium", "high") and decisions[str(c["concern_id"])]
    ]
    downgraded = sum(1 for f in failures if f["kind"] == "downgraded_without_second_person")
    assert_rate(downgraded, len(decided_serious), fail.downgrade_rate, "downgrades")
    actionable = [
        d
        for ds in decisions.values()
        for d in ds
        if d["kind"] == "screening_decision"
        and d["outcome"] in ("strategy_discussion", "assessment")
    ]
    not_acted = sum(1 for f in failures if f["kind"] == "not_acted_on")
    assert_rate(not_acted, len(actionable), fail.not_acted_on_rate, "not acted on")


def test_each_failure_leaves_the_gap_it_describes(dense_world: World) -> None:
    decisions = _by_concern(dense_world)
    staff_roles = {s["staff_id"]: s["role"] for s in dense_world["records/staff"].dicts()}
    for failure in dense_world["truth/failures"].dicts():
        assert str(failure["due_at"]) >= str(failure["occurred_at"])
        kinds = [d["kind"] for d in decisions[str(failure["concern_id"])]]
        if failure["kind"] == "decision_not_made":
            assert kinds == []
        elif failure["kind"] == "downgraded_without_second_person":
            regrade = next(
                d for d in decisions[str(failure["concern_id"])] if d["kind"] == "risk_regraded"
            )
            assert regrade["risk_to"] == "low"
            assert regrade["second_person"] is None
            assert staff_roles[str(regrade["made_by"])] == "team_manager"
        elif failure["kind"] == "not_acted_on":
            assert "screening_decision" in kinds
            assert "strategy_discussion_held" not in kinds
            assert "assessment_completed" not in kinds
        elif failure["kind"] == "crime_not_recorded":
            assert "crime_recorded" not in kinds


def test_legitimate_regradings_name_a_second_person(dense_world: World) -> None:
    failed = {f["concern_id"] for f in dense_world["truth/failures"].dicts()}
    regrades = [d for d in dense_world["records/decisions"].dicts() if d["kind"] == "risk_regraded"]
    legitimate = [d for d in regrades if d["concern_id"] not in failed]
    assert legitimate
    assert all(d["second_person"] for d in legitimate)
