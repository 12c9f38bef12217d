"""Events of case work: allocation, decisions, proposals to lower a band, sign-off, contact
with the child and family, and outcomes."""

from __future__ import annotations

from dataclasses import dataclass

from tocsin.domain.events import Event

__all__ = [
    "ConcernAllocated",
    "ContactRecorded",
    "DecisionRecorded",
    "DecisionSignedOff",
    "OutcomeRecorded",
    "RegradeProposed",
]


@dataclass(frozen=True)
class ConcernAllocated(Event):
    kind = "concern.allocated"
    meaning = (
        "A concern was allocated (or reallocated) to a team and, if named, a worker, who then "
        "own it; the first allocation takes it off the front door."
    )
    allocation_id: str
    concern_id: str
    team_id: str | None
    worker_id: str | None
    #: the agency now responsible (the team's), which may see the concern from then on.
    agency_id: str | None
    reason: str

    def subjects(self) -> tuple[str, ...]:
        subjects = [f"concern:{self.concern_id}"]
        if self.worker_id:
            subjects.append(f"user:{self.worker_id}")
        if self.team_id:
            subjects.append(f"team:{self.team_id}")
        return tuple(subjects)


@dataclass(frozen=True)
class DecisionRecorded(Event):
    kind = "decision.recorded"
    meaning = (
        "A decision about a concern was made, with its rationale; one that needs a second person "
        "(no further action, closing) waits for sign-off before it takes effect."
    )
    decision_id: str
    concern_id: str
    decision: str
    rationale: str
    language_warnings: int
    awaiting_sign_off: bool
    #: who may sign it off: "front_door" (a MASH manager) or "agency" (a team manager or
    #: head of service in ``agency_id``).
    authority: str
    agency_id: str | None

    def subjects(self) -> tuple[str, ...]:
        return (f"concern:{self.concern_id}", f"decision:{self.decision_id}")


@dataclass(frozen=True)
class RegradeProposed(Event):
    kind = "regrade.proposed"
    meaning = (
        "Someone proposed lowering a screening's band from moderate or above, with their reason; "
        "the band stays as it was until a second person signs the proposal off."
    )
    decision_id: str
    screening_id: str
    concern_id: str
    child_id: str
    from_band: str
    to_band: str
    reason: str
    language_warnings: int
    authority: str
    agency_id: str | None

    def subjects(self) -> tuple[str, ...]:
        return (
            f"concern:{self.concern_id}",
            f"decision:{self.decision_id}",
            f"child:{self.child_id}",
        )


@dataclass(frozen=True)
class DecisionSignedOff(Event):
    kind = "decision.signed_off"
    meaning = (
        "A second person approved or rejected a proposal (no further action, closing, or "
        "lowering a band), with their reason; a rejection returns the concern as it was."
    )
    decision_id: str
    concern_id: str
    approved: bool
    reason: str

    def subjects(self) -> tuple[str, ...]:
        return (f"concern:{self.concern_id}", f"decision:{self.decision_id}")


@dataclass(frozen=True)
class ContactRecorded(Event):
    kind = "contact.recorded"
    meaning = (
        "Contact with a child or their family about a concern was made, or tried and not made, "
        "with how, when, whether the child was seen alone, and a summary."
    )
    contact_id: str
    concern_id: str
    #: the child the contact was about (None when the concern names no child yet).
    child_id: str | None
    with_whom: str
    method: str
    happened_on: str
    made: bool
    #: asked only of contact made with the child; None otherwise.
    seen_alone: bool | None
    summary: str
    language_warnings: int

    def subjects(self) -> tuple[str, ...]:
        subjects = [f"concern:{self.concern_id}"]
        if self.child_id:
            subjects.append(f"child:{self.child_id}")
        return tuple(subjects)


@dataclass(frozen=True)
class OutcomeRecorded(Event):
    kind = "outcome.recorded"
    meaning = (
        "What came of a concern was recorded, with a summary for professionals; whoever raised "
        "the concern is told the kind of outcome in plain words."
    )
    outcome_id: str
    concern_id: str
    outcome: str
    summary: str
    language_warnings: int

    def subjects(self) -> tuple[str, ...]:
        return (f"concern:{self.concern_id}",)
