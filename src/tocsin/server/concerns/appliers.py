"""Appliers for concern events: the only code that writes the concern projections."""

from __future__ import annotations

import uuid

from tocsin.domain.concerns import (
    ChildRecorded,
    ChildScreened,
    ConcernRecorded,
    InformationAdded,
    RecordViewed,
    RiskRegraded,
)
from tocsin.ledger import Envelope
from tocsin.server.casework.appliers import note_band, open_case
from tocsin.server.concerns.models import (
    Child,
    Concern,
    ConcernChild,
    ConcernNote,
    RecordView,
    Regrading,
    Screening,
)
from tocsin.server.projections import ProjectionSession, applies

_LINKS = uuid.UUID("5d1f7a52-3c0e-4e43-9d5a-0a7c3e0b6f11")


def link_id(first: str, second: str) -> str:
    """A stable id for a row that joins two records (the same in replay as live)."""
    return str(uuid.uuid5(_LINKS, f"{first}/{second}"))


@applies(ConcernRecorded)
def apply_concern_recorded(
    event: ConcernRecorded, envelope: Envelope, session: ProjectionSession
) -> None:
    session.insert(
        Concern,
        id=event.concern_id,
        reference=event.reference,
        channel=event.channel,
        agency_id=event.agency_id,
        recorded_by_id=event.recorded_by,
        narrative=event.narrative,
        occurred_on=event.occurred_on,
        occurred_where=event.occurred_where,
        persons=event.persons,
        vehicles=event.vehicles,
        phones=event.phones,
        places=event.places,
        cin_factors=event.cin_factors,
        grading=event.grading,
        follow_up_code_hash=event.follow_up_code_hash,
        language_warnings=event.language_warnings,
        recorded_seq=envelope.seq,
        recorded_at=envelope.time,
    )
    open_case(event.concern_id, event.agency_id, envelope, session)
    for child_id in event.children:
        session.insert(
            ConcernChild,
            id=link_id(event.concern_id, child_id),
            concern_id=event.concern_id,
            child_id=child_id,
        )


@applies(ChildRecorded)
def apply_child_recorded(
    event: ChildRecorded, envelope: Envelope, session: ProjectionSession
) -> None:
    session.insert(
        Child,
        id=event.child_id,
        given_name=event.given_name,
        family_name=event.family_name,
        aliases=event.aliases,
        date_of_birth=event.date_of_birth,
        approximate_age=event.approximate_age,
        sex=event.sex,
        address=event.address,
        postcode=event.postcode,
        school=event.school,
        nhs_number=event.nhs_number,
        description=event.description,
        first_seq=envelope.seq,
    )


@applies(ChildScreened)
def apply_child_screened(
    event: ChildScreened, envelope: Envelope, session: ProjectionSession
) -> None:
    session.insert(
        Screening,
        id=event.screening_id,
        concern_id=event.concern_id,
        child_id=event.child_id,
        scheme=event.scheme,
        scheme_version=event.scheme_version,
        as_of=event.as_of,
        observations=event.observations,
        contributions=event.contributions,
        score=event.score,
        band=event.band,
        current_band=event.band,
        screened_seq=envelope.seq,
    )
    note_band(event.concern_id, event.screening_id, event.band, envelope, session)


@applies(RiskRegraded)
def apply_risk_regraded(
    event: RiskRegraded, envelope: Envelope, session: ProjectionSession
) -> None:
    session.insert(
        Regrading,
        id=event.regrading_id,
        concern_id=event.concern_id,
        screening_id=event.screening_id,
        from_band=event.from_band,
        to_band=event.to_band,
        reason=event.reason,
        actor=envelope.actor,
        regraded_seq=envelope.seq,
    )
    session.update(Screening, event.screening_id, current_band=event.to_band)
    note_band(event.concern_id, event.screening_id, event.to_band, envelope, session)


@applies(InformationAdded)
def apply_information_added(
    event: InformationAdded, envelope: Envelope, session: ProjectionSession
) -> None:
    session.insert(
        ConcernNote,
        id=event.note_id,
        concern_id=event.concern_id,
        channel=event.channel,
        text=event.text,
        language_warnings=event.language_warnings,
        added_seq=envelope.seq,
        added_at=envelope.time,
    )


@applies(RecordViewed)
def apply_record_viewed(
    event: RecordViewed, envelope: Envelope, session: ProjectionSession
) -> None:
    for subject in event.shown:
        session.insert(
            RecordView,
            id=link_id(event.view_id, subject),
            view_id=event.view_id,
            viewer=event.viewer,
            purpose=event.purpose,
            subject=subject,
            viewed_seq=envelope.seq,
            viewed_at=envelope.time,
        )
