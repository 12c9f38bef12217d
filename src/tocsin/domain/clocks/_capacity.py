"""Capacity alarms: which to raise and which to clear, given the caseloads and queue ages now,
the thresholds of the clocks policy's ``[capacity]`` table and the alarms already open.

A pure rule, with hysteresis so that an alarm does not flap: it is raised when a figure goes
**over** its threshold, and cleared only when the figure has fallen to the threshold less the
policy's ``clear_margin_percent`` (at least one below the threshold). Between the two, nothing
changes. Nobody clears an alarm by hand: only the numbers falling do (issue 13, part 5).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "CAPACITY_MEASURED",
    "AlarmToClear",
    "AlarmToRaise",
    "CapacityChanges",
    "CapacitySpec",
    "Measurement",
    "OpenAlarm",
    "judge_capacity",
]

#: What is measured of each scope: a worker's open cases; a team's open cases and the age of
#: its oldest undecided concern; the front door's oldest undecided concern.
CAPACITY_MEASURED: dict[str, tuple[str, ...]] = {
    "worker": ("caseload",),
    "team": ("caseload", "queue_age_days"),
    "front_door": ("queue_age_days",),
}


@dataclass(frozen=True)
class CapacitySpec:
    """The ``[capacity]`` table of a clocks policy."""

    #: the open cases one worker can carry; more raises an alarm.
    worker_caseload: int
    #: the open cases one team can carry (allocated to it, with or without a worker).
    team_caseload: int
    #: whole days the oldest undecided concern of a queue may wait; longer raises an alarm.
    queue_age_days: int
    #: how far (per cent of the threshold) a figure must fall below it to clear its alarm.
    clear_margin_percent: int
    source: str

    def threshold(self, scope: str, measure: str) -> int:
        """The threshold of ``measure`` for a ``scope``: over it, an alarm is raised."""
        if measure == "queue_age_days":
            return self.queue_age_days
        return self.worker_caseload if scope == "worker" else self.team_caseload

    def clears_at(self, threshold: int) -> int:
        """The figure at or below which an alarm of ``threshold`` clears: the threshold less
        the margin, and always at least one below it (so an alarm cannot flap)."""
        return min(threshold - 1, threshold * (100 - self.clear_margin_percent) // 100)


@dataclass(frozen=True)
class Measurement:
    """One figure now: a scope's caseload or queue age."""

    #: "worker", "team" or "front_door".
    scope: str
    #: the worker's user id, the team's id, or "front-door".
    scope_id: str
    agency_id: str | None
    #: "caseload" or "queue_age_days".
    measure: str
    value: int

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.scope, self.scope_id, self.measure)


@dataclass(frozen=True)
class OpenAlarm:
    """An alarm raised and not yet cleared."""

    alarm_id: str
    scope: str
    scope_id: str
    measure: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.scope, self.scope_id, self.measure)


@dataclass(frozen=True)
class AlarmToRaise:
    measurement: Measurement
    threshold: int


@dataclass(frozen=True)
class AlarmToClear:
    alarm: OpenAlarm
    #: the figure now (0 when the scope has no figure any more: no open cases, say).
    value: int


@dataclass(frozen=True)
class CapacityChanges:
    raised: tuple[AlarmToRaise, ...]
    cleared: tuple[AlarmToClear, ...]


def judge_capacity(
    spec: CapacitySpec, measurements: Iterable[Measurement], open_alarms: Iterable[OpenAlarm]
) -> CapacityChanges:
    """Which alarms to raise (a figure over its threshold with no alarm open for it) and which
    to clear (an open alarm whose figure has fallen to :meth:`CapacitySpec.clears_at` or
    below; a scope with no figure now counts as 0). Raising twice for the same scope and
    measure never happens: an open alarm is raised once and stays until it is cleared.
    Both lists come out in a stable order (by scope, id and measure)."""
    figures: dict[tuple[str, str, str], Measurement] = {}
    for measurement in measurements:
        if measurement.measure in CAPACITY_MEASURED.get(measurement.scope, ()):
            figures[measurement.key] = measurement
    alarms: dict[tuple[str, str, str], OpenAlarm] = {}
    for alarm in open_alarms:
        alarms.setdefault(alarm.key, alarm)
    raised = [
        AlarmToRaise(m, spec.threshold(m.scope, m.measure))
        for key, m in sorted(figures.items())
        if key not in alarms and m.value > spec.threshold(m.scope, m.measure)
    ]
    cleared: list[AlarmToClear] = []
    for key, alarm in sorted(alarms.items()):
        value = figures[key].value if key in figures else 0
        if value <= spec.clears_at(spec.threshold(alarm.scope, alarm.measure)):
            cleared.append(AlarmToClear(alarm, value))
    return CapacityChanges(tuple(raised), tuple(cleared))
