"""Events of clocks and what hangs off them: escalations and their closing, professional
challenges, meetings with their actions, and capacity alarms.

Payloads are plain: ids are strings, moments RFC 3339 in UTC, days ISO 8601 dates. The first
subject is the record an event belongs to (the concern, where there is one), so expunging a
concern erases its escalations, challenges and meetings with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tocsin.domain.events import Event

__all__ = [
    "CAPACITY_MEASURES",
    "CAPACITY_SCOPES",
    "CHALLENGE_OUTCOMES",
    "MEETING_DECISIONS",
    "MEETING_KINDS",
    "CapacityAlarmCleared",
    "CapacityAlarmRaised",
    "CapacityOverrideSet",
    "ChallengeAnswered",
    "ChallengeRaised",
    "EscalationClosed",
    "MeetingActionCompleted",
    "MeetingRecorded",
    "ObligationEscalated",
]

#: The meetings Tocsin records (code: words for people).
MEETING_KINDS: dict[str, str] = {
    "strategy_discussion": "Strategy discussion",
    "icpc": "Initial child protection conference",
    "mace": "MACE panel",
}

#: What a meeting can decide (code: words for people); a meeting may record several.
MEETING_DECISIONS: dict[str, str] = {
    "section_47_enquiry": "Start a section 47 enquiry",
    "no_section_47_enquiry": "No section 47 enquiry",
    "child_protection_plan": "Child protection plan",
    "child_in_need_plan": "Child in need plan",
    "police_investigation": "Police investigation",
    "disruption": "Disruption of the people or places involved",
    "nrm_referral": "National Referral Mechanism referral",
    "review": "Review at a later meeting",
    "no_further_action": "No further action",
}

#: How a challenge can be answered (code: words for people).
CHALLENGE_OUTCOMES: dict[str, str] = {
    "upheld": "Upheld: the decision is to be changed",
    "partly_upheld": "Partly upheld",
    "not_upheld": "Not upheld: the decision stands",
}

#: Whose capacity an alarm is about, and what it measures.
CAPACITY_SCOPES: dict[str, str] = {
    "worker": "A worker",
    "team": "A team",
    "front_door": "The front door",
}
CAPACITY_MEASURES: dict[str, str] = {
    "caseload": "Open cases",
    "queue_age_days": "Days the oldest undecided concern has waited",
}


def _concern_first(concern_id: str | None, *others: str) -> tuple[str, ...]:
    return ((f"concern:{concern_id}",) if concern_id else ()) + others


@dataclass(frozen=True)
class ObligationEscalated(Event):
    kind = "obligation.escalated"
    meaning = (
        "An obligation was not met in time and climbed to the next level of the escalation "
        "ladder (1 team manager, 2 head of service, 3 the partnership's independent "
        "scrutineer); the sweep appends one per obligation per level."
    )
    #: the obligation's id, as the clock engine derives it ("<obligation>:<trigger seq>").
    obligation_id: str
    #: the obligation's id in the clocks policy, such as "decision".
    obligation: str
    concern_id: str | None
    level: int
    #: the ladder's role at that level when it escalated, such as "team_manager".
    to_role: str
    due: str
    #: the moment the sweep looked at the clock (RFC 3339).
    as_of: str
    policy_version: int

    def subjects(self) -> tuple[str, ...]:
        return _concern_first(self.concern_id, f"obligation:{self.obligation_id}")


@dataclass(frozen=True)
class EscalationClosed(Event):
    kind = "escalation.closed"
    meaning = (
        "An escalated obligation was closed without being met, with the reason; only the "
        "partnership closes one at level 3. Its clock stops."
    )
    obligation_id: str
    obligation: str
    concern_id: str | None
    level: int
    reason: str

    def subjects(self) -> tuple[str, ...]:
        return _concern_first(self.concern_id, f"obligation:{self.obligation_id}")


@dataclass(frozen=True)
class ChallengeRaised(Event):
    kind = "challenge.raised"
    meaning = (
        "A practitioner challenged a decision, possibly another agency's; the challenge goes "
        "outside the decider's line management and runs on its own clock."
    )
    challenge_id: str
    concern_id: str
    #: the decision challenged (None for a challenge about how a concern is being handled).
    decision_id: str | None
    grounds: str
    language_warnings: int
    #: who answers it: a role ("head_of_service", "scrutineer") and, if any, its agency.
    routed_to_role: str
    routed_to_agency_id: str | None

    def subjects(self) -> tuple[str, ...]:
        decision = (f"decision:{self.decision_id}",) if self.decision_id else ()
        return (f"concern:{self.concern_id}", f"challenge:{self.challenge_id}", *decision)


@dataclass(frozen=True)
class ChallengeAnswered(Event):
    kind = "challenge.answered"
    meaning = (
        "A challenge was answered (upheld, partly upheld or not upheld) with the reasons; the "
        "challenger is told."
    )
    challenge_id: str
    concern_id: str
    outcome: str
    answer: str
    language_warnings: int

    def subjects(self) -> tuple[str, ...]:
        return (f"concern:{self.concern_id}", f"challenge:{self.challenge_id}")


@dataclass(frozen=True)
class MeetingRecorded(Event):
    kind = "meeting.recorded"
    meaning = (
        "A strategy discussion, initial child protection conference or MACE panel was recorded "
        "with who attended, what it decided and its actions, each with an owner and a due date."
    )
    meeting_id: str
    #: one of MEETING_KINDS: "strategy_discussion", "icpc", "mace".
    meeting_kind: str
    concern_id: str | None
    child_ids: list[str]
    #: when it was held (RFC 3339); clocks run on the time it was recorded.
    held_at: str
    #: each {"name", "role", "agency_id"}.
    attendees: list[dict[str, Any]]
    #: codes of MEETING_DECISIONS.
    decisions: list[str]
    summary: str
    #: each {"action_id", "text", "owner_id", "due"} with ``due`` an ISO date.
    actions: list[dict[str, Any]]
    language_warnings: int

    def subjects(self) -> tuple[str, ...]:
        children = tuple(f"child:{child_id}" for child_id in self.child_ids)
        return _concern_first(self.concern_id, f"meeting:{self.meeting_id}", *children)


@dataclass(frozen=True)
class MeetingActionCompleted(Event):
    kind = "meeting.action_completed"
    meaning = "An action agreed at a meeting was done, with what was done."
    meeting_id: str
    action_id: str
    concern_id: str | None
    summary: str

    def subjects(self) -> tuple[str, ...]:
        return _concern_first(
            self.concern_id, f"meeting:{self.meeting_id}", f"action:{self.action_id}"
        )


@dataclass(frozen=True)
class CapacityAlarmRaised(Event):
    kind = "capacity.alarm_raised"
    meaning = (
        "A worker's or team's caseload, or the age of a queue, passed its threshold; the alarm "
        "goes to the head of service and the partnership and stays until the numbers fall."
    )
    alarm_id: str
    #: one of CAPACITY_SCOPES: "worker", "team" or "front_door".
    scope: str
    #: the worker's user id, the team's id, or "front-door".
    scope_id: str
    agency_id: str | None
    #: one of CAPACITY_MEASURES.
    measure: str
    value: int
    threshold: int
    as_of: str

    def subjects(self) -> tuple[str, ...]:
        if self.scope == "front_door":
            return (f"alarm:{self.alarm_id}",)
        target = f"user:{self.scope_id}" if self.scope == "worker" else f"team:{self.scope_id}"
        return (f"alarm:{self.alarm_id}", target)


@dataclass(frozen=True)
class CapacityAlarmCleared(Event):
    kind = "capacity.alarm_cleared"
    meaning = "The numbers behind a capacity alarm fell below its threshold, so the alarm ended."
    alarm_id: str
    value: int
    as_of: str

    def subjects(self) -> tuple[str, ...]:
        return (f"alarm:{self.alarm_id}",)


@dataclass(frozen=True)
class CapacityOverrideSet(Event):
    kind = "capacity.override_set"
    meaning = (
        "A head of service or the partnership set the capacity of one named worker or team "
        "(a part-time worker's smaller caseload, say) instead of the clocks policy's figure, "
        "with the reason; no threshold puts the policy's figure back."
    )
    #: "worker" or "team" (tocsin.domain.clocks.OVERRIDABLE).
    scope: str
    #: the worker's user id or the team's id.
    scope_id: str
    agency_id: str | None
    #: one of CAPACITY_MEASURES the scope can have overridden.
    measure: str
    #: the threshold from now on; None: the policy's figure again.
    threshold: int | None
    reason: str

    def subjects(self) -> tuple[str, ...]:
        target = f"user:{self.scope_id}" if self.scope == "worker" else f"team:{self.scope_id}"
        return (target,)
