"""Appliers for retention events: legal holds and expunging."""

from __future__ import annotations

from tocsin.domain.records import LegalHoldLifted, LegalHoldPlaced, RecordExpunged
from tocsin.ledger import Envelope
from tocsin.server.ledger.models import Expunction, LegalHold
from tocsin.server.projections import ProjectionSession, applies


@applies(LegalHoldPlaced)
def apply_legal_hold_placed(
    event: LegalHoldPlaced, envelope: Envelope, session: ProjectionSession
) -> None:
    session.insert(
        LegalHold,
        id=event.hold_id,
        scope=event.scope,
        reason=event.reason,
        placed_seq=envelope.seq,
        lifted_seq=None,
    )


@applies(LegalHoldLifted)
def apply_legal_hold_lifted(
    event: LegalHoldLifted, envelope: Envelope, session: ProjectionSession
) -> None:
    session.update(LegalHold, event.hold_id, lifted_seq=envelope.seq)


@applies(RecordExpunged)
def apply_record_expunged(
    event: RecordExpunged, envelope: Envelope, session: ProjectionSession
) -> None:
    # The payloads themselves are erased by the action, in the same transaction; here the
    # record's rows become tombstones, identical whether or not its events were replayed.
    session.insert(
        Expunction,
        id=event.expunction_id,
        subject=event.subject,
        seqs=len(event.seqs),
        reason=event.reason,
        seq=envelope.seq,
    )
    session.erase_subject(event.subject)
