"""Events about concerns: recorded, screened, regraded, added to, and viewed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tocsin.domain.events import Event

__all__ = [
    "ChildRecorded",
    "ChildScreened",
    "ConcernRecorded",
    "InformationAdded",
    "RecordViewed",
    "RiskRegraded",
]


@dataclass(frozen=True)
class ChildRecorded(Event):
    kind = "child.recorded"
    #: 2 added ``description`` (what an unnamed child looks like); version 1 had none.
    version = 2
    meaning = (
        "A child was first recorded, as the first concern about them described them (by name, "
        "or by description when the name is not known); the child is a record of their own, "
        "kept when a concern about them is expunged."
    )
    child_id: str
    given_name: str
    family_name: str
    aliases: list[str]
    date_of_birth: str | None
    approximate_age: int | None
    sex: str
    address: str
    postcode: str
    school: str
    nhs_number: str
    description: str

    def subjects(self) -> tuple[str, ...]:
        return (f"child:{self.child_id}",)

    @classmethod
    def upcast(cls, version: int, payload: dict[str, Any]) -> dict[str, Any]:
        """Version 1 described a child without ``description``: it was recorded as none."""
        if version == 1:
            return {**payload, "description": ""}
        return super().upcast(version, payload)


@dataclass(frozen=True)
class ConcernRecorded(Event):
    kind = "concern.recorded"
    #: 2 added ``import_key`` (which row of an agency's import it came from); version 1 had none.
    version = 2
    meaning = (
        "A concern was recorded, by a practitioner, a member of the public or an import, with "
        "everything known at the time: about one or more children, or (from an agency) "
        "intelligence about adults, vehicles, phones or places before any child is known."
    )
    concern_id: str
    reference: str
    channel: str
    agency_id: str | None
    recorded_by: str | None
    #: the ids of the children the concern is about (each recorded by child.recorded); none
    #: when an agency records intelligence about adults, vehicles, phones or places before any
    #: child is known.
    children: list[str]
    narrative: str
    occurred_on: str | None
    occurred_where: str
    persons: list[dict[str, Any]]
    vehicles: list[dict[str, Any]]
    phones: list[str]
    places: list[dict[str, Any]]
    cin_factors: list[str]
    grading: dict[str, str] | None
    follow_up_code_hash: str | None
    language_warnings: int
    #: an imported concern's row identity within its agency (``ref:`` and the row's source
    #: reference, or ``sha256:`` and the hash of what the row says), so that importing the
    #: same row again records nothing; None for every other route (docs/import.md).
    import_key: str | None = None

    def subjects(self) -> tuple[str, ...]:
        children = tuple(f"child:{child_id}" for child_id in self.children)
        agency = (f"agency:{self.agency_id}",) if self.agency_id else ()
        return (f"concern:{self.concern_id}", *children, *agency)

    @classmethod
    def upcast(cls, version: int, payload: dict[str, Any]) -> dict[str, Any]:
        """Version 1 had no ``import_key``: no concern was recorded with one."""
        if version == 1:
            return {**payload, "import_key": None}
        return super().upcast(version, payload)


@dataclass(frozen=True)
class ChildScreened(Event):
    kind = "child.screened"
    meaning = (
        "A child was screened for exploitation risk under a versioned scheme; the band is kept "
        "with every indicator and its contribution."
    )
    screening_id: str
    concern_id: str
    child_id: str
    scheme: str
    scheme_version: str
    as_of: str
    observations: list[dict[str, str]]
    contributions: list[dict[str, Any]]
    score: int
    band: str

    def subjects(self) -> tuple[str, ...]:
        return (f"concern:{self.concern_id}", f"child:{self.child_id}")


@dataclass(frozen=True)
class RiskRegraded(Event):
    kind = "risk.regraded"
    meaning = (
        "A professional changed a screening's band, with their reason; the screening and its "
        "indicators stay as they were."
    )
    regrading_id: str
    screening_id: str
    concern_id: str
    child_id: str
    from_band: str
    to_band: str
    reason: str

    def subjects(self) -> tuple[str, ...]:
        return (f"concern:{self.concern_id}", f"child:{self.child_id}")


@dataclass(frozen=True)
class InformationAdded(Event):
    kind = "concern.information_added"
    meaning = (
        "Information was added to a concern (a practitioner's note or a reporter's follow-up)."
    )
    note_id: str
    concern_id: str
    channel: str
    text: str
    language_warnings: int

    def subjects(self) -> tuple[str, ...]:
        return (f"concern:{self.concern_id}",)


@dataclass(frozen=True)
class RecordViewed(Event):
    kind = "record.viewed"
    meaning = "Someone was shown records (one event per request, listing every record shown)."
    view_id: str
    viewer: str
    purpose: str
    shown: list[str]

    def subjects(self) -> tuple[str, ...]:
        return (f"view:{self.view_id}", *self.shown)
