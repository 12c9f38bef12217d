"""Reading an import file (CSV or XLSX) into a header and rows of cells.

XLSX is read with openpyxl directly, not through tablib, because tablib opens workbooks with
``data_only=True``, which turns a formula into its cached value and so hides it; a formula in
a file of concerns is refused instead (it may pull data from elsewhere or run on opening).
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "Cell",
    "ImportFileError",
    "Sheet",
    "read_sheet",
]

#: A file larger than this is refused before it is opened (an import is one transaction).
MAX_FILE_BYTES = 25 * 1024 * 1024
#: Concerns in one file at most; split a larger export into several files.
MAX_ROWS = 20_000


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message says why and what to do, and
    never quotes the file's contents."""


@dataclass(frozen=True)
class Cell:
    """A cell as read: its value (text, a number, a date) and whether it held a formula."""

    value: str | int | float | date | None
    formula: bool = False


@dataclass(frozen=True)
class Sheet:
    """The header (as written in the file) and the data rows, each with its row number as a
    spreadsheet shows it (the header is row 1). Entirely blank rows are left out."""

    header: list[str]
    rows: list[tuple[int, list[Cell]]]


def read_sheet(path: Path) -> Sheet:
    """Read ``path`` (``.csv`` or ``.xlsx``); :class:`ImportFileError` if it cannot be."""
    suffix = path.suffix.lower()
    if suffix not in {".csv", ".xlsx"}:
        raise ImportFileError(
            f"{path.name}: only .csv and .xlsx files can be imported; save it in one of those "
            "formats (an .xls workbook: File > Save As > Excel Workbook)"
        )
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImportFileError(
                f"{path.name} is {size / 2**20:.1f} MB; the limit is "
                f"{MAX_FILE_BYTES // 2**20} MB. Split it into smaller files"
            )
        content = path.read_bytes()
    except FileNotFoundError:
        raise ImportFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ImportFileError(f"{path} is a folder, not a file") from None
    except PermissionError:
        raise ImportFileError(f"{path}: permission denied; check who may read it") from None
    except OSError as exc:
        raise ImportFileError(f"{path} could not be read ({exc.strerror})") from None
    sheet = _read_csv(content, path.name) if suffix == ".csv" else _read_xlsx(content, path.name)
    if not sheet.header or not any(name.strip() for name in sheet.header):
        raise ImportFileError(
            f"{path.name} is empty; the first row must be the header (see 'tocsin import template')"
        )
    if not sheet.rows:
        raise ImportFileError(f"{path.name} has a header but no concerns below it")
    return sheet


def _too_many_rows(name: str) -> ImportFileError:
    return ImportFileError(
        f"{name} has more than {MAX_ROWS:,} concerns; split it into files of at most "
        f"{MAX_ROWS:,} rows"
    )


def _read_csv(content: bytes, name: str) -> Sheet:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            f"{name} is not UTF-8 text; save it as 'CSV UTF-8 (comma delimited)'"
        ) from None
    if "\x00" in text:
        raise ImportFileError(f"{name} is not a text file; save it as CSV or XLSX")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] = []
    rows: list[tuple[int, list[Cell]]] = []
    try:
        for index, record in enumerate(reader):
            if index == 0:
                header = [cell.strip() for cell in record]
                continue
            if not any(cell.strip() for cell in record):
                continue
            if len(rows) >= MAX_ROWS:
                raise _too_many_rows(name)
            rows.append((index + 1, [Cell(cell) for cell in record]))
    except csv.Error as exc:
        raise ImportFileError(
            f"{name} is not well-formed CSV near row {reader.line_num} ({exc}); check its "
            "quotes, or save it again from the spreadsheet"
        ) from None
    return Sheet(header, rows)


def _xlsx_value(value: Any) -> str | int | float | date | None:
    if isinstance(value, datetime):
        return value.date()  # a date typed in a spreadsheet; any time of day is not ours
    if isinstance(value, date | str | int | float) or value is None:
        return value
    if isinstance(value, time):
        return value.isoformat()
    return str(value)


def _read_xlsx(content: bytes, name: str) -> Sheet:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise ImportFileError(
            f"{name} could not be read as an XLSX workbook; open it in a spreadsheet and save "
            "it again as .xlsx or .csv"
        ) from None
    try:
        worksheet = workbook.worksheets[0] if workbook.worksheets else None
        if worksheet is None:
            raise ImportFileError(f"{name} has no worksheet")
        header: list[str] = []
        rows: list[tuple[int, list[Cell]]] = []
        for index, values in enumerate(worksheet.iter_rows()):
            cells = [
                Cell(
                    _xlsx_value(getattr(cell, "value", None)),
                    formula=getattr(cell, "data_type", None) == "f",
                )
                for cell in values
            ]
            if index == 0:
                header = ["" if c.value is None else str(c.value).strip() for c in cells]
                continue
            if not any(c.formula or (c.value is not None and str(c.value).strip()) for c in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise _too_many_rows(name)
            rows.append((index + 1, cells))
    except ImportFileError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise ImportFileError(
            f"{name} could not be read as an XLSX workbook; open it in a spreadsheet and save "
            "it again as .xlsx or .csv"
        ) from None
    finally:
        workbook.close()
    return Sheet(header, rows)
