"""Appliers for the clocks' own events: escalations (a projection) and their closing. The
engine's state is the sweep's cache (``tocsin.server.clocks.sweep``), rebuilt from the ledger.
Challenges, meetings and capacity alarms have apps and appliers of their own
(``tocsin.server.challenges``, ``tocsin.server.meetings``, ``tocsin.server.capacity``)."""

from __future__ import annotations

from tocsin.domain.clocks import (
    EscalationClosed,
    ObligationEscalated,
)
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
