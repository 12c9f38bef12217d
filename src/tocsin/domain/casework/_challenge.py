"""Professional challenge: who a challenge to a decision goes to, who may answer it, and what
a challenge and its answer must say. Plain Python; the same rules for every route in.

**The rule.** A challenge goes to the lowest level of the escalation ladder that is outside
the decider's line management *and* outside the challenger's (DESIGN.md: a whistleblower's
challenge must not go through their own managers either). A person's line management is the
managers above them in their own agency:

- an agency worker (a practitioner, a police officer, a team manager): the team managers and
  the heads of service of their agency (levels 1 and 2 of the ladder);
- the front door (a MASH officer or manager): the MASH managers and the heads of service of
  the agency that hosts the MASH.

Levels 1 and 2 of the ladder are, by definition, someone's line; so the next level outside
the decider's line is level 3, the safeguarding partnership's independent scrutineer
(``partnership_scrutineer``), who belongs to no agency's line. A MASH manager is not a safe
answer to a front-door decision (they manage the MASH officers who make them), nor to an
agency's decision the front door challenges (the front door would judge its own dispute).
A decision whose decider is not a person (the command line, an import) goes there too.
"""

from __future__ import annotations

from dataclasses import dataclass

from tocsin.domain.casework._rules import rationale_problems
from tocsin.domain.clocks._events import CHALLENGE_OUTCOMES
from tocsin.domain.language import check_text

__all__ = [
    "CHALLENGE_HANDLER_ROLE",
    "ChallengeRoute",
    "answer_problems",
    "answer_refusal",
    "challenge_problems",
    "challenge_refusal",
    "in_line_of",
    "language_warning_count",
    "route_challenge",
]

#: The role that answers challenges: the partnership's independent scrutineer (ladder level 3).
CHALLENGE_HANDLER_ROLE = "partnership_scrutineer"

#: Who manages whom, by role: the roles above each in the same agency.
_MANAGED_BY: dict[str, frozenset[str]] = {
    "practitioner": frozenset({"team_manager", "head_of_service"}),
    "police_officer": frozenset({"team_manager", "head_of_service"}),
    "team_manager": frozenset({"head_of_service"}),
    "head_of_service": frozenset(),
    "mash_officer": frozenset({"mash_manager", "head_of_service"}),
    "mash_manager": frozenset({"head_of_service"}),
}

#: The managers above someone, lowest first (the order a challenge would climb them).
_LADDER_ORDER = ("team_manager", "mash_manager", "head_of_service")


@dataclass(frozen=True)
class ChallengeRoute:
    """Who answers a challenge: a role and, when the role is an agency's, that agency."""

    role: str
    agency_id: str | None


def in_line_of(
    role: str, agency_id: str | None, *, of_role: str | None, of_agency_id: str | None
) -> bool:
    """Whether someone in ``role`` at ``agency_id`` is in the line management of someone in
    ``of_role`` at ``of_agency_id`` (a manager above them in the same agency). Someone whose
    role or agency is unknown (a system) has no line."""
    if of_role is None or agency_id is None or of_agency_id is None:
        return False
    return agency_id == of_agency_id and role in _MANAGED_BY.get(of_role, frozenset())


def route_challenge(
    *,
    decider_role: str | None,
    decider_agency_id: str | None,
    challenger_role: str | None,
    challenger_agency_id: str | None,
) -> ChallengeRoute:
    """Where a challenge to a decision goes: the lowest level above the decider that is
    outside both the decider's and the challenger's line management.

    The levels above a decider are their own managers (lowest first), then the partnership's
    independent scrutineer. Each manager above the decider is, by definition, in the
    decider's line, so the answer is the scrutineer; the module's docstring says why no
    sideways manager (another team's, the MASH's) is a safe answer instead."""
    # A decider with no agency (or none known) has no managers to climb.
    above = [
        ChallengeRoute(role, decider_agency_id)
        for role in _LADDER_ORDER
        if decider_agency_id is not None
        and role in _MANAGED_BY.get(decider_role or "", frozenset())
    ]
    for candidate in [*above, ChallengeRoute(CHALLENGE_HANDLER_ROLE, None)]:
        lines = ((decider_role, decider_agency_id), (challenger_role, challenger_agency_id))
        if not any(
            in_line_of(candidate.role, candidate.agency_id, of_role=r, of_agency_id=a)
            for r, a in lines
        ):
            return candidate
    raise AssertionError("unreachable: the scrutineer is in no agency's line")  # pragma: no cover


def challenge_refusal(*, challenger: str, decider: str) -> str | None:
    """Why ``challenger`` may not challenge this decision, or None if they may: nobody
    challenges their own decision (they record a new one instead)."""
    if challenger == decider:
        return "You made this decision: record a new decision instead of challenging it"
    return None


def answer_refusal(
    *,
    answerer: str,
    answerer_role: str,
    answerer_agency_id: str | None,
    routed_to_role: str,
    routed_to_agency_id: str | None,
    decider: str,
    decider_role: str | None,
    decider_agency_id: str | None,
    challenger: str,
) -> str | None:
    """Why ``answerer`` may not answer (and so close) this challenge, or None if they may.

    Only the role (and agency) it was routed to answers it; never the decider, nor anyone in
    the decider's line management, nor the challenger."""
    if answerer == decider:
        return "You made the decision challenged: someone outside your line must answer it"
    if answerer == challenger:
        return "You raised this challenge: someone outside both lines must answer it"
    if in_line_of(
        answerer_role, answerer_agency_id, of_role=decider_role, of_agency_id=decider_agency_id
    ):
        return "You manage the person who made this decision: nobody in their line may answer"
    if answerer_role != routed_to_role or (
        routed_to_agency_id is not None and answerer_agency_id != routed_to_agency_id
    ):
        return "This challenge was sent to someone else to answer"
    return None


def challenge_problems(grounds: str) -> list[str]:
    """Why ``grounds`` is not a challenge anyone could answer (empty when it is)."""
    if not grounds.strip():
        return ["Say why you disagree with the decision; your grounds are kept on the ledger"]
    return rationale_problems(grounds)


def answer_problems(outcome: str, answer: str) -> list[tuple[str, str]]:
    """What is wrong with an answer to a challenge, as (field, message) pairs."""
    problems: list[tuple[str, str]] = []
    if outcome not in CHALLENGE_OUTCOMES:
        problems.append(("outcome", "Choose whether the challenge is upheld"))
    if not answer.strip():
        problems.append(("answer", "Give the reasons for your answer; the challenger is told"))
    else:
        problems += [("answer", p) for p in rationale_problems(answer)]
    return problems


def language_warning_count(text: str) -> int:
    return len(check_text(text))
