"""Appliers for professional challenge: the only code that writes the challenges projection."""

from __future__ import annotations

from tocsin.domain.clocks import ChallengeAnswered, ChallengeRaised
from tocsin.ledger import Envelope
from tocsin.server.challenges.models import Challenge
from tocsin.server.projections import ProjectionSession, applies


@applies(ChallengeRaised)
def apply_challenge_raised(
    event: ChallengeRaised, envelope: Envelope, session: ProjectionSession
) -> None:
    session.insert(
        Challenge,
        id=event.challenge_id,
        concern_id=event.concern_id,
        decision_id=event.decision_id,
        grounds=event.grounds,
        language_warnings=event.language_warnings,
        raised_by=envelope.actor,
        raised_seq=envelope.seq,
        raised_at=envelope.time,
        routed_to_role=event.routed_to_role,
        routed_to_agency_id=event.routed_to_agency_id,
        outcome="",
        answer="",
        answer_warnings=0,
        answered_by="",
        answered_seq=None,
        answered_at="",
    )


@applies(ChallengeAnswered)
def apply_challenge_answered(
    event: ChallengeAnswered, envelope: Envelope, session: ProjectionSession
) -> None:
    session.update(
        Challenge,
        event.challenge_id,
        outcome=event.outcome,
        answer=event.answer,
        answer_warnings=event.language_warnings,
        answered_by=envelope.actor,
        answered_seq=envelope.seq,
        answered_at=envelope.time,
    )
