"""Turning one row of an import file into a :class:`ConcernDraft`, and every problem with it
as ``(row, column, value, problem)``.

A row is checked twice over: first cell by cell (formats, codes, lengths, formulas), in words
that name the column and the format it expects; then by :func:`validate_draft`, exactly as the
form and the API are, with each field path mapped back to its column.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date

from tocsin.domain.bounds import control_characters_problem
from tocsin.domain.concerns import (
    CIN_FACTORS,
    ETHNICITY,
    GRADING_HANDLING,
    GRADING_INTELLIGENCE,
    GRADING_SOURCE,
    NOT_KNOWN,
    REFUSED,
    SEXES,
    ChildDraft,
    ConcernDraft,
    FieldProblem,
    Grading,
    IndicatorSeen,
    PersonDraft,
    PlaceDraft,
    VehicleDraft,
    validate_draft,
)
from tocsin.domain.concerns.importing._columns import COLUMN_NAMES, COLUMNS, REQUIRED_COLUMNS
from tocsin.domain.concerns.importing._reading import Cell

__all__ = [
    "ParsedRow",
    "RowProblem",
    "match_header",
    "normalise_header",
    "parse_row",
    "problem_for_field",
]

HEADER_ROW = 1
_MAX_LENGTH = {column.name: column.max_length for column in COLUMNS}
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_INDICATOR = re.compile(r"^\s*([A-Za-z0-9_.-]+)\s*@\s*(\S+)\s*$")
_PATH = re.compile(r"^(\w+)(?:\[(\d+)\])?(?:\.(\w+)(?:\[\d+\])?)?$")


@dataclass(frozen=True)
class RowProblem:
    """One problem: the row as a spreadsheet numbers it (the header is row 1), the column's
    name, the cell's value as read (or one item of a ``;`` list) and what to do."""

    row: int
    column: str
    value: str
    problem: str


@dataclass
class ParsedRow:
    row: int
    draft: ConcernDraft
    cells: dict[str, str] = field(default_factory=dict)
    problems: list[RowProblem] = field(default_factory=list)


def normalise_header(name: str) -> str:
    """Header names match whatever their case and spacing: ``Child given name`` is
    ``child_given_name``."""
    return re.sub(r"[\s-]+", "_", name.strip().lower())


def match_header(header: Sequence[str]) -> tuple[dict[int, str], list[RowProblem]]:
    """Which column each position of the header holds, and any problems with the header
    (unknown, repeated or missing columns), all reported against row 1."""
    positions: dict[int, str] = {}
    problems: list[RowProblem] = []
    for index, written in enumerate(header):
        if not written.strip():
            continue
        name = normalise_header(written)
        if name not in COLUMN_NAMES:
            close = difflib.get_close_matches(name, COLUMN_NAMES, n=1)
            hint = f"did you mean {close[0]}? " if close else ""
            problems.append(
                RowProblem(
                    HEADER_ROW,
                    written,
                    written,
                    f"Unknown column; {hint}rename or remove it (the columns are listed in "
                    "docs/import.md and in 'tocsin import template')",
                )
            )
        elif name in positions.values():
            problems.append(
                RowProblem(HEADER_ROW, name, written, "This column appears twice; keep one")
            )
        else:
            positions[index] = name
    for name in REQUIRED_COLUMNS:
        if name not in positions.values():
            problems.append(
                RowProblem(HEADER_ROW, name, "", "This column is missing from the header; add it")
            )
    return positions, problems


def _text(cell: Cell) -> str:
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


class _Row:
    """The cells of one row by column, and the problems found so far."""

    def __init__(self, row: int, cells: dict[str, Cell]) -> None:
        self.row = row
        self.cells = cells
        self.text = {name: _text(cell) for name, cell in cells.items()}
        self.problems: list[RowProblem] = []

    def flag(self, column: str, problem: str, value: str | None = None) -> None:
        shown = self.text.get(column, "") if value is None else value
        self.problems.append(RowProblem(self.row, column, shown, problem))

    def flagged(self, column: str) -> bool:
        return any(p.column == column for p in self.problems)

    def get(self, column: str) -> str:
        text = self.text.get(column, "")
        limit = _MAX_LENGTH[column]
        if len(text) > limit and not self.flagged(column):
            self.flag(column, f"Keep this under {limit:,} characters")
        return text

    def items(self, column: str) -> list[str]:
        items = [item.strip() for item in self.text.get(column, "").split(";")]
        items = [item for item in items if item]
        limit = _MAX_LENGTH[column]
        for item in items:
            if len(item) > limit:
                self.flag(column, f"Keep each item under {limit:,} characters", item)
        return items

    def date(self, column: str) -> date | None:
        cell = self.cells.get(column)
        if cell is not None and isinstance(cell.value, date):
            return cell.value
        text = self.get(column)
        if not text:
            return None
        parts: tuple[str, str, str] | None = None
        if match := _ISO_DATE.match(text):
            parts = (match.group(1), match.group(2), match.group(3))
        elif match := _UK_DATE.match(text):
            parts = (match.group(3), match.group(2), match.group(1))
        if parts is not None:
            try:
                return date(int(parts[0]), int(parts[1]), int(parts[2]))
            except ValueError:
                pass
        self.flag(column, "Enter a real date as YYYY-MM-DD (or DD/MM/YYYY), like 2011-03-04")
        return None

    def whole_number(self, column: str) -> int | None:
        text = self.get(column)
        if not text:
            return None
        if re.fullmatch(r"\d{1,3}", text):
            return int(text)
        self.flag(column, "Enter a whole number of years, like 14")
        return None

    def code(self, column: str, codes: Collection[str], default: str, hint: str) -> str:
        text = self.get(column).upper()
        if not text:
            return default
        if text not in codes:
            self.flag(column, f"Unknown code; use {hint}")
            return default
        return text


_CHILD_COLUMNS = tuple(column.name for column in COLUMNS if column.name.startswith("child_"))


def _children(row: _Row) -> list[ChildDraft]:
    """The row's child, or none when every child column is blank (intelligence about no
    child yet; validate_draft says whether the row may have no child)."""
    if not any(row.text.get(column) for column in _CHILD_COLUMNS):
        return []
    return [_child(row)]


def _child(row: _Row) -> ChildDraft:
    return ChildDraft(
        given_name=row.get("child_given_name"),
        family_name=row.get("child_family_name"),
        aliases=row.items("child_aliases"),
        date_of_birth=row.date("child_date_of_birth"),
        approximate_age=row.whole_number("child_approximate_age"),
        sex=row.code("child_sex", SEXES, "U", "F, M, X (other or not stated) or U (not known)"),
        address=row.get("child_address"),
        postcode=row.get("child_postcode"),
        school=row.get("child_school"),
        nhs_number=row.get("child_nhs_number"),
        description=row.get("child_description"),
    )


def _persons(row: _Row) -> list[PersonDraft]:
    columns = ("person_names", "person_nicknames", "person_description", "person_ethnicity")
    if not any(row.text.get(c) for c in (*columns, "person_approximate_age")):
        return []
    ethnicity = row.code(
        "person_ethnicity",
        ETHNICITY,
        NOT_KNOWN,
        f"a code from docs/import.md, {REFUSED} (refused) or {NOT_KNOWN} (not yet obtained)",
    )
    return [
        PersonDraft(
            names=row.items("person_names"),
            nicknames=row.items("person_nicknames"),
            description=row.get("person_description"),
            ethnicity=ethnicity,
            approximate_age=row.whole_number("person_approximate_age"),
        )
    ]


def _vehicles(row: _Row) -> list[VehicleDraft]:
    columns = ("vehicle_registration", "vehicle_make", "vehicle_colour")
    if not any(row.text.get(c) for c in columns):
        return []
    return [VehicleDraft(*(row.get(c) for c in columns))]


def _places(row: _Row) -> list[PlaceDraft]:
    if not (row.text.get("place_name") or row.text.get("place_postcode")):
        return []
    return [PlaceDraft(row.get("place_name"), row.get("place_postcode"))]


def _phones(row: _Row) -> list[str]:
    cell = row.cells.get("phones")
    if cell is not None and isinstance(cell.value, int | float):
        row.flag(
            "phones",
            "This phone number was stored as a number and has lost its leading 0; format "
            "the column as Text and type it again",
        )
        return []
    return row.items("phones")


def _indicators(row: _Row, indicator_ids: Collection[str] | None) -> list[IndicatorSeen]:
    seen = []
    for item in row.items("indicators"):
        match = _INDICATOR.match(item)
        when = None
        if match:
            parsed = _Row(row.row, {"indicators": Cell(match.group(2))})
            when = parsed.date("indicators")
        if match is None or when is None:
            row.flag("indicators", "Write each indicator as id@YYYY-MM-DD, separated by ;", item)
            continue
        if indicator_ids is not None and match.group(1) not in indicator_ids:
            row.flag(
                "indicators",
                "Unknown screening indicator; use an id listed in docs/import.md",
                item,
            )
            continue
        seen.append(IndicatorSeen(match.group(1), when))
    return seen


def _cin_factors(row: _Row) -> list[str]:
    codes = []
    for item in row.items("cin_factors"):
        code = item.upper()
        if code not in CIN_FACTORS:
            row.flag(
                "cin_factors",
                "Unknown Children in Need factor; use a code listed in docs/import.md, like 11A",
                item,
            )
            continue
        codes.append(code)
    return codes


def _grading(row: _Row) -> Grading | None:
    columns = ("grading_source", "grading_intelligence", "grading_handling")
    given = [row.text.get(c, "") for c in columns]
    if not any(given):
        return None
    if not all(given):
        for column, value in zip(columns, given, strict=True):
            if not value:
                row.flag(
                    column,
                    "Fill in all three grading columns (source 1-3, intelligence A-E, "
                    "handling P or C), or none of them",
                )
        return None
    return Grading(
        row.code("grading_source", GRADING_SOURCE, "", "1, 2 or 3"),
        row.code("grading_intelligence", GRADING_INTELLIGENCE, "", "A, B, C, D or E"),
        row.code("grading_handling", GRADING_HANDLING, "", "P or C"),
    )


def problem_for_field(
    row: int, problem: FieldProblem, cells: dict[str, str], draft: ConcernDraft
) -> RowProblem:
    """A problem :func:`validate_draft` (or the recording action) found, against the column
    it came from and the value in it."""
    match = _PATH.match(problem.field)
    if match is None:
        return RowProblem(row, problem.field, "", problem.message)
    name, index, attribute = match.group(1), match.group(2), match.group(3)
    prefixes = {"children": "child_", "persons": "person_", "vehicles": "vehicle_"}
    if name == "children" and attribute is None:
        column = "child_given_name"
    elif name in prefixes and attribute is not None:
        column = prefixes[name] + attribute
    elif name == "places" and attribute is not None:
        column = f"place_{attribute}"
    elif name == "grading":
        column = "grading_source"
    else:
        column = name
    value = cells.get(column, "")
    if index is not None and column in {"phones", "indicators", "cin_factors"}:
        items = {
            "phones": draft.phones,
            "cin_factors": draft.cin_factors,
            "indicators": [f"{i.indicator_id}@{i.seen_on.isoformat()}" for i in draft.indicators],
        }[column]
        if int(index) < len(items):
            value = items[int(index)]
    return RowProblem(row, column, value, problem.message)


def parse_row(
    row_number: int,
    cells: dict[str, Cell],
    *,
    today: date,
    indicator_ids: Collection[str] | None,
) -> ParsedRow:
    """The draft a row describes (channel ``import``) and every problem with it."""
    formulas = [name for name, cell in cells.items() if cell.formula]
    # A formula is reported once, as itself, and its cell then read as blank.
    row = _Row(row_number, {n: Cell(None) if n in formulas else c for n, c in cells.items()})
    for name in formulas:
        row.flag(
            name,
            "This cell holds a formula; replace it with its value (copy, then Paste "
            "Special > Values)",
            "(formula)",
        )
    # The source reference names the row and is kept with the concern: checked as a short
    # text (its length, no control characters), nothing more.
    reference = row.get("source_reference")
    if (refused := control_characters_problem(reference, free_text=False)) is not None:
        row.flag("source_reference", refused)
    draft = ConcernDraft(
        children=_children(row),
        narrative=row.text.get("narrative", ""),
        occurred_on=row.date("occurred_on"),
        occurred_where=row.get("occurred_where"),
        persons=_persons(row),
        vehicles=_vehicles(row),
        phones=_phones(row),
        places=_places(row),
        indicators=_indicators(row, indicator_ids),
        cin_factors=_cin_factors(row),
        grading=_grading(row),
        channel="import",
    )
    # A column already reported cell by cell is not reported again in other words.
    reported = {problem.column for problem in row.problems}
    for problem in validate_draft(draft, today=today):
        found = problem_for_field(row_number, problem, row.text, draft)
        if found.column not in reported:
            row.problems.append(found)
    return ParsedRow(row_number, draft, row.text, row.problems)
