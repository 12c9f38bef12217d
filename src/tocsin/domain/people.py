"""People across concerns (issue 15): every child and adult a concern names is a person record,
keyed by the concern's reference and the person's place in it (``C-1234/child/0``,
``C-1234/person/1``); the linkage engine scores new records against the known ones, and what it
found is an event. A search across the partnership is an event too.

Pure: no Django. The server builds its projections from these (``tocsin.server.people``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tocsin.domain.events import Event

__all__ = [
    "MATCH_STATUSES",
    "SEARCH_KINDS",
    "PeopleMatched",
    "SearchMade",
    "adult_record_id",
    "child_record_id",
    "person_records",
    "split_name",
]

#: A candidate match's status: proposed for clerical review, confirmed (by the model at or
#: above the link threshold, or by a person), or rejected by a person.
MATCH_STATUSES: dict[str, str] = {
    "proposed": "Proposed for review",
    "confirmed": "Confirmed",
    "rejected": "Rejected",
}
#: What a search across the partnership may look for.
SEARCH_KINDS: dict[str, str] = {
    "person": "A person",
    "vehicle": "A vehicle",
    "phone": "A phone",
    "place": "A place",
}


def child_record_id(reference: str, position: int) -> str:
    """The person record of the ``position``-th child (from 0) of the concern ``reference``."""
    return f"{reference}/child/{position}"


def adult_record_id(reference: str, position: int) -> str:
    """The person record of the ``position``-th person of concern (an adult, from 0)."""
    return f"{reference}/person/{position}"


def split_name(full: str) -> tuple[str, str, str]:
    """A name as given, split into first name, middle names and surname (one word: a first
    name only, since a single name given for an adult is usually what they are called)."""
    words = full.split()
    if not words:
        return "", "", ""
    if len(words) == 1:
        return words[0], "", ""
    return words[0], " ".join(words[1:-1]), words[-1]


def person_records(
    *,
    concern_id: str,
    reference: str,
    agency_id: str | None,
    recorded_on: str | None,
    children: Sequence[tuple[str, Mapping[str, Any]]],
    persons: Sequence[Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """The person records a recorded concern holds, as column dictionaries: its ``children``
    (each ``(child id, the child as recorded)``) and its ``persons`` of concern (adults, as the
    ``concern.recorded`` event carries them). Columns are the linkage schema's
    (``tocsin.intel.linkage.PERSON_COLUMNS``) plus where each record comes from."""
    source = agency_id or "public"
    records: list[dict[str, Any]] = []
    for position, (child_id, child) in enumerate(children):
        records.append(
            {
                "record_id": child_record_id(reference, position),
                "concern_id": concern_id,
                "agency_id": agency_id,
                "source": source,
                "kind": "child",
                "position": position,
                "child_id": child_id,
                "person_id": "",
                "first_name": child.get("given_name") or "",
                "middle_names": "",
                "surname": child.get("family_name") or "",
                "aliases": list(child.get("aliases") or []),
                "date_of_birth": child.get("date_of_birth") or None,
                "approximate_age": child.get("approximate_age"),
                "sex": child.get("sex") or "U",
                "address": child.get("address") or "",
                "postcode": child.get("postcode") or "",
                "identifier": child.get("nhs_number") or "",
                "recorded_on": recorded_on,
            }
        )
    for position, person in enumerate(persons):
        names = [n for n in person.get("names") or [] if n.strip()]
        first, middle, surname = split_name(names[0]) if names else ("", "", "")
        aliases = [*names[1:], *(person.get("nicknames") or [])]
        records.append(
            {
                "record_id": adult_record_id(reference, position),
                "concern_id": concern_id,
                "agency_id": agency_id,
                "source": source,
                "kind": "adult",
                "position": position,
                "child_id": None,
                "person_id": str(person.get("person_id") or ""),
                "first_name": first,
                "middle_names": middle,
                "surname": surname,
                "aliases": aliases,
                "date_of_birth": None,
                "approximate_age": person.get("approximate_age"),
                "sex": "U",
                "address": "",
                "postcode": "",
                "identifier": "",
                "recorded_on": recorded_on,
            }
        )
    return records


@dataclass(frozen=True)
class PeopleMatched(Event):
    kind = "people.matched"
    meaning = (
        "The children and adults of a newly recorded concern were checked against every person "
        "already known: each candidate match found (the known record, the new one, the match "
        "probability, each field's match weight) and whether it was confirmed at the link "
        "threshold or proposed for clerical review."
    )
    concern_id: str
    #: which model scored them (its file's SHA-256) and at which thresholds.
    model: str
    link_threshold: float
    review_threshold: float
    #: each {"left", "right", "probability", "match_weight", "weights", "status"}: ``left``
    #: the known record, ``right`` this concern's; ``status`` proposed or confirmed.
    pairs: list[dict[str, Any]]

    def subjects(self) -> tuple[str, ...]:
        return (f"concern:{self.concern_id}",)


@dataclass(frozen=True)
class SearchMade(Event):
    kind = "search.made"
    meaning = (
        "Someone searched across the partnership for a person, vehicle, phone or place, for a "
        "stated purpose: the query, the records shown to them, and the agencies that hold "
        "records they may not see (told whom to contact, not what the records say)."
    )
    search_id: str
    searcher: str
    purpose: str
    #: person, vehicle, phone or place.
    looked_for: str
    query: dict[str, Any]
    #: the records shown (``concern:<id>``, ``child:<id>``).
    shown: list[str]
    #: the agencies (ids; "public" for public reports) holding records not shown.
    held_elsewhere: list[str]

    def subjects(self) -> tuple[str, ...]:
        return (f"search:{self.search_id}",)
