"""Read models for the clocks: the open obligations (all, or a concern's) with their level now
and their deadline in words, and the escalations waiting at each level."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from tocsin.server.clocks.models import Escalation, OpenObligation
from tocsin.server.clocks.sweep import clocks_policy
from tocsin.server.concerns.models import Concern

__all__ = ["Deadline", "deadlines_of", "escalations_of", "open_escalations", "open_obligations"]


@dataclass(frozen=True)
class Deadline:
    """An open obligation as a page shows it: what, due when, in words, and how far up the
    ladder it has gone."""

    obligation: OpenObligation
    level: int
    #: "due in 2 working days", "3 days overdue".
    in_words: str

    @property
    def overdue(self) -> bool:
        return self.level > 0


def open_obligations(now: datetime, *, overdue_only: bool = False) -> list[OpenObligation]:
    """Every open obligation (as of the last sweep), soonest due first."""
    rows: QuerySet[OpenObligation] = OpenObligation.objects.filter(applies=True)
    if overdue_only:
        rows = rows.filter(due__lte=now)
    return list(rows.select_related("concern").order_by("due", "id"))


def deadlines_of(concern: Concern, now: datetime) -> list[Deadline]:
    """The open obligations of a concern the reader was already let see, soonest first."""
    calendar = clocks_policy().calendar
    rows = OpenObligation.objects.filter(concern_id=concern.pk, applies=True).order_by("due")
    return [Deadline(row, row.level_at(now), calendar.describe(row.due, now)) for row in rows]


def open_escalations(level: int | None = None) -> QuerySet[Escalation]:
    """Escalations nobody has closed, newest first (at ``level`` only, if given)."""
    rows = Escalation.objects.filter(closed_seq__isnull=True)
    if level is not None:
        rows = rows.filter(level=level)
    return rows.select_related("concern").order_by("-escalated_seq")


def escalations_of(concern: Concern) -> list[Escalation]:
    """Every escalation of a concern the reader was already let see, oldest first."""
    return list(Escalation.objects.filter(concern_id=concern.pk).order_by("escalated_seq"))
