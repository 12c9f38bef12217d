"""Clocks: every obligation a concern creates, when it is due, and the escalation ladder it
climbs when nobody meets it, up to the partnership's independent scrutineer. Plain Python;
imports nothing from Django.

- The **policy** (``policy.toml``, or the file the ``TOCSIN_CLOCKS_POLICY`` setting names)
  declares the obligations and the ladder: :func:`load_policy`, :class:`ClockPolicy`.
- The **calendar** counts working days on England and Wales bank holidays in London time:
  :class:`WorkingCalendar`.
- The **engine** derives obligations from the policy, the events and "now", incrementally:
  :class:`ClockEngine` (fed :class:`ClockEvent` s; :meth:`ClockEngine.sweep` returns the
  :class:`Escalation` s due) and :func:`evaluate` (the same, as one pure function).
- **Capacity alarms**: the policy's ``[capacity]`` thresholds (:class:`CapacitySpec`) and the
  pure rule :func:`judge_capacity` (which alarms to raise and which to clear).
- The **events** of escalations, challenges, meetings and capacity alarms.

docs/clocks.md describes the policy format, the defaults and their sources, and the API.
"""

from tocsin.domain.clocks._calendar import CalendarError, WorkingCalendar
from tocsin.domain.clocks._capacity import (
    CAPACITY_MEASURED,
    OVERRIDABLE,
    AlarmToClear,
    AlarmToRaise,
    CapacityChanges,
    CapacitySpec,
    Measurement,
    OpenAlarm,
    judge_capacity,
)
from tocsin.domain.clocks._engine import ClockEngine, ClockStateError, evaluate
from tocsin.domain.clocks._events import (
    CAPACITY_MEASURES,
    CAPACITY_SCOPES,
    CHALLENGE_OUTCOMES,
    MEETING_DECISIONS,
    MEETING_KINDS,
    CapacityAlarmCleared,
    CapacityAlarmRaised,
    CapacityOverrideSet,
    ChallengeAnswered,
    ChallengeRaised,
    EscalationClosed,
    MeetingActionCompleted,
    MeetingRecorded,
    ObligationEscalated,
)
from tocsin.domain.clocks._loading import default_policy, load_policy, parse_policy
from tocsin.domain.clocks._obligations import (
    STATUSES,
    ClockEvent,
    Escalation,
    Evaluation,
    Obligation,
    ObligationChange,
)
from tocsin.domain.clocks._patterns import PATTERN_RULE_KINDS, PatternAlertRule
from tocsin.domain.clocks._policy import (
    OWNERS,
    UNITS,
    Amount,
    CalendarSpec,
    ClockPolicy,
    ClockPolicyError,
    Condition,
    DueFromField,
    EventPattern,
    Level,
    ObligationRule,
    ProfileSpec,
    Reference,
    Trigger,
)

__all__ = [
    "CAPACITY_MEASURED",
    "CAPACITY_MEASURES",
    "CAPACITY_SCOPES",
    "CHALLENGE_OUTCOMES",
    "MEETING_DECISIONS",
    "MEETING_KINDS",
    "OVERRIDABLE",
    "OWNERS",
    "PATTERN_RULE_KINDS",
    "STATUSES",
    "UNITS",
    "AlarmToClear",
    "AlarmToRaise",
    "Amount",
    "CalendarError",
    "CalendarSpec",
    "CapacityAlarmCleared",
    "CapacityAlarmRaised",
    "CapacityChanges",
    "CapacityOverrideSet",
    "CapacitySpec",
    "ChallengeAnswered",
    "ChallengeRaised",
    "ClockEngine",
    "ClockEvent",
    "ClockPolicy",
    "ClockPolicyError",
    "ClockStateError",
    "Condition",
    "DueFromField",
    "Escalation",
    "EscalationClosed",
    "Evaluation",
    "EventPattern",
    "Level",
    "Measurement",
    "MeetingActionCompleted",
    "MeetingRecorded",
    "Obligation",
    "ObligationChange",
    "ObligationEscalated",
    "ObligationRule",
    "OpenAlarm",
    "PatternAlertRule",
    "ProfileSpec",
    "Reference",
    "Trigger",
    "WorkingCalendar",
    "default_policy",
    "evaluate",
    "judge_capacity",
    "load_policy",
    "parse_policy",
]
