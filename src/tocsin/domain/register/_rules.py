"""What a report, a response and a withdrawal must hold: the register's rules, as field
problems for the person (plain Python)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tocsin.domain.bounds import control_characters_problem, day_problem
from tocsin.domain.register._events import RECOMMENDATION_RESPONSES, REPORT_KINDS

__all__ = [
    "MAX_RECOMMENDATIONS",
    "RecommendationDraft",
    "ReportDraft",
    "report_problems",
    "response_problems",
    "withdrawal_problems",
]

#: The most recommendations one registration takes (a long inquiry is registered in parts).
MAX_RECOMMENDATIONS = 50
_TITLE_MAX = 300
_AUTHOR_MAX = 200
_TEXT_MAX = 5000
#: A reason shorter than this says nothing ("n/a", "done").
_REASON_MIN = 10


@dataclass(frozen=True)
class RecommendationDraft:
    """One recommendation as someone entered it: what it says, who owns it, when it is due."""

    text: str
    owner_id: str
    due: date | None


@dataclass(frozen=True)
class ReportDraft:
    """A report as someone entered it, before it is registered."""

    kind: str
    title: str
    author: str
    published_on: date | None
    summary: str
    recommendations: list[RecommendationDraft] = field(default_factory=list)


def _text_problem(text: str, *, limit: int, free_text: bool, missing: str) -> str | None:
    if not text.strip():
        return missing
    if len(text) > limit:
        return f"Keep it to {limit} characters or fewer (it has {len(text)})"
    return control_characters_problem(text, free_text=free_text)


def report_problems(draft: ReportDraft, *, known_owners: set[str]) -> list[tuple[str, str]]:
    """What is wrong with ``draft`` as (field, message) pairs; ``known_owners`` are the ids of
    the people who may own a recommendation. Recommendation fields are
    ``recommendations.<n>.text`` (and ``.owner``, ``.due``), counted from 0."""
    problems: list[tuple[str, str]] = []
    if draft.kind not in REPORT_KINDS:
        problems.append(("kind", "Choose what kind of report it is"))
    for name, value, limit, missing in (
        ("title", draft.title, _TITLE_MAX, "Enter the report's title"),
        ("author", draft.author, _AUTHOR_MAX, "Enter who wrote or commissioned the report"),
    ):
        problem = _text_problem(value, limit=limit, free_text=False, missing=missing)
        if problem:
            problems.append((name, problem))
    summary_problem = _text_problem(
        draft.summary, limit=_TEXT_MAX, free_text=True, missing="Say in a few lines what it found"
    )
    if summary_problem:
        problems.append(("summary", summary_problem))
    if draft.published_on is None:
        problems.append(("published_on", "Enter the day the report was published or delivered"))
    else:
        day = day_problem(draft.published_on)
        if day:
            problems.append(("published_on", day))
    if len(draft.recommendations) > MAX_RECOMMENDATIONS:
        problems.append(
            (
                "recommendations",
                f"Register at most {MAX_RECOMMENDATIONS} recommendations at once "
                f"(there are {len(draft.recommendations)}); register the rest as a second part",
            )
        )
        return problems
    for n, rec in enumerate(draft.recommendations):
        at = f"recommendations.{n}"
        problem = _text_problem(
            rec.text, limit=_TEXT_MAX, free_text=True, missing="Enter what it recommends"
        )
        if problem:
            problems.append((f"{at}.text", problem))
        if rec.owner_id not in known_owners:
            problems.append((f"{at}.owner", "Choose the person who owns this recommendation"))
        if rec.due is None:
            problems.append((f"{at}.due", "Enter the day a response is due"))
        else:
            day = day_problem(rec.due)
            if day:
                problems.append((f"{at}.due", day))
    return problems


def response_problems(response: str, text: str) -> list[tuple[str, str]]:
    """What is wrong with a response to a recommendation, as (field, message) pairs."""
    problems: list[tuple[str, str]] = []
    if response not in RECOMMENDATION_RESPONSES:
        problems.append(("response", "Choose whether the recommendation is accepted"))
    problem = _text_problem(
        text,
        limit=_TEXT_MAX,
        free_text=True,
        missing="Say what will be done, by whom and when, or why it is not accepted",
    )
    if problem is None and len(text.strip()) < _REASON_MIN:
        problem = "Say what will be done, by whom and when, or why it is not accepted"
    if problem:
        problems.append(("text", problem))
    return problems


def withdrawal_problems(reason: str) -> list[tuple[str, str]]:
    """What is wrong with the reason for withdrawing a report."""
    problem = _text_problem(
        reason,
        limit=_TEXT_MAX,
        free_text=True,
        missing="Give the reason for withdrawing the report; it is shown on the register",
    )
    if problem is None and len(reason.strip()) < _REASON_MIN:
        problem = "Give the reason for withdrawing the report; it is shown on the register"
    return [("reason", problem)] if problem else []
