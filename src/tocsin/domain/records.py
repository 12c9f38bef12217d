"""Retention: legal holds and the expunging of records whose retention period has ended."""

from __future__ import annotations

from dataclasses import dataclass

from tocsin.domain.events import Event

__all__ = ["EVERYTHING", "LegalHoldLifted", "LegalHoldPlaced", "RecordExpunged"]

#: The scope of a legal hold over the whole ledger, such as a public inquiry's moratorium.
EVERYTHING = "*"


@dataclass(frozen=True)
class LegalHoldPlaced(Event):
    kind = "legal_hold.placed"
    meaning = "A legal hold now stops a record (or, with scope *, every record) being expunged."
    hold_id: str
    scope: str
    reason: str

    def subjects(self) -> tuple[str, ...]:
        return (f"legal_hold:{self.hold_id}",)


@dataclass(frozen=True)
class LegalHoldLifted(Event):
    kind = "legal_hold.lifted"
    meaning = "A legal hold was lifted."
    hold_id: str
    reason: str

    def subjects(self) -> tuple[str, ...]:
        return (f"legal_hold:{self.hold_id}",)


@dataclass(frozen=True)
class RecordExpunged(Event):
    kind = "record.expunged"
    meaning = (
        "A record reached the end of retention: the payloads and salts of its events (listed in "
        "seqs) were erased; their leaves stay."
    )
    expunction_id: str
    subject: str
    seqs: list[int]
    reason: str

    def subjects(self) -> tuple[str, ...]:
        return (f"expunction:{self.expunction_id}", self.subject)
