"""End to end: a simulated year in which managers ignore a share of concerns. Every ignored
concern reaches the partnership's scrutineer within the policy's time, and none is lost: the
number that reach level 3 equals the simulator's truth, concern for concern.

How the year is replayed, and why it is honest:

- **The truth comes from the simulator.** ``tocsin.simulate`` builds a year of one small
  council's concerns (seeded), the screening decision recorded on each, and, in
  ``truth/failures``, the concerns on which nobody ever recorded a decision
  (``decision_not_made``: the managers ignored them). The test raises that failure's rate so
  the year has enough of them to count; which concerns are ignored is the simulator's choice.
- **Everything goes through the server's own actions and sweep.** Each concern is recorded with
  ``do_record_concern`` and each decision with ``do_decide``, as a practitioner and a MASH
  officer would record them, and escalations are appended only by ``sweep``.
- **On the simulated clock.** Clocks run on ledger time, which nobody can backdate; the ledger
  takes its time from the server's clock, so the test moves that clock (``timezone.now``) to
  each simulated moment in order, and every append carries that moment: the ledger's times
  only ever go forward, as they would in a real year (``verify_ledger`` checks the result).
  The sweep runs as a periodic worker would: at the end of every working day, London time,
  which is when every threshold of a working-day clock falls.
- **The check is made against the policy, not against the sweep's own answer.** For each
  ignored concern the level-3 threshold is worked out here from the policy's ``decision``
  obligation (its due time and its ladder) on the working-day calendar, and the escalation
  must have been appended at that moment (by the sweep that ran then), not later.

The scale is small (one council's year, a few hundred concerns) to keep the test to about a
minute; the benchmark (benchmarks/bench_clocks.py) measures the sweep at 100,000 obligations.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any
from unittest import mock

import pytest

from tests.factories import make_agency, make_draft, make_team, make_user
from tocsin.server.casework.actions import do_decide
from tocsin.server.clocks.models import Escalation
from tocsin.server.clocks.read_models import open_escalations
from tocsin.server.clocks.sweep import clocks_policy, sweep
from tocsin.server.concerns.actions import do_record_concern
from tocsin.server.verify import verify_ledger
from tocsin.simulate import preset, simulate

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

YEAR = 2025
#: The share of concerns on which nobody records a decision (the default is 3 per cent).
IGNORED_SHARE = 0.12
SIM_DECISIONS = {  # the simulator's screening outcomes, as Tocsin's decision codes
    "strategy_discussion": "strategy_discussion",
    "assessment": "assessment",
    "early_help": "early_help",
    "no_further_action": "no_further_action",
}


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@contextmanager
def _clock_at(moment: datetime) -> Iterator[None]:
    """The server's clock (and so the ledger's) set to ``moment``."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _simulated_year() -> tuple[list[dict[str, Any]], dict[str, tuple[datetime, str]], set[str]]:
    config = preset("small").with_overrides(
        {
            "population": {"residents": 20_000, "years": 1, "start_year": YEAR},
            "reporting": {"referrals_per_1000_per_year": 15.0},
            "failures": {"no_decision_rate": IGNORED_SHARE},
        }
    )
    world = simulate(2013, "small", config)
    table = world["records/concerns"]
    concerns = [dict(zip(table.columns, row, strict=True)) for row in table.rows]
    decisions: dict[str, tuple[datetime, str]] = {}
    for row in world["records/decisions"].rows:
        record = dict(zip(world["records/decisions"].columns, row, strict=True))
        if record["kind"] == "screening_decision":
            decisions[record["concern_id"]] = (_moment(record["made_at"]), record["outcome"])
    failures = world["truth/failures"]
    ignored = {
        dict(zip(failures.columns, row, strict=True))["concern_id"]
        for row in failures.rows
        if row[failures.columns.index("kind")] == "decision_not_made"
    }
    return concerns, decisions, ignored


def test_a_simulated_year_every_ignored_concern_reaches_the_scrutineer_in_time() -> None:
    concerns, decisions, ignored = _simulated_year()
    # The simulator's truth: each concern is either decided or ignored, never both.
    assert ignored and not ignored & set(decisions)
    assert {c["concern_id"] for c in concerns} == set(decisions) | ignored
    assert len(concerns) >= 150 and len(ignored) >= 10, (len(concerns), len(ignored))

    policy = clocks_policy()
    calendar = policy.calendar
    rule = policy.obligation("decision")
    start = datetime(YEAR - 1, 12, 31, 9, 0, tzinfo=UTC)
    with _clock_at(start):
        council = make_agency("Simulated Council", "council")
        recorder = make_user(council, role="practitioner", team=make_team(council, "Schools"))
        officer = make_user(council, role="mash_officer", team=make_team(council, "MASH"))

    # Every happening of the year, in time order: concerns, decisions, and the sweep at the end
    # of each working day (and of the days after the year, until the last clock has run out).
    Step = tuple[datetime, int, str, Callable[[], None]]
    steps: list[Step] = []
    ours: dict[str, str] = {}  # simulator's concern id: Tocsin's

    def record(sim: dict[str, Any]) -> Callable[[], None]:
        def run() -> None:
            day = _moment(sim["raised_at"]).date()
            draft = make_draft(occurred_on=day - timedelta(days=1), vehicles=[], phones=[])
            ours[sim["concern_id"]] = str(do_record_concern(draft, actor=recorder).concern.pk)

        return run

    def decide(sim_id: str, outcome: str) -> Callable[[], None]:
        def run() -> None:
            code = SIM_DECISIONS[outcome]
            do_decide(ours[sim_id], code, f"Screened at the front door: {code}.", actor=officer)

        return run

    for order, sim in enumerate(concerns):
        steps.append((_moment(sim["raised_at"]), 1, f"concern {order}", record(sim)))
        if sim["concern_id"] in decisions:
            made_at, outcome = decisions[sim["concern_id"]]
            steps.append((made_at, 2, f"decision {order}", decide(sim["concern_id"], outcome)))
    sweeps = 0
    day = date(YEAR, 1, 1)
    while day <= date(YEAR + 1, 1, 20):
        if calendar.is_working_day(day):
            moment = calendar.end_of_day(day)
            steps.append((moment, 0, f"sweep {day}", lambda m=moment: sweep(m)))
            sweeps += 1
        day += timedelta(days=1)
    heapq.heapify(steps)
    while steps:
        moment, _, _, run = heapq.heappop(steps)
        with _clock_at(moment):
            run()

    # None is lost: the concerns that reached the scrutineer are exactly the ignored ones.
    by_ours = {v: k for k, v in ours.items()}
    level_3 = Escalation.objects.filter(obligation="decision", level=3)
    reached = {by_ours[str(row.concern_id)] for row in level_3}
    assert len(reached) == level_3.count(), "one level-3 escalation per concern"
    assert len(reached) == len(ignored)
    assert reached == ignored
    assert {row.to_role for row in level_3} == {"scrutineer"}
    assert open_escalations(level=3).filter(obligation="decision").count() == len(ignored)

    # Each within the policy's time: the level-3 threshold worked out from the policy's
    # decision clock (due, then the ladder's second step), and appended at that moment.
    assert rule.ladder[1].unit == "working_days"
    for row in level_3:
        recorded = _moment(row.concern.case.recorded_at)
        due = rule.due.after(recorded, calendar)  # type: ignore[union-attr]
        threshold = rule.ladder[1].after(due, calendar)
        escalated = _moment(row.escalated_at)
        assert escalated == threshold, (row.concern_id, recorded, threshold, escalated)
        # 1 working day to decide and 3 more: the scrutineer knows within 4 working days.
        assert calendar.working_days_between(recorded, escalated) <= 4
    # And each climbed every rung on the way, once.
    for level in (1, 2):
        assert Escalation.objects.filter(obligation="decision", level=level).count() >= len(ignored)
    assert verify_ledger().ok
