"""Contact with the child and the family, outcomes, and what the person who raised a concern
is told about it. Plain Python: the same rules for the pages and the API.

The words for the person who raised a concern are deliberately general. A practitioner in the
agency that recorded the concern sees the outcome itself on their concern page; a member of the
public, who reaches their report only through its follow-up code, learns that something was
done and what kind of thing, never a detail about the child or the family.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tocsin.domain.bounds import control_characters_problem, day_problem
from tocsin.domain.casework._rules import rationale_problems

__all__ = [
    "CONTACT_METHODS",
    "CONTACT_WITH",
    "MAX_NOTE",
    "OUTCOMES",
    "REPORTER_STATUS",
    "Outcome",
    "contact_problems",
    "note_problems",
    "outcome_problems",
    "reporter_words",
]

#: The longest case note, contact summary or outcome summary (a long note belongs in several).
MAX_NOTE = 10000

#: Whom a contact was with (code: words for people).
CONTACT_WITH: dict[str, str] = {
    "child": "The child",
    "parent_carer": "A parent or carer",
    "family_member": "Another family member",
}

#: How the contact happened, or was tried (code: words for people).
CONTACT_METHODS: dict[str, str] = {
    "home_visit": "Home visit",
    "school_visit": "Visit at school or college",
    "office": "Meeting at an office",
    "community": "Meeting somewhere else in the community",
    "phone": "Phone call",
    "video": "Video call",
    "message": "Text, e-mail or letter",
}


@dataclass(frozen=True)
class Outcome:
    """One outcome: its name for professionals and the plain words its reporter is told."""

    label: str
    for_reporter: str


#: What came of a concern. ``for_reporter`` is what the person who raised it learns: the kind
#: of thing that happened, in plain words, with nothing about the child or family in it.
OUTCOMES: dict[str, Outcome] = {
    "child_protection_plan": Outcome(
        "Child protection plan", "Action is being taken to keep the child safe."
    ),
    "child_in_need_plan": Outcome(
        "Child in need plan", "The child and their family are being given support."
    ),
    "early_help": Outcome(
        "Early help offered", "The child and their family have been offered support."
    ),
    "police_action": Outcome(
        "Police action (investigation, arrest or disruption)", "The police are taking action."
    ),
    "nrm_referral": Outcome(
        "National Referral Mechanism referral", "Action is being taken to keep the child safe."
    ),
    "referred_elsewhere": Outcome(
        "Referred to another service",
        "Your concern has been passed to another service that can help.",
    ),
    "no_further_action": Outcome(
        "No further action after checks",
        "Your concern was looked at carefully. No further action is needed now. "
        "If you learn anything more, please tell us.",
    ),
    "child_not_identified": Outcome(
        "The child could not be identified",
        "We could not tell who the child is from what we know. "
        "If you know more, please add it with your code.",
    ),
}

#: What a reporter is told before there is an outcome, by the case's status.
REPORTER_STATUS: dict[str, str] = {
    "new": "Your concern has been received. The safeguarding team is looking at it.",
    "allocated": "Your concern has been passed to a safeguarding team, who are dealing with it.",
    "in_progress": "Your concern has been passed to a safeguarding team, who are dealing with it.",
    "awaiting_sign_off": (
        "Your concern has been passed to a safeguarding team, who are dealing with it."
    ),
    "closed": "The work on your concern has finished.",
}


def reporter_words(status: str, outcome: str) -> str:
    """What the person who raised a concern is told: the outcome's plain words once there is
    one, otherwise where the concern stands."""
    if outcome in OUTCOMES:
        return OUTCOMES[outcome].for_reporter
    return REPORTER_STATUS.get(status, REPORTER_STATUS["new"])


def _text_problems(text: str, field: str, what: str) -> list[tuple[str, str]]:
    cleaned = text.strip()
    if not cleaned:
        return [(field, f"Enter the {what}")]
    controls = control_characters_problem(text, free_text=True)
    if controls is not None:
        return [(field, controls)]
    if len(cleaned) > MAX_NOTE:
        return [(field, f"Keep the {what} under {MAX_NOTE:,} characters")]
    return []


def note_problems(text: str) -> list[tuple[str, str]]:
    """Why a case note cannot be saved as given: (field, message) pairs, empty when it can."""
    return _text_problems(text, "text", "note")


def contact_problems(
    *,
    with_whom: str,
    method: str,
    happened_on: date | None,
    made: bool | None,
    seen_alone: bool | None,
    summary: str,
    today: date,
) -> list[tuple[str, str]]:
    """Why a contact cannot be recorded as given, in form order (empty when it can).

    Whether the child was seen alone is asked only of contact made with the child; a contact
    that was tried and not made says so, because a child nobody manages to see is itself a
    concern to act on.
    """
    problems: list[tuple[str, str]] = []
    if with_whom not in CONTACT_WITH:
        problems.append(("with_whom", "Choose who the contact was with"))
    if method not in CONTACT_METHODS:
        problems.append(("method", "Choose how the contact happened"))
    if happened_on is None:
        problems.append(("happened_on", "Enter the date of the contact"))
    elif day_problem(happened_on) is not None:
        problems.append(("happened_on", day_problem(happened_on) or ""))
    elif happened_on > today:
        problems.append(("happened_on", "The date of the contact must be today or in the past"))
    if made is None:
        problems.append(("made", "Say whether contact was made"))
    if with_whom == "child" and made and seen_alone is None:
        problems.append(("seen_alone", "Say whether the child was seen alone"))
    problems += _text_problems(summary, "summary", "summary of the contact")
    return problems


def outcome_problems(outcome: str, summary: str) -> list[tuple[str, str]]:
    """Why an outcome cannot be recorded as given (empty when it can). The summary is for
    professionals and must say why, as a decision's rationale must."""
    problems: list[tuple[str, str]] = []
    if outcome not in OUTCOMES:
        problems.append(("outcome", "Choose the outcome"))
    reasons = rationale_problems(summary)
    if reasons:
        problems.append(("summary", reasons[0].replace("the decision", "the outcome")))
    elif len(summary.strip()) > MAX_NOTE:
        problems.append(("summary", f"Keep the summary under {MAX_NOTE:,} characters"))
    return problems
