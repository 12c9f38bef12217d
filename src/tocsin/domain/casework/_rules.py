"""The rules of the case-work loop, the same for every route in."""

from __future__ import annotations

import re
from datetime import date

from tocsin.domain.bounds import control_characters_problem
from tocsin.domain.language import check_text
from tocsin.domain.screening import (
    Override,
    OverrideError,
    ScreeningResult,
    ScreeningScheme,
    override,
)

__all__ = [
    "BAND_RANK_UNSCREENED",
    "CASE_STATUSES",
    "DECISIONS",
    "FRONT_DOOR_ROLES",
    "NEEDS_SECOND_PERSON",
    "SIGN_OFF_RANK",
    "authority_for",
    "judge_regrade",
    "rationale_problems",
    "rationale_warning_count",
    "regrade_needs_second_person",
    "sign_off_refusal",
]

#: The decisions a concern can receive (code: words for people), and closing the case.
DECISIONS: dict[str, str] = {
    "no_further_action": "No further action",
    "information_and_advice": "Information and advice",
    "early_help": "Early help",
    "assessment": "Child and family assessment",
    "strategy_discussion": "Strategy discussion",
    "section_47_enquiry": "Section 47 enquiry",
    "crime_recorded": "Crime recorded and police investigation",
    "nrm_referral": "National Referral Mechanism referral",
    "mace_referral": "MACE referral",
    "referral_to_agency": "Referral to another agency",
    "close": "Close the case",
}

#: Decisions that take effect only when a second person with authority signs them off.
NEEDS_SECOND_PERSON = frozenset({"no_further_action", "close"})

#: Where a concern stands (code: words for people, as a status tag shows them).
CASE_STATUSES: dict[str, str] = {
    "new": "New",
    "allocated": "Allocated",
    "in_progress": "Decided, in progress",
    "awaiting_sign_off": "Awaiting sign-off",
    "closed": "Closed",
}

#: A concern with no screening sorts below every band.
BAND_RANK_UNSCREENED = -1

#: The front door's own line: its proposals are signed off by a MASH manager.
FRONT_DOOR_ROLES = frozenset({"mash_officer", "mash_manager"})

#: Seniority for sign-off: a second person needs at least rank 1 and at least the proposer's.
SIGN_OFF_RANK: dict[str, int] = {
    "practitioner": 0,
    "police_officer": 0,
    "mash_officer": 0,
    "team_manager": 1,
    "mash_manager": 1,
    "head_of_service": 2,
}

_WORD = re.compile(r"[^\W\d_]+")


def rationale_problems(text: str) -> list[str]:
    """Why ``text`` is not a rationale anyone could act on or check later (empty when it is).

    A rationale must have substance: not empty, not just punctuation or numbers, and more than
    one word. The wording is also language-checked; its warnings are advice, counted on the
    event and shown to the writer, never a refusal.
    """
    cleaned = text.strip()
    if not cleaned:
        return ["Give the reasons for the decision; they are kept on the ledger"]
    controls = control_characters_problem(text, free_text=True)
    if controls is not None:
        return [controls]
    words = _WORD.findall(cleaned)
    if not words:
        return ["Write the reasons in words, not only punctuation or numbers"]
    if len(words) < 2:
        return ["Say why, in more than one word: someone reading this later must understand it"]
    return []


def rationale_warning_count(text: str) -> int:
    return len(check_text(text))


def authority_for(proposer_role: str) -> str:
    """Who must sign off a proposal by someone in ``proposer_role``: the front door's line
    ("front_door", a MASH manager) or the proposer's agency ("agency")."""
    return "front_door" if proposer_role in FRONT_DOOR_ROLES else "agency"


def sign_off_refusal(
    *,
    authority: str,
    proposer: str,
    proposer_role: str,
    proposer_agency: str | None,
    signer: str,
    signer_role: str,
    signer_agency: str | None,
) -> str | None:
    """Why ``signer`` may not sign off this proposal, or None if they may.

    Nobody signs off their own proposal. The second person has authority over the first: a
    team manager or head of service in the proposer's agency, at least as senior as the
    proposer; for the front door, a MASH manager (or a head of service of the same agency).
    """
    if signer == proposer:
        return "You cannot sign off your own proposal; another manager must"
    rank = SIGN_OFF_RANK.get(signer_role, -1)
    if rank < max(1, SIGN_OFF_RANK.get(proposer_role, 0)):
        if authority == "front_door":
            return "Only a MASH manager, or a more senior manager, may sign off this proposal"
        return "Only a team manager or head of service, at least as senior, may sign this off"
    if authority == "front_door":
        if signer_role == "mash_manager":
            return None
        if signer_role == "head_of_service" and signer_agency == proposer_agency:
            return None
        return "Only a MASH manager may sign off a front-door proposal"
    if signer_role == "mash_manager":
        return "A MASH manager signs off front-door proposals, not an agency's own"
    if signer_agency is None or signer_agency != proposer_agency:
        return "Only a manager in the proposer's own agency may sign this off"
    return None


def judge_regrade(
    scheme: ScreeningScheme, current_band: str, band: str, reason: str, by: str
) -> tuple[Override, bool]:
    """Apply the screening domain's own override rules to a proposed change of band, and say
    whether it needs a second person.

    ``override()`` refuses (:class:`OverrideError`) a band the scheme does not have, a reason
    with no words, no person, or no change. A move downwards (``Override.is_downgrade``) from
    moderate or above needs a second person (DESIGN.md: four eyes).
    """
    bands = {b.id: b for b in scheme.bands}
    if current_band not in bands:
        raise OverrideError(f"the current band {current_band!r} is not in the scheme")
    current = bands[current_band]
    as_is = ScreeningResult(
        scheme=scheme.scheme,
        scheme_version=scheme.version,
        as_of=date.min,
        score=current.min,
        scored_band=current,
        contributions=(),
        bands=scheme.bands,
        reassess_by=date.min,
    )
    judged = override(as_is, band, reason, by).override
    assert judged is not None
    moderate = bands.get("moderate", scheme.bands[-1])
    return judged, judged.is_downgrade and judged.from_band.min >= moderate.min


def regrade_needs_second_person(scheme: ScreeningScheme, from_band: str, to_band: str) -> bool:
    """Whether lowering ``from_band`` to ``to_band`` needs a second person."""
    return judge_regrade(scheme, from_band, to_band, "checking the rule", "rule")[1]
