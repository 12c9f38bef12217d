"""The input schema for person records, and reading it from CSV with errors that name the row
and the column."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "OPTIONAL_COLUMNS",
    "PERSON_COLUMNS",
    "REQUIRED_COLUMNS",
    "LinkageInputError",
    "PersonRecord",
    "read_person_csv",
    "validate_person_rows",
]

#: Every column of a person record, in order. ``aliases`` holds names separated by ``;``.
PERSON_COLUMNS: tuple[str, ...] = (
    "record_id",
    "source",
    "first_name",
    "middle_names",
    "surname",
    "aliases",
    "date_of_birth",
    "approximate_age",
    "sex",
    "address",
    "postcode",
    "phone",
    "email",
    "identifier",
    "recorded_on",
)
#: Columns a CSV must have (the others may be absent, and are then empty).
REQUIRED_COLUMNS: tuple[str, ...] = (
    "record_id",
    "source",
    "first_name",
    "surname",
    "date_of_birth",
)
OPTIONAL_COLUMNS: tuple[str, ...] = tuple(c for c in PERSON_COLUMNS if c not in REQUIRED_COLUMNS)
_SEXES = {"M": "M", "F": "F", "X": "X", "U": None, "MALE": "M", "FEMALE": "F"}
_MAX_FIELD = 500


class LinkageInputError(ValueError):
    """Person records that cannot be linked. ``row`` is the 1-based data row (the header is
    row 0) and ``column`` the column at fault, where there is one."""

    def __init__(self, message: str, *, row: int | None = None, column: str | None = None):
        self.row = row
        self.column = column
        where = []
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """One agency's record of a person, as the linkage engine reads it. Empty fields are
    ``None``; dates are ISO ``YYYY-MM-DD`` strings."""

    record_id: str
    source: str
    first_name: str | None
    middle_names: str | None
    surname: str | None
    aliases: tuple[str, ...]
    date_of_birth: str | None
    approximate_age: int | None
    sex: str | None
    address: str | None
    postcode: str | None
    phone: str | None
    email: str | None
    identifier: str | None
    recorded_on: str | None


def _date(value: str | None, row: int, column: str) -> str | None:
    if value is None:
        return None
    try:
        parsed = dt.date.fromisoformat(value)
    except ValueError:
        raise LinkageInputError(
            f"{value!r} is not a date; write it as YYYY-MM-DD, or leave it empty",
            row=row,
            column=column,
        ) from None
    if not 1880 <= parsed.year <= 2200:
        raise LinkageInputError(f"{value!r} is out of range", row=row, column=column)
    return parsed.isoformat()


def _record(raw: Mapping[str, str | None], row: int) -> PersonRecord:
    values: dict[str, str | None] = {}
    for column in PERSON_COLUMNS:
        value = raw.get(column)
        value = value.strip() if isinstance(value, str) else None
        if value and len(value) > _MAX_FIELD:
            raise LinkageInputError(f"longer than {_MAX_FIELD} characters", row=row, column=column)
        values[column] = value or None
    for column in ("record_id", "source"):
        if values[column] is None:
            raise LinkageInputError("is empty; every record needs one", row=row, column=column)
    age: int | None = None
    if values["approximate_age"] is not None:
        try:
            age = int(values["approximate_age"])
        except ValueError:
            age = -1
        if not 0 <= age <= 120:
            raise LinkageInputError(
                f"{values['approximate_age']!r} is not an age in whole years (0 to 120)",
                row=row,
                column="approximate_age",
            )
    sex = values["sex"]
    if sex is not None:
        if sex.upper() not in _SEXES:
            raise LinkageInputError(
                f"{sex!r} is not one of M, F, X or U (unknown)", row=row, column="sex"
            )
        sex = _SEXES[sex.upper()]
    aliases = tuple(a.strip() for a in (values["aliases"] or "").split(";") if a.strip())
    return PersonRecord(
        record_id=str(values["record_id"]),
        source=str(values["source"]),
        first_name=values["first_name"],
        middle_names=values["middle_names"],
        surname=values["surname"],
        aliases=aliases,
        date_of_birth=_date(values["date_of_birth"], row, "date_of_birth"),
        approximate_age=age,
        sex=sex,
        address=values["address"],
        postcode=values["postcode"],
        phone=values["phone"],
        email=values["email"],
        identifier=values["identifier"],
        recorded_on=_date(values["recorded_on"], row, "recorded_on"),
    )


def validate_person_rows(rows: Iterable[Mapping[str, str | None]]) -> list[PersonRecord]:
    """Person records from dictionaries keyed by :data:`PERSON_COLUMNS` (missing optional keys
    are empty). Raises :class:`LinkageInputError` on the first bad row, and when a record id
    repeats; nothing is returned unless every row is good."""
    records: list[PersonRecord] = []
    first_seen: dict[str, int] = {}
    for row, raw in enumerate(rows, start=1):
        record = _record(raw, row)
        if record.record_id in first_seen:
            raise LinkageInputError(
                f"record id {record.record_id!r} repeats row {first_seen[record.record_id]}; "
                "each record needs its own",
                row=row,
                column="record_id",
            )
        first_seen[record.record_id] = row
        records.append(record)
    return records


def read_person_csv(path: str | Path) -> list[PersonRecord]:
    """Read and check a CSV of person records (UTF-8, with a header row naming at least
    :data:`REQUIRED_COLUMNS`; unknown columns are refused so a misspelt one is not ignored)."""
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = data[: exc.start].count(b"\n")  # header is row 0
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        header = data.split(b"\n", 1)[0].decode("utf-8", "replace").strip().split(",")
        column_index = data[line_start : exc.start].count(b",")
        column = header[column_index] if row > 0 and column_index < len(header) else None
        raise LinkageInputError(
            f"byte 0x{data[exc.start]:02x} is not UTF-8; save the file as UTF-8",
            row=row,
            column=column,
        ) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    if not header:
        raise LinkageInputError("the file is empty; it needs a header row", row=0)
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise LinkageInputError(
            f"the header lacks required column(s) {', '.join(missing)}", row=0, column=missing[0]
        )
    unknown = [c for c in header if c not in PERSON_COLUMNS]
    if unknown:
        raise LinkageInputError(
            f"unknown column {unknown[0]!r}; the columns are {', '.join(PERSON_COLUMNS)}",
            row=0,
            column=unknown[0],
        )
    reader.fieldnames = header

    def rows() -> Iterable[Mapping[str, str | None]]:
        for row, raw in enumerate(reader, start=1):
            if None in raw:
                raise LinkageInputError(
                    f"has {len(header) + len(raw[None])} fields but the header has {len(header)}",
                    row=row,
                )
            yield raw

    return validate_person_rows(rows())
