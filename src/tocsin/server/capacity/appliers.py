"""Appliers for capacity alarms: raised opens a row, cleared closes it."""

from __future__ import annotations

from tocsin.domain.clocks import CapacityAlarmCleared, CapacityAlarmRaised, CapacityOverrideSet
from tocsin.ledger import Envelope
from tocsin.server.capacity.models import CapacityAlarm, CapacityOverride
from tocsin.server.projections import ProjectionSession, applies


@applies(CapacityAlarmRaised)
def apply_capacity_alarm_raised(
    event: CapacityAlarmRaised, envelope: Envelope, session: ProjectionSession
) -> None:
    session.insert(
        CapacityAlarm,
        id=event.alarm_id,
        scope=event.scope,
        scope_id=event.scope_id,
        agency_id=event.agency_id or "",
        measure=event.measure,
        value=event.value,
        threshold=event.threshold,
        raised_at=event.as_of,
        raised_seq=envelope.seq,
        cleared_value=None,
        cleared_at="",
        cleared_seq=None,
    )


@applies(CapacityAlarmCleared)
def apply_capacity_alarm_cleared(
    event: CapacityAlarmCleared, envelope: Envelope, session: ProjectionSession
) -> None:
    session.update(
        CapacityAlarm,
        event.alarm_id,
        cleared_value=event.value,
        cleared_at=event.as_of,
        cleared_seq=envelope.seq,
    )


@applies(CapacityOverrideSet)
def apply_capacity_override_set(
    event: CapacityOverrideSet, envelope: Envelope, session: ProjectionSession
) -> None:
    session.replace(
        CapacityOverride,
        CapacityOverride.key(event.scope, event.scope_id, event.measure),
        scope=event.scope,
        scope_id=event.scope_id,
        agency_id=event.agency_id or "",
        measure=event.measure,
        threshold=event.threshold,
        reason=event.reason,
        set_by=envelope.actor,
        set_at=envelope.time,
        set_seq=envelope.seq,
    )
