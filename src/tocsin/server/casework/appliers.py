"""Appliers for case-work events, and the case's part in the concern events (a case opens when
a concern is recorded; its band follows the screenings). The only code that writes the
case-work projections."""

from __future__ import annotations

from typing import Any

from tocsin.domain import screening as screening_policy
from tocsin.domain.casework import (
    BAND_RANK_UNSCREENED,
    ConcernAllocated,
    ContactRecorded,
    DecisionRecorded,
    DecisionSignedOff,
    OutcomeRecorded,
    RegradeProposed,
)
from tocsin.ledger import Envelope
from tocsin.server.casework.models import Allocation, Case, Contact, Decision, OutcomeRecord
from tocsin.server.projections import ProjectionSession, applies


def open_case(
    concern_id: str, agency_id: str | None, envelope: Envelope, session: ProjectionSession
) -> None:
    """Every recorded concern opens a case at the front door, new and unallocated."""
    session.insert(
        Case,
        concern_id=concern_id,
        status="new",
        agency_id=agency_id,
        band="",
        band_rank=BAND_RANK_UNSCREENED,
        bands={},
        recorded_seq=envelope.seq,
        recorded_at=envelope.time,
        changed_seq=envelope.seq,
    )


def note_band(
    concern_id: str, screening_id: str, band: str, envelope: Envelope, session: ProjectionSession
) -> None:
    """A screening's current band changed: the case acts on the highest of its screenings."""
    case = session.get(Case, concern_id)
    bands: dict[str, Any] = {**case["bands"], screening_id: band}
    order = screening_policy.bands()
    rank = max((order.index(b) for b in bands.values() if b in order), default=-1)
    session.update(
        Case,
        concern_id,
        bands=bands,
        band=order[rank] if rank >= 0 else "",
        band_rank=rank,
        changed_seq=envelope.seq,
    )


@applies(ConcernAllocated)
def apply_concern_allocated(
    event: ConcernAllocated, envelope: Envelope, session: ProjectionSession
) -> None:
    session.insert(
        Allocation,
        id=event.allocation_id,
        concern_id=event.concern_id,
        team_id=event.team_id,
        worker_id=event.worker_id,
        reason=event.reason,
        actor=envelope.actor,
        allocated_seq=envelope.seq,
        allocated_at=envelope.time,
    )
    case = session.get(Case, event.concern_id)
    session.update(
        Case,
        event.concern_id,
        team_id=event.team_id,
        owner_id=event.worker_id,
        allocated_agency_id=event.agency_id,
        status="allocated" if case["status"] == "new" else case["status"],
        changed_seq=envelope.seq,
    )


def _insert_decision(
    concern_id: str, envelope: Envelope, session: ProjectionSession, **fields: Any
) -> None:
    """A decision or proposal row, remembering the case's status to return to on rejection."""
    case = session.get(Case, concern_id)
    session.insert(
        Decision,
        concern_id=concern_id,
        proposed_by=envelope.actor,
        proposed_seq=envelope.seq,
        proposed_at=envelope.time,
        status_before=case["status"],
        **fields,
    )


@applies(DecisionRecorded)
def apply_decision_recorded(
    event: DecisionRecorded, envelope: Envelope, session: ProjectionSession
) -> None:
    waiting = event.awaiting_sign_off
    _insert_decision(
        event.concern_id,
        envelope,
        session,
        id=event.decision_id,
        kind="decision",
        code=event.decision,
        rationale=event.rationale,
        language_warnings=event.language_warnings,
        status="awaiting_sign_off" if waiting else "taken",
        authority=event.authority if waiting else "",
        agency_id=event.agency_id,
    )
    if waiting:
        changes: dict[str, Any] = {"status": "awaiting_sign_off"}
    else:
        changes = {"status": "in_progress", "decision": event.decision}
    session.update(Case, event.concern_id, changed_seq=envelope.seq, **changes)


@applies(RegradeProposed)
def apply_regrade_proposed(
    event: RegradeProposed, envelope: Envelope, session: ProjectionSession
) -> None:
    _insert_decision(
        event.concern_id,
        envelope,
        session,
        id=event.decision_id,
        kind="regrade",
        code="",
        rationale=event.reason,
        language_warnings=event.language_warnings,
        status="awaiting_sign_off",
        authority=event.authority,
        agency_id=event.agency_id,
        screening_id=event.screening_id,
        child_id=event.child_id,
        from_band=event.from_band,
        to_band=event.to_band,
    )
    session.update(Case, event.concern_id, status="awaiting_sign_off", changed_seq=envelope.seq)


@applies(DecisionSignedOff)
def apply_decision_signed_off(
    event: DecisionSignedOff, envelope: Envelope, session: ProjectionSession
) -> None:
    decision = session.get(Decision, event.decision_id)
    session.update(
        Decision,
        event.decision_id,
        status="approved" if event.approved else "rejected",
        signed_off_by=envelope.actor,
        sign_off_reason=event.reason,
        signed_off_seq=envelope.seq,
        signed_off_at=envelope.time,
    )
    changes: dict[str, Any] = {"status": decision["status_before"]}
    if event.approved and decision["kind"] == "decision":
        # Only decisions that close a case (no further action, close) wait for sign-off.
        changes = {"status": "closed", "decision": decision["code"]}
    session.update(Case, event.concern_id, changed_seq=envelope.seq, **changes)


@applies(ContactRecorded)
def apply_contact_recorded(
    event: ContactRecorded, envelope: Envelope, session: ProjectionSession
) -> None:
    session.insert(
        Contact,
        id=event.contact_id,
        concern_id=event.concern_id,
        child_id=event.child_id,
        with_whom=event.with_whom,
        method=event.method,
        happened_on=event.happened_on,
        made=event.made,
        seen_alone=event.seen_alone,
        summary=event.summary,
        language_warnings=event.language_warnings,
        actor=envelope.actor,
        recorded_seq=envelope.seq,
        recorded_at=envelope.time,
    )


@applies(OutcomeRecorded)
def apply_outcome_recorded(
    event: OutcomeRecorded, envelope: Envelope, session: ProjectionSession
) -> None:
    session.insert(
        OutcomeRecord,
        id=event.outcome_id,
        concern_id=event.concern_id,
        outcome=event.outcome,
        summary=event.summary,
        language_warnings=event.language_warnings,
        actor=envelope.actor,
        recorded_seq=envelope.seq,
        recorded_at=envelope.time,
    )
    session.update(Case, event.concern_id, outcome=event.outcome, changed_seq=envelope.seq)
