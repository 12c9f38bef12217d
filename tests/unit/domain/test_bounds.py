"""The bounds every route shares (tocsin.domain.bounds): dates, whole numbers, control
characters. Each answer is a message or a value; nothing raises, whatever is typed."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tocsin.domain.bounds import (
    CONTROL_CHARACTERS,
    EARLIEST_DAY,
    LATEST_DAY,
    control_characters_problem,
    day_from_parts,
    day_problem,
    whole_number,
)


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("4", "3", "2011"), date(2011, 3, 4)),
        ((" 1 ", "1", "1900"), date(1900, 1, 1)),
        (("31", "12", "2199"), date(2199, 12, 31)),
    ],
)
def test_a_real_date_within_the_bounds_is_read(parts: tuple[str, str, str], expected: date) -> None:
    assert day_from_parts(*parts) == (expected, None)


@pytest.mark.parametrize(
    ("parts", "says"),
    [
        (("99999999999", "1", "2020"), "Enter a real date"),
        (("1", "99999999999", "2020"), "Enter a real date"),
        (("1", "1", "99999999999"), "between 1900 and 2199"),
        (("1", "1", "9" * 40), "Enter a real date"),
        (("30", "2", "2024"), "Enter a real date"),
        (("0", "1", "2020"), "Enter a real date"),
        (("1", "1", "1899"), "between 1900 and 2199"),
        (("1", "1", "9999"), "between 1900 and 2199"),
        (("²", "1", "2020"), "as numbers"),
        (("١٢", "1", "2020"), "as numbers"),
        (("-1", "1", "2020"), "as numbers"),
        (("", "1", "2020"), "as numbers"),
    ],
)
def test_anything_else_is_a_message(parts: tuple[str, str, str], says: str) -> None:
    day, problem = day_from_parts(*parts)
    assert day is None
    assert problem is not None and says in problem


@given(st.text(), st.text(), st.text())
def test_no_answers_make_it_raise(day: str, month: str, year: str) -> None:
    found, problem = day_from_parts(day, month, year)
    assert (found is None) != (problem is None)
    assert found is None or EARLIEST_DAY <= found <= LATEST_DAY


def test_day_problem_names_the_bounds() -> None:
    assert day_problem(None) is None
    assert day_problem(EARLIEST_DAY) is None
    assert day_problem(LATEST_DAY) is None
    assert "1900" in str(day_problem(date(1899, 12, 31)))
    assert "2199" in str(day_problem(date(9999, 12, 31)))


@pytest.mark.parametrize(
    ("text", "number"),
    [("14", 14), (" 0 ", 0), ("9" * 18, 10**18 - 1), ("9" * 19, None), ("²", None), ("١٢", None)],
)
def test_whole_numbers_are_digits_0_to_9(text: str, number: int | None) -> None:
    assert whole_number(text) == number


@pytest.mark.parametrize("text", ["a\x00b", "\x1b[31m", "bell\x07", "del\x7f", "c1\x85", "\ud800"])
def test_control_characters_are_refused_in_any_text(text: str) -> None:
    assert control_characters_problem(text) == CONTROL_CHARACTERS
    assert control_characters_problem(text, free_text=True) == CONTROL_CHARACTERS


def test_line_breaks_only_in_free_text_and_tabs_anywhere() -> None:
    assert control_characters_problem("a\tb") is None
    assert control_characters_problem("line\nbreak") == CONTROL_CHARACTERS
    assert control_characters_problem("line\r\nbreak", free_text=True) is None
    assert control_characters_problem("Zofia Łukasiewicz, اردو, 🙂") is None
