"""The clock engine, by example: each default obligation opened, met, cancelled and escalated
as the policy says; escalations read back; the engine's state saved and resumed; and the
incremental engine agreeing with the pure function."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.factories.clock_events import History
from tocsin.domain.clocks import (
    ClockEngine,
    ClockEvent,
    ClockStateError,
    Obligation,
    default_policy,
    evaluate,
    parse_policy,
)

POLICY = default_policy()
LONDON = ZoneInfo("Europe/London")
# Thursday 6 March 2025, 10:00 in London: no bank holiday near.
THURSDAY = datetime(2025, 3, 6, 10, tzinfo=LONDON)


def end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), LONDON).astimezone(UTC)


def run(history: History, now: datetime) -> dict[str, Obligation]:
    """Every obligation the history made, by id, as of ``now``."""
    return {ob.id: ob for ob in evaluate(POLICY, history.events, now).obligations}


def only(obligations: dict[str, Obligation], rule: str) -> Obligation:
    found = [ob for ob in obligations.values() if ob.obligation == rule]
    assert len(found) == 1, found
    return found[0]


# --- each default obligation ----------------------------------------------------------------


def test_a_concern_needs_a_decision_within_one_working_day() -> None:
    h = History(THURSDAY)
    h.concern("c1", ["k1", "k2"])
    ob = only(run(h, THURSDAY), "decision")
    assert ob.id == "decision:0" and ob.key == "concern:c1"
    assert (ob.concern_id, ob.child_ids, ob.owner) == ("c1", ("k1", "k2"), "front_door")
    assert ob.due == end_of(date(2025, 3, 7))  # by the end of Friday
    assert ob.status == "open" and ob.level == 0
    h.at(datetime(2025, 3, 7, 16, tzinfo=LONDON))
    h.decision("c1", "assessment")
    met = only(run(h, h.now), "decision")
    assert met.status == "met" and met.met_in_time is True and met.ended_by == "decision.recorded"


def test_an_undecided_concern_climbs_the_ladder_to_the_scrutineer() -> None:
    h = History(THURSDAY)
    h.concern("c1")
    due = end_of(date(2025, 3, 7))
    steps = [
        (due - timedelta(microseconds=1), "open", 0),
        (due, "overdue", 1),  # Friday ends: the team manager
        (end_of(date(2025, 3, 10)), "overdue", 2),  # 1 working day later (Monday): head of service
        (end_of(date(2025, 3, 12)), "overdue", 3),  # 3 working days later: the scrutineer
    ]
    for now, status, level in steps:
        ob = only(run(h, now), "decision")
        assert (ob.status, ob.level) == (status, level), now
    escalations = evaluate(POLICY, h.events, end_of(date(2025, 3, 12))).escalations
    decision_escalations = [e for e in escalations if e.obligation == "decision"]
    assert [(e.level, e.to_role) for e in decision_escalations] == [
        (1, "team_manager"),
        (2, "head_of_service"),
        (3, "scrutineer"),
    ]


def test_a_sexual_offence_against_a_child_needs_a_crime_recording_decision_in_24_hours() -> None:
    h = History(THURSDAY)
    h.concern("c1", cin_factors=["19C"])
    h.concern("c2", cin_factors=["11A", "10A"])
    h.concern("c3", cin_factors=["10A"])  # missing, not a sexual offence
    obligations = run(h, THURSDAY)
    crime = {ob.concern_id: ob for ob in obligations.values() if ob.obligation == "crime_recording"}
    assert set(crime) == {"c1", "c2"}
    assert crime["c1"].due == THURSDAY.astimezone(UTC) + timedelta(hours=24)
    assert crime["c1"].owner == "police"
    # Closing the case does not excuse it; the crime-recording decision meets it.
    h.advance(hours=2)
    h.close("c1")
    h.decision("c2", "crime_recorded")
    crime = {
        ob.concern_id: ob for ob in run(h, h.now).values() if ob.obligation == "crime_recording"
    }
    assert crime["c1"].status == "open" and crime["c2"].status == "met"
    later = h.now + timedelta(hours=24 + 24)
    assert (
        only(
            {k: v for k, v in run(h, later).items() if v.concern_id == "c1"}, "crime_recording"
        ).level
        == 2
    )


def test_reasonable_cause_calls_a_strategy_discussion_within_one_working_day() -> None:
    h = History(THURSDAY)
    h.concern("c1")
    h.advance(hours=1)
    h.decision("c1", "strategy_discussion")
    ob = only(run(h, h.now), "strategy_discussion")
    assert ob.due == end_of(date(2025, 3, 7)) and ob.owner == "case_owner"
    h.advance(hours=3)
    h.meeting("mace", "c1")  # another kind of meeting does not meet it
    assert only(run(h, h.now), "strategy_discussion").status == "open"
    h.meeting("strategy_discussion", "c1", decisions=["section_47_enquiry"])
    assert only(run(h, h.now), "strategy_discussion").status == "met"


def test_closing_the_case_cancels_its_clocks_but_a_rejected_proposal_does_not() -> None:
    h = History(THURSDAY)
    h.concern("c1")
    h.decision("c1", "strategy_discussion")
    h.decision("c1", "close", decision_id="dc")
    h.sign_off("c1", "dc", approved=False)
    assert only(run(h, h.now), "strategy_discussion").status == "open"
    h.regrade("c1", "k1", decision_id="dr")
    h.sign_off("c1", "dr", approved=True)  # approving a lower band is not closing
    assert only(run(h, h.now), "strategy_discussion").status == "open"
    h.decision("c1", "no_further_action", decision_id="dn")
    h.sign_off("c1", "dn", approved=True)
    closed = only(run(h, h.now), "strategy_discussion")
    assert closed.status == "cancelled" and closed.ended_by == "decision.signed_off"


def test_the_conference_is_due_15_working_days_after_the_last_strategy_discussion() -> None:
    h = History(THURSDAY)
    h.concern("c1")
    h.meeting("strategy_discussion", "c1", decisions=["no_section_47_enquiry"])
    assert not [ob for ob in run(h, h.now).values() if ob.obligation == "icpc"]
    first = h.meeting("strategy_discussion", "c1", decisions=["section_47_enquiry"])
    ob = only(run(h, h.now), "icpc")
    assert ob.id == f"icpc:{first.seq}" and ob.due == end_of(date(2025, 3, 27))
    h.at(datetime(2025, 3, 10, 11, tzinfo=LONDON))
    second = h.meeting("strategy_discussion", "c1", decisions=["section_47_enquiry", "review"])
    obligations = run(h, h.now)
    assert obligations[f"icpc:{first.seq}"].status == "cancelled"
    assert obligations[f"icpc:{first.seq}"].ended_by == "superseded"
    assert obligations[f"icpc:{second.seq}"].due == end_of(date(2025, 3, 31))
    h.meeting("icpc", "c1", decisions=["child_protection_plan"])
    assert run(h, h.now)[f"icpc:{second.seq}"].status == "met"


def test_an_assessment_is_owed_from_the_referral_once_the_decision_is_to_assess() -> None:
    h = History(THURSDAY)
    h.concern("c1")
    h.concern("c2")
    assert not [ob for ob in run(h, h.now).values() if ob.obligation == "assessment"]
    h.advance(days=4)
    h.decision("c1", "assessment")
    h.decision("c2", "early_help")
    ob = only(run(h, h.now), "assessment")
    assert ob.concern_id == "c1"
    assert ob.started == THURSDAY.astimezone(UTC)  # counted from the referral
    assert ob.due == end_of(date(2025, 5, 13))  # 45 working days, across Easter and May Day
    h.outcome("c1")
    assert only(run(h, h.now), "assessment").status == "met"


def test_a_section_47_enquiry_from_a_strategy_discussion_also_owes_an_assessment() -> None:
    h = History(THURSDAY)
    h.concern("c1")
    h.meeting("strategy_discussion", "c1", decisions=["section_47_enquiry"])
    assert only(run(h, h.now), "assessment").status == "open"


def test_a_closed_case_owes_no_assessment() -> None:
    h = History(THURSDAY)
    h.concern("c1")
    h.close("c1")
    h.decision("c1", "assessment")  # after closing: the dormant clock is gone
    assert not [ob for ob in run(h, h.now).values() if ob.obligation == "assessment"]


def test_a_screened_child_is_screened_again_within_three_months() -> None:
    h = History(THURSDAY)
    h.concern("c1", ["k1"])
    first = h.screening("c1", "k1")
    ob = only(run(h, h.now), "rescreening")
    assert ob.key == "child:k1" and ob.due == end_of(date(2025, 6, 6))
    h.at(datetime(2025, 5, 1, 9, tzinfo=LONDON))
    second = h.screening("c1", "k1")
    obligations = run(h, h.now)
    assert obligations[f"rescreening:{first.seq}"].status == "met"
    assert obligations[f"rescreening:{second.seq}"].due == end_of(date(2025, 8, 1))
    h.close("c1")
    assert run(h, h.now)[f"rescreening:{second.seq}"].status == "cancelled"


def test_a_challenge_is_answered_within_five_working_days() -> None:
    h = History(THURSDAY)
    h.concern("c1")
    raised = h.challenge("c1", decision_id="d9")
    challenge_id = raised.payload["challenge_id"]  # type: ignore[index]
    ob = only(run(h, h.now), "challenge_answer")
    assert ob.key == f"challenge:{challenge_id}" and ob.owner == "challenge_handler"
    assert ob.due == end_of(date(2025, 3, 13))
    h.answer(challenge_id, "c1", "not_upheld")
    assert only(run(h, h.now), "challenge_answer").status == "met"


def test_a_proposal_is_signed_off_within_one_working_day() -> None:
    h = History(THURSDAY)
    h.concern("c1")
    h.decision("c1", "no_further_action", decision_id="d1")
    h.regrade("c1", "k1", decision_id="d2")
    h.decision("c1", "assessment", decision_id="d3")  # needs nobody's sign-off
    signs = {ob.key: ob for ob in run(h, h.now).values() if ob.obligation == "sign_off"}
    assert set(signs) == {"decision:d1", "decision:d2"}
    assert signs["decision:d1"].owner == "signer"
    assert signs["decision:d1"].due == end_of(date(2025, 3, 7))
    h.sign_off("c1", "d1", approved=False)
    signs = {ob.key: ob for ob in run(h, h.now).values() if ob.obligation == "sign_off"}
    assert signs["decision:d1"].status == "met" and signs["decision:d2"].status == "open"


def test_each_meeting_action_has_its_owner_and_its_own_due_date() -> None:
    h = History(THURSDAY)
    h.concern("c1")
    meeting = h.meeting(
        "mace",
        "c1",
        child_ids=["k1"],
        meeting_id="m1",
        actions=[
            {"action_id": "a1", "text": "Visit the school", "owner_id": "u7", "due": "2025-03-14"},
            {"action_id": "a2", "text": "Check the address", "owner_id": "u8", "due": "soon"},
        ],
    )
    obligations = run(h, h.now)
    a1, a2 = (
        obligations[f"meeting_action:{meeting.seq}:a1"],
        obligations[f"meeting_action:{meeting.seq}:a2"],
    )
    assert (a1.key, a1.owner, a1.owner_id, a1.concern_id) == (
        "action:a1",
        "action_owner",
        "u7",
        "c1",
    )
    assert a1.due == end_of(date(2025, 3, 14))
    # A due date nobody can read is due at once, so that it is seen rather than lost.
    assert a2.due == h.now and a2.status == "overdue"
    h.action_done("m1", "a1", "c1")
    assert run(h, h.now)[a1.id].status == "met"


def test_expunging_a_concern_takes_its_clocks_even_without_a_payload() -> None:
    h = History(THURSDAY)
    h.concern("c1")
    expunged = h.expunge("concern:c1")
    h.events[-1] = ClockEvent.of(
        expunged.seq, expunged.time, expunged.kind, expunged.subjects, None
    )
    assert only(run(h, h.now), "decision").status == "cancelled"


# --- escalations read back, closing, idempotence --------------------------------------------


def test_a_second_sweep_at_the_same_moment_returns_nothing_new() -> None:
    h = History(THURSDAY)
    h.concern("c1", cin_factors=["11A"])
    engine = ClockEngine(POLICY)
    h.feed_into(engine)
    now = THURSDAY + timedelta(days=20)
    first = engine.sweep(now)
    assert first == engine.sweep(now)  # sweeping alone changes nothing
    assert len(first) == 6  # the decision and the crime recording, each at levels 1, 2, 3
    h.at(now)
    for escalation in first:
        h.escalate(escalation)
    changes = engine.feed_all(h.events)
    assert [c.change for c in changes] == ["escalated"] * 6
    assert engine.sweep(now) == []
    assert engine.sweep(now + timedelta(days=365)) == []  # level 3 is the top
    assert all(ob.escalated_level == 3 for ob in engine.open_obligations(now))


def test_escalations_are_recorded_one_level_at_a_time_as_they_fall_due() -> None:
    h = History(THURSDAY)
    h.concern("c1")
    engine = ClockEngine(POLICY)
    h.feed_into(engine)
    due = end_of(date(2025, 3, 7))
    assert engine.next_escalation_at() == due
    assert engine.sweep(due - timedelta(microseconds=1)) == []
    (level_1,) = engine.sweep(due)
    assert (level_1.level, level_1.reached, level_1.as_of) == (1, due, due)
    event = level_1.to_event()
    assert event.payload() == {
        "obligation_id": "decision:0",
        "obligation": "decision",
        "concern_id": "c1",
        "level": 1,
        "to_role": "team_manager",
        "due": "2025-03-08T00:00:00.000000Z",
        "as_of": "2025-03-08T00:00:00.000000Z",
        "policy_version": 2,
    }
    assert event.subjects() == ("concern:c1", "obligation:decision:0")
    h.at(due)
    h.escalate(level_1)
    h.feed_into(engine)
    assert engine.next_escalation_at() == end_of(date(2025, 3, 10))
    assert engine.obligation("decision:0", due).escalated_level == 1  # type: ignore[union-attr]


def test_a_met_obligation_never_escalates_even_if_the_sweep_was_late() -> None:
    h = History(THURSDAY)
    h.concern("c1")
    h.at(THURSDAY + timedelta(days=10))
    h.decision("c1", "assessment")  # late, and nobody swept meanwhile
    engine = ClockEngine(POLICY)
    h.feed_into(engine)
    assert [e for e in engine.sweep(h.now) if e.obligation == "decision"] == []
    ob = only(run(h, h.now), "decision")
    assert ob.status == "met" and ob.met_in_time is False and ob.escalated_level == 0


def test_only_closing_the_escalation_stops_it() -> None:
    h = History(THURSDAY)
    h.concern("c1", cin_factors=["19B"])
    h.advance(days=30)
    h.close_escalation("crime_recording:0", "crime_recording", "c1")
    ob = only(run(h, h.now), "crime_recording")
    assert ob.status == "cancelled" and ob.ended_by == "escalation.closed"
    assert ob.ended_reason and "another area" in ob.ended_reason


def test_an_escalation_of_an_obligation_no_longer_open_is_ignored() -> None:
    engine = ClockEngine(POLICY)
    h = History(THURSDAY)
    h.concern("c1")
    h.decision("c1", "assessment")
    h.feed_into(engine)
    stray = evaluate(POLICY, h.events[:1], THURSDAY + timedelta(days=9)).escalations
    h.advance(days=9)
    h.escalate(stray[0])
    assert engine.feed_all(h.events) == []


def test_feeding_the_same_events_twice_changes_nothing() -> None:
    h = History(THURSDAY)
    h.concern("c1")
    engine = ClockEngine(POLICY)
    assert len(engine.feed_all(h.events)) == 1
    assert engine.feed_all(h.events) == []
    assert engine.last_seq == 0 and len(engine) == 1


def test_ids_are_deterministic_from_the_trigger() -> None:
    h = History(THURSDAY)
    h.concern("c1")
    h.concern("c2")
    once = [ob.id for ob in evaluate(POLICY, h.events, h.now).obligations]
    assert once == ["decision:0", "decision:1"]
    assert once == [ob.id for ob in evaluate(POLICY, h.events, h.now).obligations]


def test_evaluate_answers_as_of_a_moment() -> None:
    h = History(THURSDAY)
    h.concern("c1")
    h.advance(hours=5)
    h.decision("c1", "assessment")
    earlier = only(run(h, THURSDAY + timedelta(hours=1)), "decision")
    assert earlier.status == "open"
    assert only(run(h, h.now), "decision").status == "met"


def test_obligations_as_json() -> None:
    h = History(THURSDAY)
    h.concern("c1")
    (ob,) = ClockEngine(POLICY).feed_all(h.events)
    shown = ob.obligation.to_json()
    assert shown["concern"] == "c1" and shown["obligation"] == "decision"
    assert shown["due"] == "2025-03-08T00:00:00.000000Z" and shown["level"] == 0
    assert shown["owner"] == "front_door" and shown["status"] == "open"


# --- the saved state ------------------------------------------------------------------------


def busy_history() -> History:
    h = History(THURSDAY)
    h.concern("c1", ["k1"], cin_factors=["11A"])
    h.concern("c2", ["k2"])
    h.decision("c1", "close", decision_id="dc")  # waiting for sign-off: remembered
    h.screening("c2", "k2")
    h.advance(days=3)
    h.decision("c2", "strategy_discussion")
    return h


def test_the_state_round_trips_and_carries_on_as_if_never_stopped() -> None:
    h = busy_history()
    engine = ClockEngine(POLICY)
    h.feed_into(engine)
    state = engine.state()
    assert state["references"] == [[0, "decision:dc"]]
    resumed = ClockEngine.from_state(POLICY, state)
    assert resumed.state() == state
    assert len(resumed) == len(engine)
    h.advance(hours=2)
    h.sign_off("c1", "dc")  # closing c1 needs the remembered proposal
    h.meeting("strategy_discussion", "c2")
    now = h.advance(days=40)
    for one in (engine, resumed):
        h.feed_into(one)
    assert resumed.open_obligations(now) == engine.open_obligations(now)
    assert resumed.sweep(now) == engine.sweep(now)
    assert resumed.state() == engine.state()
    still = {ob.obligation for ob in engine.open_obligations(now) if ob.concern_id == "c1"}
    assert still == {"crime_recording"}  # the case closed; only crime recording outlives it


def test_a_state_from_another_policy_is_refused() -> None:
    state = ClockEngine(POLICY).state()
    other = parse_policy(
        busy_policy_text().replace("version = 2", "version = 3", 1), origin="other.toml"
    )
    with pytest.raises(ClockStateError, match="different clocks policy"):
        ClockEngine.from_state(other, state)
    with pytest.raises(ClockStateError, match="not a clock engine state"):
        ClockEngine.from_state(POLICY, {"format": 99})
    damaged = dict(state, policy_digest=POLICY.digest, obligations=[{"id": "x"}])
    with pytest.raises(ClockStateError, match="damaged"):
        ClockEngine.from_state(POLICY, damaged)


def busy_policy_text() -> str:
    from importlib import resources

    return resources.files("tocsin.domain.clocks").joinpath("policy.toml").read_text("utf-8")


def test_recording_the_same_decision_again_does_not_reset_the_clock() -> None:
    h = History(THURSDAY)
    h.concern("c1")
    first = h.decision("c1", "strategy_discussion")
    h.at(datetime(2025, 3, 7, 15, tzinfo=LONDON))
    h.decision("c1", "strategy_discussion")
    ob = only(run(h, h.now), "strategy_discussion")
    assert ob.id == f"strategy_discussion:{first.seq}" and ob.due == end_of(date(2025, 3, 7))


def test_an_engine_fed_only_the_kinds_it_acts_on_ends_as_one_fed_everything() -> None:
    """The server's sweep reads only :attr:`ClockEngine.kinds` from the ledger and then
    skips to its end: the same state, obligations and escalations as feeding every event."""
    h = History(THURSDAY)
    full = ClockEngine(POLICY)

    def other(concern_id: str) -> None:  # a kind the clocks do not act on
        subjects = (f"concern:{concern_id}", "child:k1")
        h.events.append(
            ClockEvent.of(len(h.events), h.now, "concern.information_added", subjects, {})
        )

    h.concern("c1", ["k1"], cin_factors=["19B"])
    other("c1")
    h.concern("c2", ["k2"])
    h.advance(days=10)
    h.feed_into(full)
    for escalation in full.sweep(h.now):
        h.escalate(escalation)
        other("c1")
    h.close_escalation("crime_recording:0", "crime_recording", "c1")
    other("c2")
    h.decision("c2", "assessment")
    h.challenge("c2")
    other("c2")
    h.advance(days=3)
    h.feed_into(full)
    kinds = {event.kind for event in h.events}
    assert {"obligation.escalated", "escalation.closed", "concern.information_added"} <= kinds
    assert "concern.information_added" not in full.kinds
    for cut in range(len(h.events) + 1):
        start = ClockEngine(POLICY)
        start.feed_all(h.events[:cut])
        skipping = ClockEngine.from_state(POLICY, start.state())
        skipping.feed_all(e for e in h.events[cut:] if e.kind in skipping.kinds)
        skipping.skip_to(h.events[-1].seq)
        assert skipping.state() == full.state(), cut
        assert skipping.open_obligations(h.now) == full.open_obligations(h.now), cut
        assert skipping.sweep(h.now) == full.sweep(h.now), cut
