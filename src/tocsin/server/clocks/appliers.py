"""Appliers for the clocks' events. Escalations are a projection; the engine's own state is
the sweep's cache (``tocsin.server.clocks.sweep``), rebuilt from these same events.

Challenges and meetings have events (the clocks policy already counts them) but no action
records them yet: their appliers keep nothing until their projections exist, and replaying the
ledger then builds those from the events already there. Capacity alarms have their own app
(``tocsin.server.capacity``) and appliers."""

from __future__ import annotations

from tocsin.domain.clocks import (
    ChallengeAnswered,
    ChallengeRaised,
    EscalationClosed,
    MeetingActionCompleted,
    MeetingRecorded,
    ObligationEscalated,
)
from tocsin.domain.events import Event
from tocsin.ledger import Envelope
from tocsin.server.clocks.models import Escalation
from tocsin.server.projections import ProjectionSession, applies


@applies(ObligationEscalated)
def apply_obligation_escalated(
    event: ObligationEscalated, envelope: Envelope, session: ProjectionSession
) -> None:
    session.insert(
        Escalation,
        id=f"{event.obligation_id}:{event.level}",
        obligation_id=event.obligation_id,
        obligation=event.obligation,
        concern_id=event.concern_id,
        level=event.level,
        to_role=event.to_role,
        due=event.due,
        escalated_at=envelope.time,
        escalated_seq=envelope.seq,
        closed_by="",
        closed_reason="",
        closed_seq=None,
    )


@applies(EscalationClosed)
def apply_escalation_closed(
    event: EscalationClosed, envelope: Envelope, session: ProjectionSession
) -> None:
    session.update(
        Escalation,
        f"{event.obligation_id}:{event.level}",
        closed_by=envelope.actor,
        closed_reason=event.reason,
        closed_seq=envelope.seq,
    )


def _kept_on_the_ledger(event: Event, envelope: Envelope, session: ProjectionSession) -> None:
    """Nothing to project yet (see the module's docstring); the clocks read the event."""


for _kind in (
    ChallengeRaised,
    ChallengeAnswered,
    MeetingRecorded,
    MeetingActionCompleted,
):
    applies(_kind)(_kept_on_the_ledger)
