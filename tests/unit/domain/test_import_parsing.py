"""The import parser, column by column: what each cell accepts, and the words used when it
does not. No database: parsing and validation are plain functions."""

from __future__ import annotations

from datetime import date

import pytest

from tocsin.domain.concerns import NO_CHILD_NOR_SUBJECT
from tocsin.domain.concerns.importing import (
    COLUMN_NAMES,
    Cell,
    RowProblem,
    match_header,
    parse_row,
)

TODAY = date(2026, 11, 29)
INDICATORS = {"missing_from_home_or_care", "staying_out_late"}
GOOD = {
    "child_given_name": "Amara",
    "child_family_name": "Okafor",
    "narrative": "Adults have been contacting her through social media.",
}


def parse(**cells: object):  # type: ignore[no-untyped-def]
    values = {**GOOD, **cells}
    return parse_row(
        7,
        {k: v if isinstance(v, Cell) else Cell(v) for k, v in values.items()},  # type: ignore[arg-type]
        today=TODAY,
        indicator_ids=INDICATORS,
    )


def problems(**cells: object) -> list[tuple[str, str]]:
    return [(p.column, p.value) for p in parse(**cells).problems]


def test_a_minimal_row_is_a_concern_about_one_child_through_the_import_channel() -> None:
    row = parse()
    assert row.problems == []
    assert row.row == 7
    assert row.draft.channel == "import"
    assert row.draft.children[0].given_name == "Amara"
    assert row.draft.children[0].sex == "U"
    assert row.draft.persons == []
    assert row.draft.vehicles == []
    assert row.draft.places == []
    assert row.draft.grading is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2011-03-04", date(2011, 3, 4)),
        ("04/03/2011", date(2011, 3, 4)),
        ("2011-3-4", date(2011, 3, 4)),
        (date(2011, 3, 4), date(2011, 3, 4)),
    ],
)
def test_dates_as_iso_uk_or_spreadsheet_dates(text: object, expected: date) -> None:
    row = parse(child_date_of_birth=text, occurred_on=text)
    assert row.problems == []
    assert row.draft.children[0].date_of_birth == expected
    assert row.draft.occurred_on == expected


@pytest.mark.parametrize("text", ["2011-02-30", "yesterday", "03.04.2011", "40000", "2011/03/04"])
def test_a_date_that_is_not_one_says_the_format(text: str) -> None:
    row = parse(child_date_of_birth=text)
    assert [(p.column, p.value) for p in row.problems] == [("child_date_of_birth", text)]
    assert "YYYY-MM-DD" in row.problems[0].problem


def test_dates_in_the_future_or_of_adults_are_refused_by_the_shared_validation() -> None:
    assert problems(child_date_of_birth="2027-01-01") == [("child_date_of_birth", "2027-01-01")]
    assert problems(child_date_of_birth="2000-01-01") == [("child_date_of_birth", "2000-01-01")]
    assert problems(occurred_on="2030-01-01") == [("occurred_on", "2030-01-01")]


@pytest.mark.parametrize(("text", "ok"), [("14", True), ("0", True), ("18", False), ("x", False)])
def test_child_approximate_age(text: str, ok: bool) -> None:
    assert (problems(child_approximate_age=text) == []) is ok


def test_ages_from_xlsx_numbers() -> None:
    assert parse(child_approximate_age=14.0).draft.children[0].approximate_age == 14
    assert problems(child_approximate_age=14.5) == [("child_approximate_age", "14.5")]


@pytest.mark.parametrize(("text", "code"), [("f", "F"), ("M", "M"), ("", "U"), ("x", "X")])
def test_child_sex_codes(text: str, code: str) -> None:
    assert parse(child_sex=text).draft.children[0].sex == code


def test_an_unknown_sex_code_lists_the_codes() -> None:
    row = parse(child_sex="girl")
    assert row.problems[0].column == "child_sex"
    assert "F, M, X" in row.problems[0].problem


def test_aliases_split_on_semicolons_and_a_child_may_be_known_only_by_one() -> None:
    row = parse(child_given_name="", child_family_name="", child_aliases=" Mara ; ; Mimi")
    assert row.problems == []
    assert row.draft.children[0].aliases == ["Mara", "Mimi"]


def test_a_child_needs_no_name_only_something_to_find_them_by() -> None:
    row = parse(
        child_given_name="",
        child_family_name="",
        child_description="Girl about 14 in a Northfield Academy blazer",
    )
    assert row.problems == []
    assert row.draft.children[0].description == "Girl about 14 in a Northfield Academy blazer"
    # The sex alone would find nobody.
    only_sex = parse(child_given_name="", child_family_name="", child_sex="F")
    assert [(p.column, p.problem[:27]) for p in only_sex.problems] == [
        ("child_given_name", "Enter what you know about t")
    ]


def test_a_row_with_no_child_is_intelligence_about_what_it_names() -> None:
    blank = {"child_given_name": "", "child_family_name": ""}
    row = parse(**blank, vehicle_make="Audi", vehicle_colour="black")
    assert row.problems == []
    assert row.draft.children == []
    nothing = parse(**blank)
    assert [(p.column, p.problem) for p in nothing.problems] == [
        ("child_given_name", NO_CHILD_NOR_SUBJECT)
    ]
    screened = parse(
        **blank, phones="07700 900123", indicators="staying_out_late@2026-11-01", cin_factors="11A"
    )
    assert [p.column for p in screened.problems] == ["indicators", "cin_factors"]


def test_postcode_and_nhs_number() -> None:
    assert problems(child_postcode="ZZ1 4QX", child_nhs_number="943 476 5919") == []
    assert problems(child_postcode="nowhere") == [("child_postcode", "nowhere")]
    assert problems(child_nhs_number="9434765918") == [("child_nhs_number", "9434765918")]


def test_narrative_is_required() -> None:
    assert problems(narrative="  ") == [("narrative", "")]


def test_too_long_text_is_refused_before_it_reaches_the_database() -> None:
    long = "a" * 201
    assert problems(child_given_name=long) == [("child_given_name", long)]
    assert problems(child_aliases=f"ok;{long}") == [("child_aliases", long)]


def test_a_person_of_concern_is_made_from_any_person_column() -> None:
    row = parse(person_nicknames="DC;Deano", person_approximate_age="25")
    assert row.problems == []
    (person,) = row.draft.persons
    assert person.nicknames == ["DC", "Deano"]
    assert person.ethnicity == "NOBT"
    assert person.approximate_age == 25


def test_person_ethnicity_codes_refused_and_not_known() -> None:
    assert parse(person_names="Dean", person_ethnicity="refu").draft.persons[0].ethnicity == "REFU"
    assert parse(person_names="Dean", person_ethnicity="APKN").draft.persons[0].ethnicity == "APKN"
    row = parse(person_names="Dean", person_ethnicity="Asian")
    assert [(p.column, p.value) for p in row.problems] == [("person_ethnicity", "Asian")]
    assert "REFU" in row.problems[0].problem
    assert "NOBT" in row.problems[0].problem


def test_a_person_needs_a_name_nickname_or_description() -> None:
    assert problems(person_ethnicity="NOBT") == [("person_names", "")]
    assert problems(person_approximate_age="5", person_names="A") == [
        ("person_approximate_age", "5")
    ]


def test_vehicle_and_place() -> None:
    row = parse(vehicle_registration="zx12 abc", vehicle_colour="silver", place_postcode="ZZ1 2AB")
    assert row.problems == []
    assert row.draft.vehicles[0].registration == "zx12 abc"
    assert row.draft.places[0].postcode == "ZZ1 2AB"
    assert problems(vehicle_colour="red") == [("vehicle_registration", "")]
    assert problems(place_postcode="nowhere") == [("place_postcode", "nowhere")]


def test_phones_each_checked_and_reported_by_item() -> None:
    row = parse(phones="07700 900123; +44 7700 900456")
    assert row.problems == []
    assert row.draft.phones == ["07700 900123", "+44 7700 900456"]
    assert problems(phones="07700 900123;0123;999") == [("phones", "0123"), ("phones", "999")]


def test_a_phone_stored_as_a_number_has_lost_its_zero() -> None:
    row = parse(phones=7700900123)
    assert [(p.column, p.value) for p in row.problems] == [("phones", "7700900123")]
    assert "leading 0" in row.problems[0].problem


def test_indicators_as_id_at_date() -> None:
    row = parse(indicators="missing_from_home_or_care@2026-10-30;staying_out_late @ 28/10/2026")
    assert row.problems == []
    assert [(i.indicator_id, i.seen_on) for i in row.draft.indicators] == [
        ("missing_from_home_or_care", date(2026, 10, 30)),
        ("staying_out_late", date(2026, 10, 28)),
    ]


@pytest.mark.parametrize(
    ("item", "words"),
    [
        ("missing_from_home_or_care", "id@YYYY-MM-DD"),
        ("missing_from_home_or_care@soon", "id@YYYY-MM-DD"),
        ("no_such_thing@2026-10-30", "Unknown screening indicator"),
        ("staying_out_late@2027-01-01", "today or earlier"),
    ],
)
def test_bad_indicators(item: str, words: str) -> None:
    row = parse(indicators=f"staying_out_late@2026-10-01;{item}")
    assert [(p.column, p.value) for p in row.problems] == [("indicators", item)]
    assert words in row.problems[0].problem


def test_cin_factors() -> None:
    assert parse(cin_factors="11a; 10A").draft.cin_factors == ["11A", "10A"]
    row = parse(cin_factors="11A;CSE")
    assert [(p.column, p.value) for p in row.problems] == [("cin_factors", "CSE")]
    assert "CSE" not in row.problems[0].problem  # values stay in the value column


def test_grading_all_three_or_none() -> None:
    row = parse(grading_source="2", grading_intelligence="b", grading_handling="P")
    assert row.problems == []
    assert row.draft.grading is not None
    assert (row.draft.grading.source, row.draft.grading.intelligence) == ("2", "B")
    assert [p.column for p in parse(grading_source="2").problems] == [
        "grading_intelligence",
        "grading_handling",
    ]
    bad = parse(grading_source="4", grading_intelligence="B", grading_handling="X").problems
    assert [p.column for p in bad] == ["grading_source", "grading_handling"]


def test_a_formula_is_refused_and_reported_once() -> None:
    row = parse(child_date_of_birth=Cell("=TODAY()", formula=True))
    assert row.problems == [
        RowProblem(7, "child_date_of_birth", "(formula)", row.problems[0].problem)
    ]
    assert "formula" in row.problems[0].problem


def test_header_matches_case_and_spacing_and_order() -> None:
    positions, found = match_header(["Narrative", "Child given name", "child-family-name", ""])
    assert found == []
    assert positions == {0: "narrative", 1: "child_given_name", 2: "child_family_name"}


def test_header_problems_are_on_row_1() -> None:
    _, found = match_header(["child_given_name", "narative", "child_given_name", "colour"])
    assert [(p.row, p.column) for p in found] == [
        (1, "narative"),
        (1, "child_given_name"),
        (1, "colour"),
        (1, "child_family_name"),
        (1, "narrative"),
    ]
    assert "did you mean narrative?" in found[0].problem
    assert "twice" in found[1].problem
    assert "missing" in found[3].problem


def test_every_column_is_known_to_the_header() -> None:
    positions, found = match_header(list(COLUMN_NAMES))
    assert found == []
    assert list(positions.values()) == list(COLUMN_NAMES)
