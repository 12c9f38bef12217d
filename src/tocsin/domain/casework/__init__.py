"""Case work after a concern is recorded: trays, allocation, decisions with reasons, and the
second person (four eyes) before anything is lowered or closed. Plain Python; imports nothing
from Django.

The rules live here so that every route (pages, API, import, command line) applies the same
ones: which decisions need a second person, who may sign off whose proposal, what makes a
rationale substantive, and which role may do what (``ACCESS``, documented in docs/access.md).
"""

from tocsin.domain.casework._access import ACCESS, ACTIONS, allowed, roles_for
from tocsin.domain.casework._events import (
    ConcernAllocated,
    DecisionRecorded,
    DecisionSignedOff,
    RegradeProposed,
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
    "DECISIONS",
    "FRONT_DOOR_ROLES",
    "NEEDS_SECOND_PERSON",
    "SIGN_OFF_RANK",
    "ConcernAllocated",
    "DecisionRecorded",
    "DecisionSignedOff",
    "RegradeProposed",
    "allowed",
    "authority_for",
    "judge_regrade",
    "rationale_problems",
    "rationale_warning_count",
    "regrade_needs_second_person",
    "roles_for",
    "sign_off_refusal",
]
