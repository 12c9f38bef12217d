"""Capacity alarms in the core: the policy's [capacity] table (and its refusals, naming the
line), and the pure rule that says which alarms to raise and which to clear, with hysteresis."""

from __future__ import annotations

import itertools
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tocsin.domain.clocks import (
    CapacityAlarmRaised,
    CapacitySpec,
    ClockPolicyError,
    Measurement,
    OpenAlarm,
    default_policy,
    judge_capacity,
    parse_policy,
)

DEFAULT_TEXT = resources.files("tocsin.domain.clocks").joinpath("policy.toml").read_text("utf-8")
SPEC = CapacitySpec(
    worker_caseload=10, team_caseload=50, queue_age_days=3, clear_margin_percent=20, source="t"
)


def worker(value: int, ident: str = "w1") -> Measurement:
    return Measurement("worker", ident, "a1", "caseload", value)


def alarm(ident: str = "w1", measure: str = "caseload", scope: str = "worker") -> OpenAlarm:
    return OpenAlarm(f"alarm-{ident}-{measure}", scope, ident, measure)


# --- the policy ---------------------------------------------------------------------------


def test_the_default_policy_sets_capacities_per_worker_and_per_team() -> None:
    spec = default_policy().capacity
    assert spec is not None
    assert spec.threshold("worker", "caseload") == spec.worker_caseload
    assert spec.threshold("team", "caseload") == spec.team_caseload
    assert spec.threshold("front_door", "queue_age_days") == spec.queue_age_days
    assert spec.clears_at(spec.worker_caseload) < spec.worker_caseload
    assert "DESIGN.md" in spec.source


def test_a_policy_without_capacity_raises_no_alarms() -> None:
    start = DEFAULT_TEXT.index("\n[capacity]\n")
    policy = parse_policy(DEFAULT_TEXT[:start] + "\n")
    assert policy.capacity is None


def _line(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("worker_caseload = 18", "worker_caseload = 0", "worker_caseload must be 1 or more, not 0"),
        ("team_caseload = 120", 'team_caseload = "lots"', "team_caseload must be a whole number"),
        ("queue_age_days = 3", "queue_age_days = 3.5", "queue_age_days must be a whole number"),
        ("clear_margin_percent = 10", "clear_margin_percent = 150", "must be 0 to 100, not 150"),
        ("clear_margin_percent = 10", "clear_margin = 10", "unknown key 'clear_margin'"),
    ],
)
def test_a_bad_capacity_table_is_refused_naming_the_line(old: str, new: str, problem: str) -> None:
    text = DEFAULT_TEXT.replace(old, new)
    with pytest.raises(ClockPolicyError) as caught:
        parse_policy(text, origin="test.toml")
    assert problem in caught.value.problem, str(caught.value)
    assert caught.value.line == _line(text, new), str(caught.value)
    assert str(caught.value).startswith(f"clocks policy test.toml, line {caught.value.line}: ")


def test_a_missing_threshold_or_source_is_refused_at_the_table() -> None:
    text = DEFAULT_TEXT.replace("queue_age_days = 3\n", "")
    with pytest.raises(ClockPolicyError, match=r"\[capacity\] needs queue_age_days") as caught:
        parse_policy(text)
    assert caught.value.line == _line(text, "[capacity]")
    start = text.index('source = "DESIGN.md, failures designed against')
    text = DEFAULT_TEXT[:start] + DEFAULT_TEXT[DEFAULT_TEXT.index("\n", start) + 1 :]
    with pytest.raises(ClockPolicyError, match="'source' must be given"):
        parse_policy(text)


# --- the rule -----------------------------------------------------------------------------


def test_a_caseload_over_capacity_raises_once() -> None:
    assert judge_capacity(SPEC, [worker(10)], []).raised == (), "at capacity is not over it"
    changes = judge_capacity(SPEC, [worker(11)], [])
    [raised] = changes.raised
    assert raised.measurement == worker(11) and raised.threshold == 10
    assert changes.cleared == ()
    again = judge_capacity(SPEC, [worker(14)], [alarm()])
    assert again.raised == () and again.cleared == (), "an open alarm is not raised again"


def test_hysteresis_an_alarm_clears_only_when_the_figure_has_fallen_enough() -> None:
    assert SPEC.clears_at(10) == 8
    for value in (11, 10, 9):
        assert judge_capacity(SPEC, [worker(value)], [alarm()]).cleared == (), value
    [cleared] = judge_capacity(SPEC, [worker(8)], [alarm()]).cleared
    assert cleared.alarm == alarm() and cleared.value == 8


def test_a_named_workers_own_capacity_replaces_the_policys_for_them_only() -> None:
    own = {("worker", "w1", "caseload"): 4}
    changes = judge_capacity(SPEC, [worker(5), worker(5, "w2")], [], own)
    [raised] = changes.raised
    assert raised.measurement == worker(5) and raised.threshold == 4, "w2 keeps the policy's 10"
    assert SPEC.threshold_for("worker", "w2", "caseload", own) == 10
    # Hysteresis around its own capacity: 4 clears at 3.
    assert judge_capacity(SPEC, [worker(4)], [alarm()], own).cleared == ()
    assert len(judge_capacity(SPEC, [worker(3)], [alarm()], own).cleared) == 1
    # A higher capacity (set by the partnership) raises nothing under it.
    assert judge_capacity(SPEC, [worker(12)], [], {("worker", "w1", "caseload"): 15}).raised == ()


def test_a_scope_with_no_figure_clears_at_zero() -> None:
    [cleared] = judge_capacity(SPEC, [], [alarm()]).cleared
    assert cleared.value == 0


def test_the_margin_is_at_least_one() -> None:
    assert CapacitySpec(5, 5, 3, 0, "t").clears_at(3) == 2
    assert CapacitySpec(5, 5, 1, 10, "t").clears_at(1) == 0


def test_teams_and_the_front_door_queue() -> None:
    figures = [
        Measurement("team", "t1", "a1", "caseload", 51),
        Measurement("team", "t1", "a1", "queue_age_days", 3),
        Measurement("front_door", "front-door", None, "queue_age_days", 4),
        Measurement("front_door", "front-door", None, "caseload", 999),  # not measured
    ]
    raised = judge_capacity(SPEC, figures, []).raised
    assert [(r.measurement.scope, r.measurement.measure, r.threshold) for r in raised] == [
        ("front_door", "queue_age_days", 3),
        ("team", "caseload", 50),
    ]


def test_the_front_door_alarm_names_no_team() -> None:
    event = CapacityAlarmRaised(
        alarm_id="x", scope="front_door", scope_id="front-door", agency_id=None,
        measure="queue_age_days", value=4, threshold=3, as_of="2026-01-01T00:00:00Z",
    )  # fmt: skip
    assert event.subjects() == ("alarm:x",)


@given(st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=60))
def test_over_any_run_of_figures_alarms_alternate_and_follow_the_thresholds(
    values: list[int],
) -> None:
    """Feeding a worker's caseload day by day: raised and cleared alternate (never two
    raises without a clear), a raise happens only over the threshold, a clear only at or below
    the clearing point, and while the figure is over the threshold an alarm is open."""
    open_alarms: list[OpenAlarm] = []
    history: list[str] = []
    for value in values:
        changes = judge_capacity(SPEC, [worker(value)], open_alarms)
        for _ in changes.raised:
            assert value > 10
            history.append("raised")
            open_alarms = [alarm()]
        for _ in changes.cleared:
            assert value <= 8
            history.append("cleared")
            open_alarms = []
        if value > 10:
            assert open_alarms
    assert all(a != b for a, b in itertools.pairwise(history))
