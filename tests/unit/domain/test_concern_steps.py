"""The concern form's question pages (tocsin.domain.concerns.steps), without a server: each
page reads its answers, shows them again, and names the field each problem belongs to; the
registry finds the page that asks any question."""

from __future__ import annotations

from typing import Any

import pytest

from tocsin.domain import screening
from tocsin.domain.concerns import CIN_FACTORS, FieldProblem, steps
from tocsin.domain.concerns.steps import STEPS, Step


class Form(dict[str, str]):
    """A posted form with several values for some names (as Django's QueryDict)."""

    def __init__(self, values: dict[str, Any]) -> None:
        super().__init__({k: v[-1] if isinstance(v, list) else v for k, v in values.items()})
        self.lists = {k: v if isinstance(v, list) else [v] for k, v in values.items()}

    def getlist(self, name: str) -> list[str]:
        return self.lists.get(name, [])


def page(slug: str) -> Step:
    return next(step for step in STEPS if step.slug == slug)


def round_trip(slug: str, posted: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    answers = page(slug).read(Form(posted), steps.empty_session_draft())
    assert answers.problems == []
    return answers.draft, page(slug).values(answers.draft)


def test_one_page_per_slug_and_every_draft_key_is_asked_once() -> None:
    slugs = [step.slug for step in STEPS]
    assert len(slugs) == len(set(slugs))
    keys = [key for step in STEPS for key in step.keys]
    assert sorted(keys) == sorted(steps.empty_session_draft())
    assert [s.slug for s in steps.steps_for("practitioner")] == slugs[:-1]
    assert [s.slug for s in steps.steps_for("police_officer")] == slugs


def test_a_list_page_reads_each_filled_fieldset_and_shows_it_again() -> None:
    draft, values = round_trip(
        "children",
        {
            "children-count": "3",
            "children-0-given_name": " Amara ",
            "children-0-aliases": "Mara, , Ama",
            "children-0-date_of_birth-day": "4",
            "children-0-date_of_birth-month": "3",
            "children-0-date_of_birth-year": "2011",
            "children-0-sex": "F",
            "children-1-sex": "U",  # a select alone does not make a fieldset filled
            "children-2-approximate_age": "14",
        },
    )
    first, second = draft["children"]
    assert (first["given_name"], first["aliases"], first["date_of_birth"]) == (
        "Amara",
        ["Mara", "Ama"],
        "2011-03-04",
    )
    assert (second["approximate_age"], second["sex"]) == (14, "U")
    assert values["children-count"] == "2"
    assert values["children-0-aliases"] == "Mara, Ama"
    assert (values["children-0-date_of_birth-day"], values["children-0-date_of_birth-year"]) == (
        "4",
        "2011",
    )
    assert values["children-1-approximate_age"] == "14"


def test_a_list_page_names_what_it_cannot_read() -> None:
    answers = page("persons").read(
        Form({"persons-count": "1", "persons-0-approximate_age": "about forty"}), {}
    )
    assert answers.problems == [
        FieldProblem("persons[0].approximate_age", "Enter the age as a whole number, like 14")
    ]


def test_phones_are_numbers_not_records() -> None:
    draft, values = round_trip("phones", {"phones-count": "2", "phones-0-number": " 07700 900123 "})
    assert draft["phones"] == ["07700 900123"]
    assert values == {"phones-count": "1", "phones-0-number": "07700 900123"}


def test_what_happened_reads_its_text_and_date() -> None:
    draft, values = round_trip(
        "what-happened",
        {
            "narrative": "Seen with an adult",
            "occurred_on-day": "1",
            "occurred_on-month": "11",
            "occurred_on-year": "2026",
            "occurred_where": "The park",
        },
    )
    assert (draft["narrative"], draft["occurred_on"], draft["occurred_where"]) == (
        "Seen with an adult",
        "2026-11-01",
        "The park",
    )
    assert values["occurred_on-month"] == "11"
    bad = page("what-happened").read(Form({"occurred_on-day": "31", "occurred_on-month": "2"}), {})
    assert [p.field for p in bad.problems] == ["occurred_on"]


def test_indicators_are_read_in_the_schemes_order_each_with_its_date() -> None:
    first, second = [i.id for i in screening.scheme().indicators[:2]]
    answers = page("indicators").read(
        Form(
            {
                "indicator": [second, first, "no-such-indicator"],
                f"seen-{first}-day": "2",
                f"seen-{first}-month": "10",
                f"seen-{first}-year": "2026",
            }
        ),
        {},
    )
    assert answers.draft["indicators"] == [
        {"indicator_id": first, "seen_on": "2026-10-02"},
        {"indicator_id": second, "seen_on": ""},
    ]
    assert [p.field for p in answers.problems] == ["indicators[1]"]
    assert page("indicators").values(answers.draft)["indicator"] == [first, second]


def test_checkboxes_and_the_grading() -> None:
    first, second = list(CIN_FACTORS)[:2]
    draft, values = round_trip("cin-factors", {"cin_factors": [second, first, "nonsense"]})
    assert draft["cin_factors"] == [first, second]  # in the codes' order; unknown ones dropped
    assert values == {"cin_factors": [first, second]}
    graded = {"grading-source": "1", "grading-intelligence": "1", "grading-handling": "P"}
    draft, values = round_trip("grading", graded)
    assert draft["grading"] == {"source": "1", "intelligence": "1", "handling": "P"}
    assert values == graded
    half = page("grading").read(Form({"grading-source": "1"}), {})
    assert [p.field for p in half.problems] == ["grading"]
    assert half.draft["grading"] is None


@pytest.mark.parametrize(
    ("path", "expected_page", "expected_id"),
    [
        ("children[0].given_name", "children", "children-0-given_name"),
        ("children[1].date_of_birth", "children", "children-1-date_of_birth-day"),
        ("narrative", "what-happened", "narrative"),
        ("occurred_on", "what-happened", "occurred_on"),
        ("persons[0].approximate_age", "persons", "persons-0-approximate_age"),
        ("phones[2]", "phones", "phones-2-number"),
        ("places[0].postcode", "places", "places-0-postcode"),
        ("indicators[0]", "indicators", "indicator-seen-at-night"),
        ("indicators[5]", "indicators", "indicators"),
        ("cin_factors[1]", "cin-factors", "cin_factors"),
        ("cin_factors", "cin-factors", "cin_factors"),
        ("grading", "grading", "grading-source"),
        ("no_such_field", "children", "no_such_field"),
    ],
)
def test_each_problem_goes_to_the_page_and_field_that_ask_it(
    path: str, expected_page: str, expected_id: str
) -> None:
    stored = {"indicators": [{"indicator_id": "seen-at-night", "seen_on": ""}]}
    assert steps.step_for_field(path) == expected_page
    assert steps.html_id(path, stored) == expected_id
    problems = [FieldProblem(path, "wrong"), FieldProblem("narrative", "empty")]
    on_page = steps.problems_for_step(page(expected_page), problems, stored)
    assert on_page[0] == (expected_id, "wrong")


def test_each_page_names_the_free_text_its_language_warnings_are_about() -> None:
    stored = {
        **steps.empty_session_draft(),
        "narrative": "She went with them",
        "occurred_where": "Town",
        "persons": [{"description": "An older man"}],
    }
    assert page("what-happened").warnings(stored, len) == {"narrative": 18, "occurred_where": 4}
    assert page("persons").warnings(stored, str.upper) == {"persons-0-description": "AN OLDER MAN"}
    assert page("children").warnings(stored, len) == {}


def test_the_children_page_takes_a_description_or_that_no_child_is_known_yet() -> None:
    described, values = round_trip(
        "children",
        {
            "children-count": "1",
            "children-0-description": " Girl about 14 in a Northfield Academy blazer ",
            "children-0-school": "Northfield Academy",
        },
    )
    assert described["children"][0]["description"] == "Girl about 14 in a Northfield Academy blazer"
    assert described["no_child"] is False
    assert values["children-0-description"] == "Girl about 14 in a Northfield Academy blazer"

    none_yet, values = round_trip("children", {"children-count": "1", "no_child": "yes"})
    assert (none_yet["children"], none_yet["no_child"]) == ([], True)
    assert values["no_child"] == "yes"

    blank = page("children").read(Form({"children-count": "1"}), steps.empty_session_draft())
    assert [(p.field, p.message) for p in blank.problems] == [("children", steps.NO_CHILD_CHOSEN)]
    assert steps.html_id("children") == "children-0-given_name"
    both = page("children").read(
        Form({"children-count": "1", "children-0-given_name": "Ola", "no_child": "yes"}),
        steps.empty_session_draft(),
    )
    assert [p.field for p in both.problems] == ["no_child"]
    assert both.draft["no_child"] is False


def test_the_children_page_asks_in_its_own_words_whether_there_is_a_child() -> None:
    children = page("children")
    stored = {**steps.empty_session_draft(), "no_child": True}
    domain_says = FieldProblem("children", "Add a child the concern is about, or ...")
    own = FieldProblem("children", steps.NO_CHILD_CHOSEN)
    shown = steps.problems_for_step(children, [domain_says, own], stored)
    assert shown == [("children-0-given_name", steps.NO_CHILD_CHOSEN)]
    # Other problems about the children are shown as ever.
    age = FieldProblem("children[0].approximate_age", "Enter an age between 0 and 17")
    assert steps.problems_for_step(children, [age], stored) == [
        ("children-0-approximate_age", age.message)
    ]


def test_no_screening_is_asked_when_no_child_is_known_yet() -> None:
    everything = [s.slug for s in steps.steps_for("police_officer")]
    fresh = steps.steps_for("police_officer", steps.empty_session_draft())
    assert [s.slug for s in fresh] == everything  # "question 1 of 9" before anything is said
    none_yet = {**steps.empty_session_draft(), "no_child": True}
    asked = [s.slug for s in steps.steps_for("police_officer", none_yet)]
    assert asked == [s for s in everything if s not in {"indicators", "cin-factors"}]
    with_child = {**steps.empty_session_draft(), "children": [{"given_name": "Ola"}]}
    assert [s.slug for s in steps.steps_for("police_officer", with_child)] == everything
    # Answers given before the child was taken away stay reachable, to be removed.
    stale = {**none_yet, "cin_factors": ["11A"]}
    assert "cin-factors" in [s.slug for s in steps.steps_for("practitioner", stale)]
    assert "indicators" not in [s.slug for s in steps.steps_for("practitioner", stale)]


def test_the_childs_description_is_free_text_the_language_check_reads() -> None:
    stored = {
        **steps.empty_session_draft(),
        "children": [{"description": "Girl in a red coat"}, {"given_name": "Ola"}],
    }
    assert page("children").warnings(stored, len) == {
        "children-0-description": 18,
        "children-1-description": 0,
    }


def test_the_cin_page_prompts_for_the_factors_the_indicators_suggest() -> None:
    cin = page("cin-factors")
    stored = {
        **steps.empty_session_draft(),
        "children": [{"given_name": "Ola"}],
        "indicators": [{"indicator_id": "links_to_hotels_or_taxis", "seen_on": "2026-11-01"}],
    }
    assert [p.code for p in cin.prompts(stored)] == ["11A"]
    assert cin.prompts({**stored, "cin_factors": ["11A"]}) == []
    assert page("indicators").prompts(stored) == []
