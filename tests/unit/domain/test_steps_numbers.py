"""A practitioner's age field takes plain digits only: "²" passes str.isdigit() but not int(),
and used to end in a server error instead of a message at the field."""

from __future__ import annotations

import pytest

from tocsin.domain.concerns.steps import STEPS


@pytest.mark.parametrize("typed", ["²", "1²", "١٤", "14a"])
def test_an_age_that_is_not_plain_digits_is_a_problem_at_its_field(typed: str) -> None:
    children = STEPS[0]
    form = {
        "children-count": "1",
        "children-0-given_name": "Maja",
        "children-0-approximate_age": typed,
    }
    answers = children.read(form, {})
    assert [p.field for p in answers.problems] == ["children[0].approximate_age"]


def test_a_plain_age_is_read() -> None:
    form = {
        "children-count": "1",
        "children-0-given_name": "Maja",
        "children-0-approximate_age": "14",
    }
    answers = STEPS[0].read(form, {})
    assert not answers.problems
    assert answers.draft["children"][0]["approximate_age"] == 14
