"""The capacity check the sweep runs: measure the caseloads and the queues from the case-work
projection, ask the pure rule (``tocsin.domain.clocks.judge_capacity``) which alarms to raise
and which to clear, and append those events as ``system:clocks``.

Figures, from the open cases (``casework_case`` rows not closed):

- a **worker's caseload**: the open cases they own;
- a **team's caseload**: the open cases allocated to it (with or without a worker);
- a **team's queue age**: whole days its oldest open, undecided concern has waited;
- the **front door's queue age**: the same for the concerns not yet allocated to any team.

The check runs inside the sweep's transaction, which holds the clocks' state row, so one check
runs at a time and an alarm is raised at most once while it is open.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Min

from tocsin.domain.clocks import (
    CapacityAlarmCleared,
    CapacityAlarmRaised,
    ClockPolicy,
    Measurement,
    OpenAlarm,
    judge_capacity,
)
from tocsin.ledger import format_event_time
from tocsin.server.actors import SystemActor, actor_id
from tocsin.server.capacity.models import CapacityAlarm, CapacityOverride
from tocsin.server.casework.models import Case
from tocsin.server.ledger.recording import record_event

__all__ = ["FRONT_DOOR", "CapacityCheck", "check_capacity", "measure", "overrides"]

#: The scope id of the front door's queue (the concerns no team has yet).
FRONT_DOOR = "front-door"
#: The same actor as the sweep's escalations: the clocks, not any person.
_CLOCKS = SystemActor("clocks")


@dataclass
class CapacityCheck:
    raised: list[CapacityAlarmRaised] = field(default_factory=list)
    cleared: list[CapacityAlarmCleared] = field(default_factory=list)


def _days_since(recorded_at: str, now: datetime) -> int:
    moment = datetime.fromisoformat(recorded_at.replace("Z", "+00:00"))
    return max(0, (now - moment).days)


def measure(now: datetime) -> list[Measurement]:
    """Every caseload and queue age now (counts only: no record is loaded, so none is
    shown)."""
    open_cases = Case.objects.exclude(status="closed")
    figures: list[Measurement] = []
    workers = (
        open_cases.filter(owner__isnull=False)
        .values("owner_id", "owner__agency_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in workers:
        agency = row["owner__agency_id"]
        figures.append(
            Measurement(
                "worker",
                str(row["owner_id"]),
                str(agency) if agency else None,
                "caseload",
                row["n"],
            )
        )
    teams = (
        open_cases.filter(team__isnull=False)
        .values("team_id", "team__agency_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in teams:
        figures.append(
            Measurement(
                "team", str(row["team_id"]), str(row["team__agency_id"]), "caseload", row["n"]
            )
        )
    waiting = (
        open_cases.filter(team__isnull=False, decision="")
        .values("team_id", "team__agency_id")
        .annotate(oldest=Min("recorded_at"))
        .order_by()
    )
    for row in waiting:
        figures.append(
            Measurement(
                "team",
                str(row["team_id"]),
                str(row["team__agency_id"]),
                "queue_age_days",
                _days_since(row["oldest"], now),
            )
        )
    oldest = open_cases.filter(team__isnull=True, decision="").aggregate(oldest=Min("recorded_at"))
    if oldest["oldest"]:
        figures.append(
            Measurement(
                "front_door",
                FRONT_DOOR,
                None,
                "queue_age_days",
                _days_since(oldest["oldest"], now),
            )
        )
    return figures


def overrides() -> dict[tuple[str, str, str], int]:
    """The capacities set for named workers and teams (``capacity.override_set``), by scope,
    id and measure; removed ones are left out, so the policy's figure applies to them."""
    rows = CapacityOverride.objects.filter(threshold__isnull=False)
    return {
        (row.scope, row.scope_id, row.measure): int(row.threshold)
        for row in rows.only("scope", "scope_id", "measure", "threshold")
        if row.threshold is not None
    }


def check_capacity(policy: ClockPolicy, now: datetime) -> CapacityCheck:
    """Raise the alarms the figures call for and clear those whose figures have fallen, as
    events (nothing when the policy has no ``[capacity]`` table). A named worker or team with
    an override is judged against it instead of the policy's figure."""
    result = CapacityCheck()
    spec = policy.capacity
    if spec is None:
        return result
    open_alarms = [
        OpenAlarm(row.id, row.scope, row.scope_id, row.measure)
        for row in CapacityAlarm.objects.filter(cleared_seq__isnull=True)
    ]
    changes = judge_capacity(spec, measure(now), open_alarms, overrides())
    as_of = format_event_time(now)
    who = actor_id(_CLOCKS)
    for clear in changes.cleared:
        event = CapacityAlarmCleared(alarm_id=clear.alarm.alarm_id, value=clear.value, as_of=as_of)
        record_event(event, actor_id=who)
        result.cleared.append(event)
    for item in changes.raised:
        m = item.measurement
        raised = CapacityAlarmRaised(
            alarm_id=str(uuid.uuid4()),
            scope=m.scope,
            scope_id=m.scope_id,
            agency_id=m.agency_id,
            measure=m.measure,
            value=m.value,
            threshold=item.threshold,
            as_of=as_of,
        )
        record_event(raised, actor_id=who)
        result.raised.append(raised)
    return result
