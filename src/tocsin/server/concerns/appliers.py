"""Appliers for concern events: the only code that writes the concern projections."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from tocsin.domain import screening as screening_policy
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
from tocsin.server.casework.models import Case
from tocsin.server.concerns.models import (
    Child,
    ChildRisk,
    Concern,
    ConcernChild,
    ConcernNote,
    RecordView,
    Regrading,
    Screening,
    unscreened_child_risk,
)
from tocsin.server.people.appliers import record_people
from tocsin.server.projections import ProjectionSession, applies, when_erasing

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
        import_key=event.import_key,
    )
    open_case(event.concern_id, event.agency_id, envelope, session)
    for child_id in event.children:
        session.insert(
            ConcernChild,
            id=link_id(event.concern_id, child_id),
            concern_id=event.concern_id,
            child_id=child_id,
        )
    record_people(event, envelope, session)


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
    session.insert(ChildRisk, child_id=event.child_id, **unscreened_child_risk())


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
    # The screening's part in the child's band across all their concerns (ChildScreening's
    # JSON form, and the sequence number that orders screenings of the same day).
    entry = {
        "concern_id": event.concern_id,
        "as_of": event.as_of,
        "scored_band": event.band,
        "current_band": event.band,
        "observations": event.observations,
        "seq": envelope.seq,
    }
    _change_child_risk(
        event.child_id, session, lambda entries: entries.__setitem__(event.screening_id, entry)
    )


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

    def regrade(entries: dict[str, Any]) -> None:
        if event.screening_id in entries:
            entries[event.screening_id] = {
                **entries[event.screening_id],
                "current_band": event.to_band,
            }

    _change_child_risk(event.child_id, session, regrade)


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
    session.insert_many(
        RecordView,
        (
            {
                "id": link_id(event.view_id, subject),
                "view_id": event.view_id,
                "viewer": event.viewer,
                "purpose": event.purpose,
                "subject": subject,
                "viewed_seq": envelope.seq,
                "viewed_at": envelope.time,
            }
            for subject in event.shown
        ),
    )


def child_risk_columns(entries: dict[str, Any]) -> dict[str, Any]:
    """A :class:`ChildRisk`'s columns from its screenings' parts (screening id: the part,
    as :meth:`ChildScreening.as_json` gives it, with the ``seq`` that recorded it): the band
    across all concerns, by ``tocsin.domain.screening.combined_band``."""
    screenings = [
        screening_policy.ChildScreening.from_json(screening_id, part)
        for screening_id, part in sorted(entries.items(), key=lambda item: item[1]["seq"])
    ]
    child = screening_policy.combined_band(screenings)
    if child is None:
        return {**unscreened_child_risk(), "screenings": entries}
    return {
        "band": child.band.id,
        "band_rank": screening_policy.bands().index(child.band.id),
        "as_of": child.as_of.isoformat(),
        "score": child.combined.score,
        "basis": child.basis,
        "set_by": child.set_by,
        "screenings": entries,
    }


def _change_child_risk(
    child_id: Any, session: ProjectionSession, change: Callable[[dict[str, Any]], None]
) -> None:
    """Change the child's screenings' parts and recompute their band across all concerns."""
    try:
        row = session.get(ChildRisk, child_id)
    except LookupError:
        return  # a child recorded before bands across concerns were kept (see the migration)
    entries = dict(row["screenings"])
    change(entries)
    session.update(ChildRisk, child_id, **child_risk_columns(entries))


@when_erasing
def forget_expunged_screenings(subject: str, session: ProjectionSession) -> None:
    """A concern expunged: its screenings no longer count towards its children's bands (its
    events are skipped in replay, so the bands must end as if they had never been recorded)."""
    prefix, _, concern_id = subject.partition(":")
    if prefix != "concern":
        return
    try:
        screening_ids = list(session.get(Case, concern_id)["bands"])
    except LookupError:
        return  # nothing of the concern is left (in replay, its events were skipped)
    by_child: dict[str, list[str]] = {}
    for screening_id in screening_ids:
        try:
            child_id = session.get(Screening, screening_id)["child_id"]
        except LookupError:
            continue
        by_child.setdefault(str(child_id), []).append(screening_id)
    for child_id, gone in by_child.items():

        def forget(entries: dict[str, Any], gone: list[str] = gone) -> None:
            for screening_id in gone:
                entries.pop(screening_id, None)

        _change_child_risk(child_id, session, forget)
