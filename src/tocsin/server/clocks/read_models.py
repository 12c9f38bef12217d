"""Read models for the clocks: the open obligations (all, or a concern's) with their level now
and their deadline in words, and the escalations waiting at each level."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from tocsin.server.actors import NotVisible
from tocsin.server.clocks.models import Escalation, OpenObligation
from tocsin.server.clocks.sweep import clocks_policy
from tocsin.server.concerns.gates import visibility
from tocsin.server.concerns.models import Concern
from tocsin.server.directory.models import User

__all__ = [
    "LADDER_ROLES",
    "Deadline",
    "EscalationShown",
    "deadlines_of",
    "escalated_to",
    "escalation_for",
    "escalations_of",
    "moment",
    "open_escalations",
    "open_obligations",
    "overdue_obligations",
    "shown",
    "still_open",
]

#: The ladder's roles (the clocks policy's ``[[level]]`` roles) as Tocsin's roles.
LADDER_ROLES: dict[str, str] = {
    "team_manager": "team_manager",
    "head_of_service": "head_of_service",
    "scrutineer": "partnership_scrutineer",
}


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


@dataclass(frozen=True)
class EscalationShown:
    """An escalation as a page shows it: the obligation's name, and its deadline as a date
    and in words ("3 days overdue") as of the moment the page is read."""

    escalation: Escalation
    label: str
    due: datetime
    in_words: str
    #: whether it is past its due time at the moment the page is read.
    overdue: bool

    @property
    def open(self) -> bool:
        return self.escalation.closed_seq is None


def moment(value: str) -> datetime:
    """An RFC 3339 time (as events carry them) as an aware datetime."""
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def shown(escalations: list[Escalation], now: datetime) -> list[EscalationShown]:
    """Escalations with their obligation's name and deadline in words."""
    policy = clocks_policy()
    labels = {rule.id: rule.label for rule in policy.obligations}
    return [
        EscalationShown(
            e,
            labels.get(e.obligation, e.obligation.replace("_", " ")),
            moment(e.due),
            policy.calendar.describe(moment(e.due), now),
            moment(e.due) <= now,
        )
        for e in escalations
    ]


def escalation_for(user: User, escalation_id: str, now: datetime) -> EscalationShown:
    """One escalation, if ``user`` may see its concern (:class:`NotVisible` otherwise)."""
    condition = visibility(
        user, agency="concern__agency_id", allocated="concern__case__allocated_agency_id"
    )
    rows = Escalation.objects.filter(pk=escalation_id, concern__isnull=False)
    found = None if condition is None else rows.filter(condition).select_related("concern").first()
    if found is None:
        raise NotVisible("no such escalation, or you do not have access to it")
    return shown([found], now)[0]


def _owning_agency_is(agency_id: object, prefix: str = "concern__") -> Q:
    """The concern's owning agency is ``agency_id``: the agency it is allocated to, or, while
    unallocated, the agency that recorded it."""
    return Q(**{f"{prefix}case__allocated_agency_id": agency_id}) | Q(
        **{f"{prefix}case__allocated_agency__isnull": True, f"{prefix}agency_id": agency_id}
    )


def still_open(escalations: QuerySet[Escalation]) -> QuerySet[Escalation]:
    """The escalations still waiting: not closed, and their obligation still open as of the
    last sweep (one met after it escalated, or closed at level 3, is no longer anyone's)."""
    closed = Escalation.objects.filter(closed_seq__isnull=False).values("obligation_id")
    return escalations.filter(
        closed_seq__isnull=True,
        obligation_id__in=OpenObligation.objects.filter(applies=True).values("id"),
    ).exclude(obligation_id__in=closed)


def escalated_to(user: User) -> QuerySet[Escalation]:
    """The open escalations waiting at ``user``'s level of the ladder, within need-to-know:
    level 1 for the team managers of the concern's team (its agency's, while no team has it),
    level 2 for the heads of service of its owning agency, level 3 for the partnership's
    scrutineers; a public report nobody has allocated (no owning agency) goes to the front
    door's managers at levels 1 and 2."""
    condition = visibility(
        user, agency="concern__agency_id", allocated="concern__case__allocated_agency_id"
    )
    rows = still_open(Escalation.objects.filter(concern__isnull=False))
    if condition is None:
        return rows.none()
    unowned = Q(concern__case__allocated_agency__isnull=True, concern__agency__isnull=True)
    if user.role == "partnership_scrutineer":
        mine = Q(to_role="scrutineer")
    elif user.role == "head_of_service" and user.agency_id is not None:
        mine = Q(to_role="head_of_service") & _owning_agency_is(user.agency_id)
    elif user.role == "team_manager" and user.agency_id is not None:
        mine = Q(concern__case__team__isnull=True) & _owning_agency_is(user.agency_id)
        if user.team_id is not None:
            mine |= Q(concern__case__team_id=user.team_id)
        mine &= Q(to_role="team_manager")
    elif user.role == "mash_manager":
        mine = Q(to_role__in=("team_manager", "head_of_service")) & unowned
    else:
        return rows.none()
    return rows.filter(condition & mine)


def overdue_obligations(now: datetime) -> QuerySet[OpenObligation]:
    """Open obligations about a concern that are past their due time at ``now``, leaving out
    those whose escalation the partnership has closed (the next sweep drops them too)."""
    closed = Escalation.objects.filter(closed_seq__isnull=False).values("obligation_id")
    return OpenObligation.objects.filter(applies=True, due__lte=now, concern__isnull=False).exclude(
        id__in=closed
    )


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
