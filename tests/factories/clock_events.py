"""Event histories for the clocks, built from the real event classes (so their subjects and
payloads are exactly what the ledger would hold) without a database: each append gets the
next sequence number and the history's current time."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from tocsin.domain.casework import (
    NEEDS_SECOND_PERSON,
    DecisionRecorded,
    DecisionSignedOff,
    OutcomeRecorded,
    RegradeProposed,
)
from tocsin.domain.clocks import (
    ChallengeAnswered,
    ChallengeRaised,
    ClockEngine,
    ClockEvent,
    Escalation,
    EscalationClosed,
    MeetingActionCompleted,
    MeetingRecorded,
)
from tocsin.domain.concerns import ChildScreened, ConcernRecorded
from tocsin.domain.events import Event
from tocsin.domain.records import RecordExpunged

__all__ = ["History"]


class History:
    """A ledger's worth of events in order, with a clock that only moves forward."""

    def __init__(self, start: datetime) -> None:
        self.now = start.astimezone(UTC)
        self.events: list[ClockEvent] = []
        self._ids = itertools.count(1)

    def advance(self, **delta: float) -> datetime:
        """Move the clock on (``hours=3``, ``days=2``...)."""
        self.now += timedelta(**delta)
        return self.now

    def at(self, moment: datetime) -> datetime:
        """Move the clock to ``moment`` (never back)."""
        assert moment >= self.now, "a ledger's clock does not run backwards"
        self.now = moment.astimezone(UTC)
        return self.now

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids)}"

    def append(self, event: Event) -> ClockEvent:
        """Append ``event`` at the current time; the clock view of it."""
        seq = len(self.events)
        clock_event = ClockEvent.of(seq, self.now, event.kind, event.subjects(), event.payload())
        self.events.append(clock_event)
        return clock_event

    def feed_into(self, engine: ClockEngine) -> None:
        """Feed every event the engine has not seen."""
        engine.feed_all(self.events)

    # --- the events clocks care about ---------------------------------------------------------

    def concern(
        self,
        concern_id: str,
        children: Sequence[str] = ("k1",),
        *,
        cin_factors: Iterable[str] = (),
        channel: str = "practitioner",
    ) -> ClockEvent:
        return self.append(
            ConcernRecorded(
                concern_id=concern_id,
                reference=f"REF-{concern_id}",
                channel=channel,
                agency_id="a1",
                recorded_by="u1",
                children=list(children),
                narrative="Synthetic narrative for a clock test.",
                occurred_on=None,
                occurred_where="",
                persons=[],
                vehicles=[],
                phones=[],
                places=[],
                cin_factors=sorted(cin_factors),
                grading=None,
                follow_up_code_hash=None,
                language_warnings=0,
            )
        )

    def decision(
        self, concern_id: str, decision: str, *, decision_id: str | None = None
    ) -> ClockEvent:
        return self.append(
            DecisionRecorded(
                decision_id=decision_id or self.new_id("d"),
                concern_id=concern_id,
                decision=decision,
                rationale="Reasons given in full.",
                language_warnings=0,
                awaiting_sign_off=decision in NEEDS_SECOND_PERSON,
                authority="agency",
                agency_id="a1",
            )
        )

    def regrade(
        self, concern_id: str, child_id: str, *, decision_id: str | None = None
    ) -> ClockEvent:
        return self.append(
            RegradeProposed(
                decision_id=decision_id or self.new_id("d"),
                screening_id="s0",
                concern_id=concern_id,
                child_id=child_id,
                from_band="significant",
                to_band="mild",
                reason="Reasons given in full.",
                language_warnings=0,
                authority="agency",
                agency_id="a1",
            )
        )

    def sign_off(self, concern_id: str, decision_id: str, *, approved: bool = True) -> ClockEvent:
        return self.append(
            DecisionSignedOff(
                decision_id=decision_id, concern_id=concern_id, approved=approved, reason="Agreed."
            )
        )

    def close(self, concern_id: str) -> None:
        """Propose closing the case, and have a second person approve it."""
        decision_id = self.new_id("d")
        self.decision(concern_id, "close", decision_id=decision_id)
        self.sign_off(concern_id, decision_id)

    def screening(self, concern_id: str, child_id: str) -> ClockEvent:
        return self.append(
            ChildScreened(
                screening_id=self.new_id("s"),
                concern_id=concern_id,
                child_id=child_id,
                scheme="seraf-style",
                scheme_version="1",
                as_of=self.now.date().isoformat(),
                observations=[],
                contributions=[],
                score=0,
                band="not-at-risk",
            )
        )

    def outcome(self, concern_id: str, outcome: str = "child_in_need_plan") -> ClockEvent:
        return self.append(
            OutcomeRecorded(
                outcome_id=self.new_id("o"),
                concern_id=concern_id,
                outcome=outcome,
                summary="What came of it.",
                language_warnings=0,
            )
        )

    def meeting(
        self,
        meeting_kind: str,
        concern_id: str | None,
        *,
        child_ids: Sequence[str] = (),
        decisions: Sequence[str] = (),
        actions: Sequence[dict[str, Any]] = (),
        meeting_id: str | None = None,
    ) -> ClockEvent:
        return self.append(
            MeetingRecorded(
                meeting_id=meeting_id or self.new_id("m"),
                meeting_kind=meeting_kind,
                concern_id=concern_id,
                child_ids=list(child_ids),
                held_at=self.now.isoformat(),
                attendees=[{"name": "A. Practitioner", "role": "social worker", "agency_id": "a1"}],
                decisions=list(decisions),
                summary="Minutes.",
                actions=[dict(action) for action in actions],
                language_warnings=0,
            )
        )

    def action_done(self, meeting_id: str, action_id: str, concern_id: str | None) -> ClockEvent:
        return self.append(
            MeetingActionCompleted(
                meeting_id=meeting_id, action_id=action_id, concern_id=concern_id, summary="Done."
            )
        )

    def challenge(self, concern_id: str, *, decision_id: str | None = None) -> ClockEvent:
        return self.append(
            ChallengeRaised(
                challenge_id=self.new_id("ch"),
                concern_id=concern_id,
                decision_id=decision_id,
                grounds="The decision overlooks what the school reported.",
                language_warnings=0,
                routed_to_role="head_of_service",
                routed_to_agency_id="a1",
            )
        )

    def answer(self, challenge_id: str, concern_id: str, outcome: str = "upheld") -> ClockEvent:
        return self.append(
            ChallengeAnswered(
                challenge_id=challenge_id,
                concern_id=concern_id,
                outcome=outcome,
                answer="Reviewed with the team.",
                language_warnings=0,
            )
        )

    def expunge(self, subject: str) -> ClockEvent:
        return self.append(
            RecordExpunged(
                expunction_id=self.new_id("x"), subject=subject, seqs=[], reason="Retention ended."
            )
        )

    def escalate(self, escalation: Escalation) -> ClockEvent:
        """Record an escalation the sweep returned, as the server would."""
        return self.append(escalation.to_event())

    def close_escalation(
        self, obligation_id: str, obligation: str, concern_id: str | None
    ) -> ClockEvent:
        return self.append(
            EscalationClosed(
                obligation_id=obligation_id,
                obligation=obligation,
                concern_id=concern_id,
                level=3,
                reason="The child moved to another area; their council has the case.",
            )
        )
