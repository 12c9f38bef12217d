"""Capacity alarms: which to raise and which to clear, given the caseloads and queue ages now,
the thresholds of the clocks policy's ``[capacity]`` table and the alarms already open.

A pure rule, with hysteresis so that an alarm does not flap: it is raised when a figure goes
**over** its threshold, and cleared only when the figure has fallen to the threshold less the
policy's ``clear_margin_percent`` (at least one below the threshold). Between the two, nothing
changes. Nobody clears an alarm by hand: only the numbers falling do (issue 13, part 5).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = [
    "CAPACITY_MEASURED",
    "OVERRIDABLE",
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


#: What a head of service (or the partnership) may set for one named worker or team, instead
#: of the policy's figure: a worker's caseload, a team's caseload and its queue's age.
OVERRIDABLE: dict[str, tuple[str, ...]] = {
    "worker": ("caseload",),
    "team": ("caseload", "queue_age_days"),
}

#: An override's key: (scope, scope id, measure).
OverrideKey = tuple[str, str, str]


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

    def threshold_for(
        self,
        scope: str,
        scope_id: str,
        measure: str,
        overrides: Mapping[OverrideKey, int] | None = None,
    ) -> int:
        """The threshold of ``measure`` for one named worker or team: its override if it has
        one (a part-time worker's smaller caseload, say), else the policy's figure."""
        if overrides:
            found = overrides.get((scope, scope_id, measure))
            if found is not None:
                return found
        return self.threshold(scope, measure)

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
    spec: CapacitySpec,
    measurements: Iterable[Measurement],
    open_alarms: Iterable[OpenAlarm],
    overrides: Mapping[OverrideKey, int] | None = None,
) -> CapacityChanges:
    """Which alarms to raise (a figure over its threshold with no alarm open for it) and which
    to clear (an open alarm whose figure has fallen to :meth:`CapacitySpec.clears_at` or
    below; a scope with no figure now counts as 0). Raising twice for the same scope and
    measure never happens: an open alarm is raised once and stays until it is cleared.
    ``overrides`` are the thresholds set for named workers and teams
    (:meth:`CapacitySpec.threshold_for`); the others take the policy's figure.
    Both lists come out in a stable order (by scope, id and measure)."""

    def limit(scope: str, scope_id: str, measure: str) -> int:
        return spec.threshold_for(scope, scope_id, measure, overrides)

    figures: dict[tuple[str, str, str], Measurement] = {}
    for measurement in measurements:
        if measurement.measure in CAPACITY_MEASURED.get(measurement.scope, ()):
            figures[measurement.key] = measurement
    alarms: dict[tuple[str, str, str], OpenAlarm] = {}
    for alarm in open_alarms:
        alarms.setdefault(alarm.key, alarm)
    raised = [
        AlarmToRaise(m, limit(*key))
        for key, m in sorted(figures.items())
        if key not in alarms and m.value > limit(*key)
    ]
    cleared: list[AlarmToClear] = []
    for key, alarm in sorted(alarms.items()):
        value = figures[key].value if key in figures else 0
        if value <= spec.clears_at(limit(*key)):
            cleared.append(AlarmToClear(alarm, value))
    return CapacityChanges(tuple(raised), tuple(cleared))
