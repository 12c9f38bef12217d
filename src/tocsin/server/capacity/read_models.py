"""Read models for capacity alarms: who may see them, and the open alarms with their figures
(when raised, and now) for the capacity page and the partnership's oversight view.

An alarm is about staff and queues, never a record about a child: it holds counts, so reading
one appends no ``record.viewed``. Heads of service see their own agency's alarms and the front
door's; the partnership's scrutineers see every alarm. Nobody else sees them, and nobody at
all can clear one: only the numbers falling do (the sweep clears it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from tocsin.domain.clocks import CapacitySpec
from tocsin.server.actors import NotVisible
from tocsin.server.capacity.check import FRONT_DOOR, measure
from tocsin.server.capacity.models import CapacityAlarm, CapacityOverride
from tocsin.server.directory.models import Agency, Team, User

__all__ = [
    "ALARM_ROLES",
    "AlarmShown",
    "OverrideShown",
    "alarms_visible_to",
    "may_see_alarms",
    "open_alarms",
    "override_targets",
    "overrides_shown",
]

#: Who an alarm goes to: the head of service (level 2) and the partnership (level 3).
ALARM_ROLES = ("head_of_service", "partnership_scrutineer")


@dataclass(frozen=True)
class AlarmShown:
    """An open alarm as a page shows it."""

    alarm: CapacityAlarm
    #: the worker's name, the team's, or "The front door".
    who: str
    agency: str
    #: the figure now (None if it could not be measured; 0 when the scope has none).
    now_value: int
    raised_at: datetime


def may_see_alarms(user: object) -> bool:
    """Whether ``user`` may see capacity alarms."""
    return bool(getattr(user, "is_active", False)) and getattr(user, "role", "") in ALARM_ROLES


def alarms_visible_to(user: User) -> QuerySet[CapacityAlarm]:
    """The alarms (open or cleared) ``user`` may see; none if they may see none."""
    alarms = CapacityAlarm.objects.all()
    if not may_see_alarms(user):
        return alarms.none()
    if user.role == "head_of_service":
        return alarms.filter(Q(agency_id=str(user.agency_id)) | Q(scope="front_door"))
    return alarms


def _names(alarms: list[CapacityAlarm]) -> tuple[dict[str, str], dict[str, str]]:
    users = {
        str(u.pk): str(u)
        for u in User.objects.filter(pk__in=[a.scope_id for a in alarms if a.scope == "worker"])
    }
    teams = {
        str(t.pk): t.name
        for t in Team.objects.filter(pk__in=[a.scope_id for a in alarms if a.scope == "team"])
    }
    agencies = {
        str(a.pk): a.name
        for a in Agency.objects.filter(pk__in=[a.agency_id for a in alarms if a.agency_id])
    }
    return {**users, **teams, FRONT_DOOR: "The front door"}, agencies


def open_alarms(user: User, now: datetime | None = None) -> list[AlarmShown]:
    """The open alarms ``user`` may see, oldest first, each with its figure now.

    :class:`NotVisible` if ``user`` may not see capacity alarms at all."""
    if not may_see_alarms(user):
        raise NotVisible("capacity alarms go to heads of service and the partnership")
    now = now or timezone.now()
    alarms = list(alarms_visible_to(user).filter(cleared_seq__isnull=True).order_by("raised_seq"))
    if not alarms:
        return []
    who, agencies = _names(alarms)
    figures = {m.key: m.value for m in measure(now)}
    return [
        AlarmShown(
            alarm=a,
            who=who.get(a.scope_id, "No longer listed"),
            agency=agencies.get(a.agency_id, "The partnership" if not a.agency_id else ""),
            now_value=figures.get((a.scope, a.scope_id, a.measure), 0),
            raised_at=datetime.fromisoformat(a.raised_at.replace("Z", "+00:00")),
        )
        for a in alarms
    ]


@dataclass(frozen=True)
class OverrideShown:
    """A named worker's or team's capacity as a page shows it: the override, whose it is,
    the policy's figure it replaces and who set it."""

    override: CapacityOverride
    who: str
    agency: str
    policy_figure: int
    set_by: str
    set_at: datetime


def _overrides_visible_to(user: User) -> QuerySet[CapacityOverride]:
    rows = CapacityOverride.objects.all()
    if not may_see_alarms(user):
        return rows.none()
    if user.role == "head_of_service":
        return rows.filter(agency_id=str(user.agency_id))
    return rows


def overrides_shown(user: User, spec: CapacitySpec | None) -> list[OverrideShown]:
    """The capacities in force for named workers and teams that ``user`` may see (their own
    agency's for a head of service, every one for the partnership), most recent first.
    Removed overrides are left out: the policy's figure applies to those."""
    if spec is None or not may_see_alarms(user):
        return []
    rows = list(_overrides_visible_to(user).filter(threshold__isnull=False).order_by("-set_seq"))
    if not rows:
        return []
    users = {
        str(u.pk): str(u)
        for u in User.objects.filter(pk__in=[r.scope_id for r in rows if r.scope == "worker"])
    }
    teams = {
        str(t.pk): t.name
        for t in Team.objects.filter(pk__in=[r.scope_id for r in rows if r.scope == "team"])
    }
    agencies = {
        str(a.pk): a.name
        for a in Agency.objects.filter(pk__in=[r.agency_id for r in rows if r.agency_id])
    }
    setters = {
        f"user:{u.pk}": str(u)
        for u in User.objects.filter(
            pk__in=[r.set_by.removeprefix("user:") for r in rows if r.set_by.startswith("user:")]
        )
    }
    return [
        OverrideShown(
            override=r,
            who={**users, **teams}.get(r.scope_id, "No longer listed"),
            agency=agencies.get(r.agency_id, ""),
            policy_figure=spec.threshold(r.scope, r.measure),
            set_by=setters.get(r.set_by, "Tocsin's administrator"),
            set_at=datetime.fromisoformat(r.set_at.replace("Z", "+00:00")),
        )
        for r in rows
    ]


def override_targets(user: User) -> tuple[list[User], list[Team]]:
    """The workers and teams whose capacity ``user`` may set: their own agency's for a head
    of service, everyone's for the partnership (sorted by name)."""
    if not may_see_alarms(user):
        return [], []
    from tocsin.server.capacity.actions import CASE_ROLES

    people = User.objects.filter(is_active=True, role__in=CASE_ROLES, agency__isnull=False)
    teams = Team.objects.all()
    if user.role == "head_of_service":
        people = people.filter(agency_id=user.agency_id)
        teams = teams.filter(agency_id=user.agency_id)
    return (
        list(people.select_related("agency").order_by("display_name", "username")),
        list(teams.select_related("agency").order_by("name")),
    )
