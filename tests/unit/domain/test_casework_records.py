"""Contact, outcomes and what a reporter is told: the rules in the core."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from tocsin.domain.casework import (
    CASE_STATUSES,
    MAX_NOTE,
    OUTCOMES,
    REPORTER_STATUS,
    contact_problems,
    note_problems,
    outcome_problems,
    reporter_words,
)
from tocsin.domain.language import check_text

TODAY = date(2026, 12, 6)
LOCALE = Path(__file__).resolve().parents[3] / "src" / "tocsin" / "server" / "web" / "locale"


def _contact(**changes: object) -> list[tuple[str, str]]:
    answers: dict[str, object] = {
        "with_whom": "child",
        "method": "home_visit",
        "happened_on": date(2026, 12, 1),
        "made": True,
        "seen_alone": True,
        "summary": "Seen at home; she talked about school and her friends.",
        "today": TODAY,
    }
    answers.update(changes)
    return contact_problems(**answers)  # type: ignore[arg-type]


def test_a_complete_contact_has_no_problems() -> None:
    assert _contact() == []
    assert _contact(with_whom="parent_carer", seen_alone=None) == []
    assert _contact(made=False, seen_alone=None) == [], "a contact tried and not made"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"with_whom": "neighbour"}, "with_whom"),
        ({"method": "carrier pigeon"}, "method"),
        ({"happened_on": None}, "happened_on"),
        ({"happened_on": date(2026, 12, 7)}, "happened_on"),
        ({"made": None}, "made"),
        ({"seen_alone": None}, "seen_alone"),
        ({"summary": "   "}, "summary"),
        ({"summary": "x" * (MAX_NOTE + 1)}, "summary"),
    ],
)
def test_each_missing_or_wrong_answer_is_named(changes: dict[str, object], field: str) -> None:
    assert [f for f, _ in _contact(**changes)] == [field]


def test_an_outcome_needs_a_known_code_and_reasons() -> None:
    assert outcome_problems("early_help", "Family accepted support from the early help team") == []
    assert [f for f, _ in outcome_problems("sorted", "Family accepted support")] == ["outcome"]
    assert [f for f, _ in outcome_problems("early_help", "ok")] == ["summary"]
    problems = outcome_problems("early_help", "")
    assert "outcome" in problems[0][1] and "decision" not in problems[0][1]


def test_a_note_cannot_be_empty_or_endless() -> None:
    assert note_problems("Called the school: attendance is down this term.") == []
    assert note_problems("  ") == [("text", "Enter the note")]
    assert note_problems("x" * (MAX_NOTE + 1))[0][0] == "text"


def test_the_reporter_is_told_the_outcome_or_where_the_concern_stands() -> None:
    assert reporter_words("in_progress", "police_action") == "The police are taking action."
    for status in CASE_STATUSES:
        assert reporter_words(status, "") == REPORTER_STATUS[status]
    assert reporter_words("nonsense", "") == REPORTER_STATUS["new"]


def test_what_a_reporter_is_told_names_nobody_and_blames_nobody() -> None:
    words = [o.for_reporter for o in OUTCOMES.values()] + list(REPORTER_STATUS.values())
    for text in words:
        assert not check_text(text), text
        # General words only: no name, number, date or place can be filled in.
        assert not re.search(r"[0-9{}%]", text), text


@pytest.mark.parametrize("lang", ["ur", "pl"])
def test_every_reporter_message_has_a_translation(lang: str) -> None:
    po = (LOCALE / lang / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    entries = dict(re.findall(r'^msgid "(.*)"\nmsgstr "(.*)"$', po, flags=re.MULTILINE))
    words = {o.for_reporter for o in OUTCOMES.values()} | set(REPORTER_STATUS.values())
    missing = sorted(w for w in words if not entries.get(w))
    assert not missing, f"add these to locale/{lang}/LC_MESSAGES/django.po: {missing}"
