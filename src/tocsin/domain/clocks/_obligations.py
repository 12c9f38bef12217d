"""What the clock engine takes and gives: ledger events as the clocks see them, obligations
as of a moment, the escalations due, and the changes one event makes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tocsin.domain.clocks._events import ObligationEscalated
from tocsin.ledger import format_event_time

__all__ = [
    "STATUSES",
    "ClockEvent",
    "Escalation",
    "Evaluation",
    "Obligation",
    "ObligationChange",
    "moment",
]

#: Where an obligation stands (code: words for people).
STATUSES: dict[str, str] = {
    "open": "Open",
    "overdue": "Overdue",
    "met": "Met",
    "cancelled": "Cancelled",
}


def moment(value: datetime | str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("clock events need timezone-aware times")
    return value.astimezone(UTC)


@dataclass(frozen=True)
class ClockEvent:
    """One ledger event as the clocks see it. ``payload`` is None when it has been erased
    (expunged): its kind and subjects still count, its payload meets no condition."""

    seq: int
    time: datetime
    kind: str
    subjects: tuple[str, ...]
    payload: Mapping[str, Any] | None

    @classmethod
    def of(
        cls,
        seq: int,
        time: datetime | str,
        kind: str,
        subjects: Iterable[str],
        payload: Mapping[str, Any] | None,
    ) -> ClockEvent:
        """Build one from a ledger envelope's parts (``time`` as RFC 3339 text or aware)."""
        return cls(seq, moment(time), kind, tuple(subjects), payload)


@dataclass(frozen=True)
class Obligation:
    """An obligation as of a moment (``as_of``): when it is due, where it stands, and how
    far up the ladder it is."""

    #: deterministic: "<obligation>:<trigger seq>" (and ":<item id>" for one of a list).
    id: str
    #: the rule's id in the policy, such as "decision".
    obligation: str
    label: str
    #: the subject it is about, such as "concern:<id>" or "decision:<id>".
    key: str
    concern_id: str | None
    child_ids: tuple[str, ...]
    #: the owner's role at level 0 (one of OWNERS), and a person when the trigger names one.
    owner: str
    owner_id: str | None
    trigger_seq: int
    started: datetime
    due: datetime
    #: when levels 1, 2 and 3 are reached (level 1 at the due time).
    thresholds: tuple[datetime, datetime, datetime]
    #: the highest level recorded by ``obligation.escalated`` events (0: none).
    escalated_level: int
    #: open, overdue, met or cancelled, as of ``as_of``.
    status: str
    #: open: the level reached by ``as_of``; ended: the highest level recorded.
    level: int
    as_of: datetime
    #: the event that ended it (met or cancelled), or "superseded" for a restarted clock.
    ended_by: str | None = None
    ended_seq: int | None = None
    ended_at: datetime | None = None
    #: an ``escalation.closed`` reason, when that ended it.
    ended_reason: str | None = None

    @property
    def is_open(self) -> bool:
        """Neither met nor cancelled (it may be overdue)."""
        return self.status in ("open", "overdue")

    @property
    def met_in_time(self) -> bool | None:
        """For a met obligation, whether it was met before its due time; None otherwise."""
        if self.status != "met" or self.ended_at is None:
            return None
        return self.ended_at < self.due

    @property
    def pending_levels(self) -> tuple[int, ...]:
        """Levels reached by ``as_of`` but not yet recorded (what a sweep would append)."""
        if not self.is_open:
            return ()
        return tuple(range(self.escalated_level + 1, self.level + 1))

    def to_json(self) -> dict[str, Any]:
        """Plain JSON, as `tocsin obligations --json` and the API show it."""
        return {
            "id": self.id,
            "obligation": self.obligation,
            "label": self.label,
            "key": self.key,
            "concern": self.concern_id,
            "children": list(self.child_ids),
            "owner": self.owner,
            "owner_id": self.owner_id,
            "trigger_seq": self.trigger_seq,
            "started": format_event_time(self.started),
            "due": format_event_time(self.due),
            "thresholds": [format_event_time(t) for t in self.thresholds],
            "status": self.status,
            "level": self.level,
            "escalated_level": self.escalated_level,
            "as_of": format_event_time(self.as_of),
            "ended_by": self.ended_by,
            "ended_seq": self.ended_seq,
            "ended_at": format_event_time(self.ended_at) if self.ended_at else None,
            "ended_reason": self.ended_reason,
        }


@dataclass(frozen=True)
class Escalation:
    """A level an open obligation has reached and nobody has recorded yet."""

    obligation_id: str
    obligation: str
    concern_id: str | None
    level: int
    #: the ladder's role at that level, such as "team_manager".
    to_role: str
    due: datetime
    #: when the level was reached (its threshold); never after ``as_of``.
    reached: datetime
    as_of: datetime
    policy_version: int

    def to_event(self) -> ObligationEscalated:
        """The ``obligation.escalated`` event that records it."""
        return ObligationEscalated(
            obligation_id=self.obligation_id,
            obligation=self.obligation,
            concern_id=self.concern_id,
            level=self.level,
            to_role=self.to_role,
            due=format_event_time(self.due),
            as_of=format_event_time(self.as_of),
            policy_version=self.policy_version,
        )


@dataclass(frozen=True)
class ObligationChange:
    """What one event did to one obligation: "opened", "met", "cancelled" or "escalated"."""

    change: str
    seq: int
    obligation: Obligation


@dataclass(frozen=True)
class Evaluation:
    """Every obligation the events created (open, met and cancelled), as of ``as_of``, and
    the escalations due then and not yet recorded."""

    as_of: datetime
    obligations: tuple[Obligation, ...]
    escalations: tuple[Escalation, ...]
