"""Appliers for people events: the only code that writes the people projections. Person
records are written by :func:`record_people`, which the ``concern.recorded`` applier calls (one
applier per event kind), from the event and the children it names."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from tocsin.domain.concerns import ConcernRecorded
from tocsin.domain.people import PeopleMatched, SearchMade, person_records
from tocsin.ledger import Envelope
from tocsin.server.concerns.models import Child, RecordView
from tocsin.server.people.models import PersonMatch, PersonRecord
from tocsin.server.projections import ProjectionSession, ReplaySession, applies, when_erasing

_MATCHES = uuid.UUID("0b6c2a8e-5f0d-4c55-8d0e-6f8a1f3c2b71")


def match_id(left: str, right: str) -> str:
    """A stable id for the candidate match of two person records (the same in replay)."""
    return str(uuid.uuid5(_MATCHES, f"{left}|{right}"))


def _iso(value: Any) -> str | None:
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value) if value else None


def record_people(event: ConcernRecorded, envelope: Envelope, session: ProjectionSession) -> None:
    """The person records of a recorded concern: its children (as their child records hold
    them) and its persons of concern."""
    children = []
    for child_id in event.children:
        child = session.get(Child, child_id)
        children.append((child_id, {**child, "date_of_birth": _iso(child.get("date_of_birth"))}))
    rows = person_records(
        concern_id=event.concern_id,
        reference=event.reference,
        agency_id=event.agency_id,
        recorded_on=envelope.time[:10],
        children=children,
        persons=event.persons,
    )
    session.insert_many(
        PersonRecord,
        (
            {
                "id": row["record_id"],
                "concern_id": row["concern_id"],
                "agency_id": row["agency_id"],
                "source": row["source"],
                "kind": row["kind"],
                "position": row["position"],
                "child_id": row["child_id"],
                "person_id": row["person_id"],
                "first_name": row["first_name"][:200],
                "middle_names": row["middle_names"][:200],
                "surname": row["surname"][:200],
                "aliases": row["aliases"],
                "date_of_birth": row["date_of_birth"],
                "approximate_age": row["approximate_age"],
                "sex": row["sex"],
                "address": row["address"][:300],
                "postcode": row["postcode"][:10],
                "identifier": row["identifier"],
                "recorded_on": row["recorded_on"],
                "recorded_seq": envelope.seq,
            }
            for row in rows
        ),
    )


@applies(PeopleMatched)
def apply_people_matched(
    event: PeopleMatched, envelope: Envelope, session: ProjectionSession
) -> None:
    rows = []
    for pair in event.pairs:
        # A known record whose concern has since been expunged is gone, and so is the match
        # (replay skips the expunged concern's events, so it never had the record).
        if not session.exists(PersonRecord, pair["left"]):
            continue
        left = session.get(PersonRecord, pair["left"])
        right = session.get(PersonRecord, pair["right"])
        rows.append(
            {
                "id": match_id(pair["left"], pair["right"]),
                "concern_id": event.concern_id,
                "left_id": pair["left"],
                "left_concern_id": left["concern_id"],
                "right_id": pair["right"],
                "kind": right["kind"],
                "probability": pair["probability"],
                "match_weight": pair["match_weight"],
                "weights": pair["weights"],
                "status": pair["status"],
                "decided_by": "model" if pair["status"] == "confirmed" else "",
                "found_seq": envelope.seq,
            }
        )
    session.insert_many(PersonMatch, rows)


@applies(SearchMade)
def apply_search_made(event: SearchMade, envelope: Envelope, session: ProjectionSession) -> None:
    """A search shows its records: "who has seen this record" lists the searcher, for the
    purpose they gave."""
    session.insert_many(
        RecordView,
        (
            {
                "id": str(uuid.uuid5(_MATCHES, f"{event.search_id}/{subject}")),
                "view_id": event.search_id,
                "viewer": event.searcher,
                "purpose": f"search: {event.purpose}"[:100],
                "subject": subject,
                "viewed_seq": envelope.seq,
                "viewed_at": envelope.time,
            }
            for subject in event.shown
        ),
    )


#: What a person record keeps of an expunged child: nothing that describes them.
_FORGOTTEN_CHILD: dict[str, Any] = {
    "first_name": "",
    "middle_names": "",
    "surname": "",
    "aliases": [],
    "date_of_birth": None,
    "approximate_age": None,
    "sex": "U",
    "address": "",
    "postcode": "",
    "identifier": "",
}


@when_erasing
def forget_expunged_child(subject: str, session: ProjectionSession) -> None:
    """A child expunged: the person records of their concerns keep nothing that described
    them, as replay (which skips the child's events, so reads the child's tombstone) writes
    them."""
    prefix, _, child_id = subject.partition(":")
    if prefix != "child":
        return
    if isinstance(session, ReplaySession):
        wanted = str(child_id)
        keys = [
            row["id"]
            for row in session.rows.get(PersonRecord, {}).values()
            if str(row.get("child_id")) == wanted
        ]
    else:
        keys = list(PersonRecord.objects.filter(child_id=child_id).values_list("pk", flat=True))
    for key in keys:
        session.update(PersonRecord, key, **_FORGOTTEN_CHILD)
