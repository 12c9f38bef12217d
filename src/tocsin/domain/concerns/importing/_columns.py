"""The import template's columns: each column's name, what it holds, its format and an example.

``docs/import.md`` documents these, and a test fails when a column is missing from it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["COLUMNS", "COLUMN_NAMES", "REQUIRED_COLUMNS", "Column"]


@dataclass(frozen=True)
class Column:
    """One column of the template."""

    name: str
    meaning: str
    format: str
    example: str
    #: Longest text a cell may hold (each item, for lists separated by ``;``).
    max_length: int = 200


COLUMNS: tuple[Column, ...] = (
    Column("child_given_name", "The child's given name", "text", "Amara"),
    Column("child_family_name", "The child's family name", "text", "Okafor"),
    Column("child_aliases", "Other names or nicknames the child is known by", "list", "Mara"),
    Column(
        "child_description",
        "What the child looks like, when the name is not known",
        "text",
        "Girl about 14 in a Northfield Academy blazer",
        max_length=2000,
    ),
    Column("child_date_of_birth", "The child's date of birth", "date", "2011-03-04", max_length=20),
    Column(
        "child_approximate_age",
        "The child's age in years, when the date of birth is not known (0-17)",
        "whole number",
        "14",
        max_length=10,
    ),
    Column("child_sex", "The child's sex, as a code; blank means U", "code", "F", max_length=10),
    Column("child_address", "The child's address", "text", "1 Example Street", max_length=300),
    Column("child_postcode", "The child's postcode", "postcode", "ZZ1 4QX", max_length=10),
    Column("child_school", "The child's school", "text", "Northgate Academy"),
    Column(
        "child_nhs_number",
        "The child's NHS number (10 digits, with a valid check digit)",
        "text",
        "9434765919",
        max_length=20,
    ),
    Column(
        "narrative",
        "What happened, in the reporter's words (required)",
        "text",
        "A car has been seen collecting her from school.",
        max_length=20000,
    ),
    Column("occurred_on", "When it happened", "date", "2026-11-01", max_length=20),
    Column("occurred_where", "Where it happened", "text", "Outside the school", max_length=300),
    Column("person_names", "A person of concern's names", "list", "Dean Carter"),
    Column("person_nicknames", "Their nicknames", "list", "DC;Deano"),
    Column(
        "person_description",
        "Their description, as given",
        "text",
        "Tall, short dark hair",
        max_length=2000,
    ),
    Column(
        "person_ethnicity",
        "Their ethnicity as described, as a code (REFU refused, NOBT not yet obtained); "
        "blank means NOBT",
        "code",
        "NOBT",
        max_length=10,
    ),
    Column("person_approximate_age", "Their approximate age (10-110)", "whole number", "25", 10),
    Column("vehicle_registration", "A vehicle's registration, even part of it", "text", "ZX12 ABC"),
    Column("vehicle_make", "The vehicle's make", "text", "Ford"),
    Column("vehicle_colour", "The vehicle's colour", "text", "silver"),
    Column("phones", "UK phone numbers", "list", "07700 900123;07700 900456", max_length=30),
    Column("place_name", "A place linked to the concern", "text", "The park on Mill Lane"),
    Column("place_postcode", "The place's postcode", "postcode", "ZZ1 2AB", max_length=10),
    Column(
        "indicators",
        "Screening indicators seen, each as id@YYYY-MM-DD",
        "list",
        "missing_from_home_or_care@2026-10-30",
        max_length=100,
    ),
    Column("cin_factors", "Children in Need factor codes", "list", "11A;10A", max_length=10),
    Column("grading_source", "Police intelligence grading: source (1-3)", "code", "", 10),
    Column("grading_intelligence", "Intelligence grading: intelligence (A-E)", "code", "", 10),
    Column("grading_handling", "Intelligence grading: handling (P or C)", "code", "", 10),
    Column(
        "source_reference",
        "Your own reference for this concern in the system it comes from (a case or record "
        "number); importing a row with a reference the agency has imported before records "
        "nothing. Without one, a row is known by what it says",
        "text",
        "CASE-2026-00417",
        max_length=80,
    ),
)

COLUMN_NAMES: tuple[str, ...] = tuple(column.name for column in COLUMNS)

#: Headers a file must have; the others may be left out. A row may leave every child column
#: blank when it is an agency's intelligence about a person, vehicle, phone or place before any
#: child is known.
REQUIRED_COLUMNS: tuple[str, ...] = ("child_given_name", "child_family_name", "narrative")
