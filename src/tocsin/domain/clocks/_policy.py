"""The clocks policy: which obligations Tocsin puts on a clock, and the escalation ladder.

These are the policy's parts, as frozen dataclasses; ``_loading.py`` reads and checks a file
into them. The default (``policy.toml`` beside this module) cites DOMAIN.md for every
obligation; docs/clocks.md describes the format.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tocsin.domain.clocks._calendar import WorkingCalendar
from tocsin.domain.clocks._capacity import CapacitySpec
from tocsin.domain.clocks._patterns import PatternAlertRule

__all__ = [
    "OWNERS",
    "TOP_LEVEL",
    "UNITS",
    "Amount",
    "CalendarSpec",
    "ClockPolicy",
    "ClockPolicyError",
    "Condition",
    "DueFromField",
    "EventPattern",
    "Level",
    "ObligationRule",
    "ProfileSpec",
    "Reference",
    "Trigger",
]

#: Units a due time or an escalation step can be given in (see docs/clocks.md).
UNITS: dict[str, str] = {
    "working_days": "working days: by the end of the Nth working day after the day it started",
    "hours": "hours of absolute time",
    "months": "calendar months: by the end of the same day of the month",
}

#: Who owns an obligation at level 0; the server finds the people for each.
OWNERS: dict[str, str] = {
    "front_door": "The front door (MASH) tray: its officers, and its managers above them",
    "case_owner": "The worker the concern is allocated to (the front door while unallocated)",
    "police": "The police force's crime recording (police officers of the partnership's force)",
    "signer": "Whoever may sign off the proposal: a MASH manager, or the proposer's managers",
    "challenge_handler": "The role (and agency) the challenge was routed to",
    "action_owner": "The person a meeting action names as its owner",
    "recommendation_owner": "The person a registered report's recommendation names as its owner",
}

Scalar = str | int | bool
#: The top of the ladder: the partnership's independent scrutineer, outside the agency.
TOP_LEVEL = 3


class ClockPolicyError(ValueError):
    """A clocks policy cannot be used. ``line`` is where to look (None when not known) and
    ``problem`` says what is wrong; the message names the file, the line and the problem."""

    def __init__(self, origin: str, line: int | None, problem: str) -> None:
        where = f"clocks policy {origin}" + (f", line {line}" if line else "")
        super().__init__(f"{where}: {problem}")
        self.origin = origin
        self.line = line
        self.problem = problem


# --- the policy's parts --------------------------------------------------------------------


@dataclass(frozen=True)
class Amount:
    """A span of time in one unit of :data:`UNITS`."""

    unit: str
    value: int

    def after(self, moment: datetime, calendar: WorkingCalendar) -> datetime:
        """The moment this span after ``moment`` ends, by the calendar's rules."""
        if self.unit == "working_days":
            return calendar.add_working_days(moment, self.value)
        if self.unit == "hours":
            return calendar.add_hours(moment, self.value)
        return calendar.add_months(moment, self.value)

    def __str__(self) -> str:
        words = {"working_days": "working day", "hours": "hour", "months": "month"}[self.unit]
        return f"{self.value} {words}{'s' if self.value != 1 else ''}"


@dataclass(frozen=True)
class DueFromField:
    """A due time the trigger itself carries: an ISO date (due by the end of that day) or an
    RFC 3339 moment, in the payload field (or, with ``for_each``, the item field) named."""

    field: str


@dataclass(frozen=True)
class Condition:
    """A payload field's value is one of ``values`` (or, for a list, has one of them); with
    ``negate``, none of them. An erased (expunged) payload meets no condition."""

    field: str
    values: tuple[Scalar, ...]
    negate: bool = False

    def holds(self, payload: Mapping[str, Any] | None) -> bool:
        """Whether ``payload`` meets this condition."""
        if payload is None or self.field not in payload:
            return False
        value = payload[self.field]
        found = (
            any(_same(item, v) for item in value for v in self.values)
            if isinstance(value, list | tuple)
            else any(_same(value, v) for v in self.values)
        )
        return found != self.negate


def _same(a: object, b: object) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    return a == b


@dataclass(frozen=True)
class Reference:
    """An earlier event the matched event must refer to through a shared subject of type
    ``by``: e.g. a sign-off (``decision.signed_off``) of a decision recorded as "close"."""

    kind: str
    by: str
    where: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class EventPattern:
    """Events of ``kind`` whose payload meets every condition, matched to an obligation
    through a subject of type ``on`` (None: the obligation's key), and, with ``refers_to``,
    only when they refer to a remembered earlier event."""

    kind: str
    where: tuple[Condition, ...] = ()
    on: str | None = None
    refers_to: Reference | None = None
    #: the pattern's name when it was declared under ``[pattern.NAME]``.
    name: str | None = None

    def payload_matches(self, kind: str, payload: Mapping[str, Any] | None) -> bool:
        """Whether an event of ``kind`` with ``payload`` fits (subjects aside)."""
        return kind == self.kind and all(c.holds(payload) for c in self.where)


@dataclass(frozen=True)
class Trigger:
    """What starts an obligation: an event of ``kind`` meeting ``where``. With ``for_each``,
    one obligation per item of that payload list, keyed by the item's ``item_id`` field."""

    kind: str
    where: tuple[Condition, ...] = ()
    for_each: str | None = None
    item_id: str | None = None

    def matches(self, kind: str, payload: Mapping[str, Any] | None) -> bool:
        """Whether an event of ``kind`` with ``payload`` starts the obligation."""
        return kind == self.kind and all(c.holds(payload) for c in self.where)


@dataclass(frozen=True)
class ObligationRule:
    """One obligation the policy declares: what starts it, when it is due, what meets it,
    what cancels it, who owns it, when it climbs the ladder, and where the rule comes from."""

    id: str
    label: str
    description: str
    #: the DOMAIN.md row (or other source) the default comes from.
    source: str
    #: one of :data:`OWNERS`.
    owner: str
    #: a payload (or item) field naming the owner in person, such as a meeting action's.
    owner_field: str | None
    #: the subject type an obligation is about and is met on: "concern", "decision", ...
    key: str
    triggers: tuple[Trigger, ...]
    #: when not empty, the clock runs from the trigger but the obligation applies (is shown,
    #: is met, escalates) only once one of these has been seen.
    applies_when: tuple[EventPattern, ...]
    due: Amount | DueFromField
    satisfied_by: tuple[EventPattern, ...]
    cancelled_by: tuple[EventPattern, ...]
    #: when levels 2 and 3 are reached, each after the due time (level 1 is at the due time).
    ladder: tuple[Amount, Amount]
    #: "keep" or "restart" (see _RETRIGGER).
    on_retrigger: str


@dataclass(frozen=True)
class Level:
    """One rung of the escalation ladder."""

    level: int
    #: who is told at this level: "worker", "team_manager", "head_of_service", "scrutineer".
    role: str
    label: str
    #: the level is outside the agency (the partnership's scrutineer).
    outside_agency: bool
    #: the default time after the due time at which the level is reached (None at levels 0
    #: and 1: level 1 is reached at the due time itself).
    after_due: Amount | None


@dataclass(frozen=True)
class CalendarSpec:
    """Whose bank holidays count, and in which time zone days begin and end."""

    country: str
    subdivision: str | None
    timezone: str


@dataclass(frozen=True)
class ProfileSpec:
    """When problem profiles are made (the ``[profiles]`` table): once per ``cadence`` period
    ("month", "quarter" or "year"), for the last whole one, with trends by ``trend_period``."""

    cadence: str
    trend_period: str
    source: str


@dataclass(frozen=True)
class ClockPolicy:
    """A versioned, cited clocks policy, checked when it was loaded."""

    policy: str
    version: int
    title: str
    source: str
    calendar_spec: CalendarSpec
    levels: tuple[Level, ...]
    patterns: Mapping[str, EventPattern]
    obligations: tuple[ObligationRule, ...]
    #: where it was read from, for messages.
    origin: str
    #: SHA-256 of the file's text: an engine's saved state is only valid for the same policy.
    digest: str
    #: the thresholds for capacity alarms (the ``[capacity]`` table); None: no alarms.
    capacity: CapacitySpec | None = None
    #: when problem profiles are made (the ``[profiles]`` table); None: never on a schedule.
    profiles: ProfileSpec | None = None
    #: the network graph's pattern-alert rules (the ``[[patterns]]`` tables); none: no alerts.
    network_patterns: tuple[PatternAlertRule, ...] = ()

    def obligation(self, obligation_id: str) -> ObligationRule:
        """The obligation rule with ``obligation_id``; LookupError if there is none."""
        for rule in self.obligations:
            if rule.id == obligation_id:
                return rule
        raise LookupError(f"the clocks policy has no obligation {obligation_id!r}")

    def level(self, number: int) -> Level:
        """The ladder's rung ``number`` (0 to 3)."""
        return self.levels[number]

    @functools.cached_property
    def calendar(self) -> WorkingCalendar:
        """The working-day calendar the policy names."""
        spec = self.calendar_spec
        return WorkingCalendar(
            country=spec.country, subdivision=spec.subdivision, timezone=spec.timezone
        )

    @functools.cached_property
    def references(self) -> tuple[Reference, ...]:
        """Every distinct ``refers_to`` of the policy's patterns, in a stable order."""
        found: list[Reference] = []
        for pattern in self.every_pattern():
            if pattern.refers_to is not None and pattern.refers_to not in found:
                found.append(pattern.refers_to)
        return tuple(found)

    @functools.cached_property
    def triggers_by_kind(self) -> Mapping[str, tuple[tuple[ObligationRule, Trigger], ...]]:
        """Event kind -> the (rule, trigger) pairs it may start."""
        index: dict[str, list[tuple[ObligationRule, Trigger]]] = {}
        for rule in self.obligations:
            for trigger in rule.triggers:
                index.setdefault(trigger.kind, []).append((rule, trigger))
        return {kind: tuple(pairs) for kind, pairs in index.items()}

    def every_pattern(self) -> list[EventPattern]:
        """The named patterns and every pattern the obligations use."""
        patterns = list(self.patterns.values())
        for rule in self.obligations:
            patterns += [*rule.applies_when, *rule.satisfied_by, *rule.cancelled_by]
        return patterns
