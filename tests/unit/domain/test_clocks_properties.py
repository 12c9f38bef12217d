"""Properties of the clock engine over random event histories (hypothesis): an obligation
escalates at most once per level, one level after another, never after it is met or cancelled,
never before the level's threshold, and always by its due time; the incremental engine, a
resumed one and the pure function agree."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories.clock_events import History
from tocsin.domain.casework import DECISIONS
from tocsin.domain.clocks import (
    MEETING_DECISIONS,
    MEETING_KINDS,
    ClockEngine,
    ClockEvent,
    ObligationChange,
    default_policy,
    evaluate,
)

POLICY = default_policy()
START = datetime(2025, 3, 20, 9, tzinfo=ZoneInfo("Europe/London"))  # Easter is a month on
CONCERNS = ["c0", "c1", "c2"]

concern = st.sampled_from(CONCERNS)
gap = st.one_of(st.integers(0, 180), st.integers(0, 60 * 24 * 8))  # minutes
step = st.one_of(
    st.tuples(
        st.just("concern"),
        concern,
        st.lists(st.sampled_from(["11A", "19B", "10A", "24A"]), max_size=2),
    ),
    st.tuples(st.just("decision"), concern, st.sampled_from(sorted(DECISIONS))),
    st.tuples(st.just("sign_off"), concern, st.booleans()),
    st.tuples(st.just("regrade"), concern),
    st.tuples(st.just("screen"), concern),
    st.tuples(st.just("outcome"), concern),
    st.tuples(
        st.just("meeting"),
        concern,
        st.sampled_from(sorted(MEETING_KINDS)),
        st.lists(st.sampled_from(sorted(MEETING_DECISIONS)), max_size=2),
        st.lists(st.integers(-2, 20), max_size=2),  # actions, due this many days on
    ),
    st.tuples(st.just("action_done"), st.integers(0, 5)),
    st.tuples(st.just("challenge"), concern),
    st.tuples(st.just("answer"), st.integers(0, 5)),
    st.tuples(st.just("expunge"), concern),
    st.tuples(st.just("close_escalation"), st.integers(0, 5)),
    st.tuples(st.just("other"), concern),  # a kind the clocks do not act on
    st.tuples(st.just("sweep")),
    st.tuples(st.just("sweep")),
    st.tuples(st.just("sweep")),
)
histories = st.lists(st.tuples(gap, step), min_size=1, max_size=45)


class Run:
    """A ledger, an engine fed as it grows, and what the sweeps did."""

    def __init__(self) -> None:
        self.h = History(START)
        self.engine = ClockEngine(POLICY)
        self.changes: list[ObligationChange] = []
        self.pending: dict[str, list[str]] = defaultdict(list)
        self.actions: list[tuple[str, str, str]] = []
        self.challenges: list[tuple[str, str]] = []
        self.escalated: list[tuple[str, str | None, str]] = []  # obligation id, rule, concern

    def feed(self) -> None:
        self.changes += self.engine.feed_all(self.h.events)

    def do(self, action: tuple[Any, ...]) -> None:
        h, name = self.h, action[0]
        if name == "concern":
            h.concern(action[1], [f"k{action[1][1]}"], cin_factors=action[2])
        elif name == "decision":
            event = h.decision(action[1], action[2])
            if event.payload and event.payload["awaiting_sign_off"]:
                self.pending[action[1]].append(event.payload["decision_id"])
        elif name == "sign_off":
            waiting = self.pending[action[1]]
            h.sign_off(action[1], waiting.pop(0) if waiting else "d-none", approved=action[2])
        elif name == "regrade":
            event = h.regrade(action[1], f"k{action[1][1]}")
            self.pending[action[1]].append(event.payload["decision_id"])  # type: ignore[index]
        elif name == "screen":
            h.screening(action[1], f"k{action[1][1]}")
        elif name == "outcome":
            h.outcome(action[1])
        elif name == "meeting":
            meeting_id = h.new_id("m")
            actions = []
            for offset in action[4]:
                action_id = h.new_id("a")
                due = (h.now + timedelta(days=offset)).date().isoformat()
                actions.append(
                    {"action_id": action_id, "text": "Do it", "owner_id": "u1", "due": due}
                )
                self.actions.append((meeting_id, action_id, action[1]))
            h.meeting(
                action[2],
                action[1],
                child_ids=[f"k{action[1][1]}"],
                decisions=action[3],
                actions=actions,
                meeting_id=meeting_id,
            )
        elif name == "action_done" and self.actions:
            h.action_done(*self.actions[action[1] % len(self.actions)])
        elif name == "challenge":
            event = h.challenge(action[1])
            self.challenges.append((event.payload["challenge_id"], action[1]))  # type: ignore[index]
        elif name == "answer" and self.challenges:
            h.answer(*self.challenges[action[1] % len(self.challenges)])
        elif name == "expunge":
            h.expunge(f"concern:{action[1]}")
        elif name == "close_escalation" and self.escalated:
            h.close_escalation(*self.escalated[action[1] % len(self.escalated)])
        elif name == "other":
            subjects = (f"concern:{action[1]}", f"child:k{action[1][1]}")
            h.events.append(
                ClockEvent.of(
                    len(h.events), h.now, "concern.information_added", subjects, {"text": "x"}
                )
            )
        elif name == "sweep":
            self.sweep()
            return
        self.feed()

    def sweep(self) -> None:
        """What the server's sweep does: append what is due, then read it back."""
        now, engine = self.h.now, self.engine
        due = engine.sweep(now)
        for escalation in due:
            ob = engine.obligation(escalation.obligation_id, now)
            assert ob is not None, "only an open obligation escalates"
            assert escalation.reached == ob.thresholds[escalation.level - 1]
            assert escalation.reached <= now, "never before the level's threshold"
            assert escalation.level > ob.escalated_level
            self.h.escalate(escalation)
            self.escalated.append(
                (escalation.obligation_id, escalation.obligation, escalation.concern_id)
            )  # type: ignore[arg-type]
        self.feed()
        assert engine.sweep(now) == [], "a second sweep at the same moment finds nothing new"
        for ob in engine.open_obligations(now):
            assert ob.escalated_level == ob.level, ob  # every level reached is recorded
            if now >= ob.due:
                assert ob.escalated_level >= 1, "always escalated by its due time"


@settings(max_examples=300, deadline=None)
@given(histories, st.data())
def test_escalations_are_once_per_level_in_order_and_never_after_the_end(
    steps: list[tuple[int, tuple[Any, ...]]], data: st.DataObject
) -> None:
    run = Run()
    for minutes, action in steps:
        run.h.advance(minutes=minutes)
        run.do(action)
    run.h.advance(days=120)
    run.sweep()  # a last sweep long after: every unmet obligation is at the top by now

    levels: dict[str, list[int]] = defaultdict(list)
    escalation_seq: dict[str, list[int]] = defaultdict(list)
    for event in run.h.events:
        if event.kind == "obligation.escalated":
            assert event.payload is not None
            levels[event.payload["obligation_id"]].append(event.payload["level"])
            escalation_seq[event.payload["obligation_id"]].append(event.seq)
    for ob_id, recorded in levels.items():
        assert recorded == list(range(1, len(recorded) + 1)), (ob_id, recorded)  # once, in order
    for change in run.changes:
        if change.change in ("met", "cancelled"):
            ended = change.obligation
            assert ended.ended_seq == change.seq
            after = [seq for seq in escalation_seq[ended.id] if seq > change.seq]
            assert not after, f"{ended.id} escalated after it was {change.change}"

    now = run.h.now
    for ob in run.engine.open_obligations(now):
        assert ob.level == 3 and ob.escalated_level == 3 and ob.status == "overdue"

    # The pure function agrees with the incremental engine.
    evaluation = evaluate(POLICY, run.h.events, now)
    open_now = {ob.id: ob for ob in run.engine.open_obligations(now)}
    assert {ob.id: ob for ob in evaluation.obligations if ob.is_open} == open_now
    assert evaluation.escalations == ()
    ended = {c.obligation.id: c.obligation for c in run.changes if c.change in ("met", "cancelled")}
    assert {ob.id: ob for ob in evaluation.obligations if not ob.is_open} == ended

    # An engine resumed from its saved state, anywhere in the history, ends the same.
    cut = data.draw(st.integers(0, len(run.h.events)), label="cut")
    first = ClockEngine(POLICY)
    first.feed_all(run.h.events[:cut])
    resumed = ClockEngine.from_state(POLICY, first.state())
    resumed.feed_all(run.h.events[cut:])
    assert resumed.open_obligations(now) == run.engine.open_obligations(now)
    assert resumed.state() == run.engine.state()

    # Fed only the kinds it acts on (as the server's sweep reads the ledger), then skipped to
    # the last event, the engine from any cut ends as the one fed everything.
    skipping = ClockEngine.from_state(POLICY, first.state())
    skipping.feed_all(e for e in run.h.events[cut:] if e.kind in skipping.kinds)
    if run.h.events:
        skipping.skip_to(run.h.events[-1].seq)
    assert skipping.state() == run.engine.state()
    assert skipping.open_obligations(now) == run.engine.open_obligations(now)
    assert skipping.sweep(now) == run.engine.sweep(now)


@settings(max_examples=100, deadline=None)
@given(histories, st.lists(st.integers(0, 60 * 24 * 30), min_size=1, max_size=4))
def test_without_sweeps_every_level_reached_is_pending_exactly_once(
    steps: list[tuple[int, tuple[Any, ...]]], looks: list[int]
) -> None:
    run = Run()
    for minutes, action in steps:
        run.h.advance(minutes=minutes)
        if action[0] != "sweep":
            run.do(action)
    for minutes in sorted(looks):
        now = run.h.now + timedelta(minutes=minutes)
        pending = run.engine.sweep(now)
        keys = [(e.obligation_id, e.level) for e in pending]
        assert len(keys) == len(set(keys))
        for ob in run.engine.open_obligations(now):
            expected = [(ob.id, level) for level in range(1, ob.level + 1)]
            assert [k for k in keys if k[0] == ob.id] == expected
            assert (ob.level >= 1) == (now >= ob.due)
        assert all(e.reached <= now and e.as_of == now for e in pending)
