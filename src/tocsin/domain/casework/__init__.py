"""Case work after a concern is recorded: trays, allocation, decisions with reasons, the
second person (four eyes) before anything is lowered or closed, case notes, contact with the
child and family, and outcomes with what the person who raised the concern is told. Plain
Python; imports nothing from Django.

The rules live here so that every route (pages, API, import, command line) applies the same
ones: which decisions need a second person, who may sign off whose proposal, what makes a
rationale substantive, and which role may do what (``ACCESS``, documented in docs/access.md).
"""

from tocsin.domain.casework._access import ACCESS, ACTIONS, allowed, roles_for
from tocsin.domain.casework._challenge import (
    CHALLENGE_HANDLER_ROLE,
    ChallengeRoute,
    answer_problems,
    answer_refusal,
    challenge_problems,
    challenge_refusal,
    in_line_of,
    route_challenge,
)
from tocsin.domain.casework._contact import (
    CONTACT_METHODS,
    CONTACT_WITH,
    MAX_NOTE,
    OUTCOMES,
    REPORTER_STATUS,
    Outcome,
    contact_problems,
    note_problems,
    outcome_problems,
    reporter_words,
)
from tocsin.domain.casework._events import (
    ConcernAllocated,
    ContactRecorded,
    DecisionRecorded,
    DecisionSignedOff,
    OutcomeRecorded,
    RegradeProposed,
)
from tocsin.domain.casework._meetings import (
    MAX_ACTIONS,
    Attendee,
    MeetingAction,
    meeting_problems,
    read_attendees,
)
from tocsin.domain.casework._rules import (
    BAND_RANK_UNSCREENED,
    CASE_STATUSES,
    DECISIONS,
    FRONT_DOOR_ROLES,
    NEEDS_SECOND_PERSON,
    SIGN_OFF_RANK,
    authority_for,
    judge_regrade,
    rationale_problems,
    rationale_warning_count,
    regrade_needs_second_person,
    sign_off_refusal,
)

__all__ = [
    "ACCESS",
    "ACTIONS",
    "BAND_RANK_UNSCREENED",
    "CASE_STATUSES",
    "CHALLENGE_HANDLER_ROLE",
    "CONTACT_METHODS",
    "CONTACT_WITH",
    "DECISIONS",
    "FRONT_DOOR_ROLES",
    "MAX_ACTIONS",
    "MAX_NOTE",
    "NEEDS_SECOND_PERSON",
    "OUTCOMES",
    "REPORTER_STATUS",
    "SIGN_OFF_RANK",
    "Attendee",
    "ChallengeRoute",
    "ConcernAllocated",
    "ContactRecorded",
    "DecisionRecorded",
    "DecisionSignedOff",
    "MeetingAction",
    "Outcome",
    "OutcomeRecorded",
    "RegradeProposed",
    "allowed",
    "answer_problems",
    "answer_refusal",
    "authority_for",
    "challenge_problems",
    "challenge_refusal",
    "contact_problems",
    "in_line_of",
    "judge_regrade",
    "meeting_problems",
    "note_problems",
    "outcome_problems",
    "rationale_problems",
    "rationale_warning_count",
    "read_attendees",
    "regrade_needs_second_person",
    "reporter_words",
    "roles_for",
    "route_challenge",
    "sign_off_refusal",
]
