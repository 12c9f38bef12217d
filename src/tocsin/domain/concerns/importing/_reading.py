"""Reading an import file (CSV or XLSX) into a header and rows of cells.

XLSX is read with openpyxl directly, not through tablib, because tablib opens workbooks with
``data_only=True``, which turns a formula into its cached value and so hides it; a formula in
a file of concerns is refused instead (it may pull data from elsewhere or run on opening).

An XLSX file is a zip of XML, so a small file can hold a great deal. Before openpyxl reads
it (:func:`check_xlsx_bounds`), the zip's directory and every
worksheet and the shared strings are checked against the limits below, streaming, so that
nothing is built in memory that the limits would not allow; the worksheet's declared size
(``<dimension ref="A1:XFD1048576">``) is ignored, since openpyxl would otherwise pad every row
to it.
"""

from __future__ import annotations

import csv
import io
import re
import struct
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from xml.parsers import expat

from tocsin.domain.bounds import whole_number

__all__ = [
    "MAX_CELL_CHARACTERS",
    "MAX_COLUMNS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "MAX_XLSX_ENTRIES",
    "MAX_XLSX_ENTRY_BYTES",
    "Cell",
    "ImportFileError",
    "Sheet",
    "read_sheet",
]

#: A file larger than this is refused before it is opened (an import is one transaction).
MAX_FILE_BYTES = 25 * 1024 * 1024
#: Concerns in one file at most; split a larger export into several files.
MAX_ROWS = 20_000
#: Columns a row may use: the template has 30; room for notes an exporter adds beside them.
MAX_COLUMNS = 64
#: Characters in one cell, as in Excel itself; the longest column (``narrative``) takes 20,000.
MAX_CELL_CHARACTERS = 32_767
#: Bytes in any one part of an XLSX file once decompressed (a worksheet, the shared strings).
MAX_XLSX_ENTRY_BYTES = 40 * 1024 * 1024
#: Parts in an XLSX file; a workbook saved by a spreadsheet has a few dozen.
MAX_XLSX_ENTRIES = 1000


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


def _check_width(name: str, row: int, filled: list[bool]) -> None:
    """Refuse a row with a value beyond :data:`MAX_COLUMNS` (blank cells beyond it are fine:
    a spreadsheet may write them for formatting)."""
    if len(filled) > MAX_COLUMNS and any(filled[MAX_COLUMNS:]):
        raise ImportFileError(
            f"{name}: row {row} uses more than {MAX_COLUMNS} columns, the most a file of "
            "concerns may have; delete the columns that are not in the template"
        )


def _check_cell(name: str, row: int, column: int, value: object) -> None:
    if isinstance(value, str) and len(value) > MAX_CELL_CHARACTERS:
        raise ImportFileError(
            f"{name}: the cell in row {row}, column {column} holds more than "
            f"{MAX_CELL_CHARACTERS:,} characters, the most a cell may hold; shorten it"
        )


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
            _check_width(name, index + 1, [bool(cell.strip()) for cell in record])
            for column, cell in enumerate(record, start=1):
                _check_cell(name, index + 1, column, cell)
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


def _unreadable(name: str) -> ImportFileError:
    return ImportFileError(
        f"{name} could not be read as an XLSX workbook; open it in a spreadsheet and save "
        "it again as .xlsx or .csv"
    )


def _zip_entries(content: bytes) -> int | None:
    """How many parts the zip's end record says it has, read without opening the zip (whose
    directory Python would otherwise build in full), or None if there is no end record."""
    end = content.rfind(b"PK\x05\x06", max(0, len(content) - 65_557))
    if end < 0 or end + 22 > len(content):
        return None
    (total,) = struct.unpack_from("<H", content, end + 10)
    return int(total)


_COLUMN = re.compile(r"[A-Z]+")


def _column_number(reference: str) -> int:
    letters = _COLUMN.match(reference)
    number = 0
    for letter in letters.group() if letters else "":
        number = number * 26 + ord(letter) - 64
    return number


class _PartScan:
    """Streams one worksheet (or the shared strings) through expat, building nothing, and
    raises :class:`ImportFileError` at the first cell or row past the limits."""

    def __init__(self, name: str, part: str) -> None:
        self.name, self.part = name, part
        self.row = 0
        self.cells_in_row = 0
        self.column = 0
        self.in_cell = False
        self.in_string = False
        self.text = 0
        self.filled = False

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        local = tag.rsplit("}", 1)[-1]
        if local == "row":
            # A row's own number when it gives one in 0-9 digits ("²" is a digit only to
            # str.isdigit, and int() refuses it); otherwise the row after the last.
            numbered = whole_number(attrs.get("r", ""))
            self.row = numbered if numbered is not None else self.row + 1
            self.cells_in_row = self.column = 0
        elif local == "c":
            self.cells_in_row += 1
            self.column = _column_number(attrs.get("r", "")) or self.column + 1
            self.in_cell, self.text, self.filled = True, 0, False
            if self.cells_in_row > 16_384:  # more than Excel's every column: not a spreadsheet
                raise _too_wide(self.name, self.row)
        elif local == "si":
            self.in_string, self.text = True, 0
        elif local in ("v", "f", "is") and self.in_cell:
            self.filled = True
            if self.column > MAX_COLUMNS:
                raise _too_wide(self.name, self.row)

    def end(self, tag: str) -> None:
        local = tag.rsplit("}", 1)[-1]
        if local == "c":
            self.in_cell = False
        elif local == "si":
            self.in_string = False

    def characters(self, data: str) -> None:
        if not (self.in_cell or self.in_string):
            return
        self.text += len(data)
        if self.text > MAX_CELL_CHARACTERS:
            where = (
                f"a cell in row {self.row}, column {self.column}"
                if self.in_cell
                else "a cell's shared text"
            )
            raise ImportFileError(
                f"{self.name}: {where} holds more than {MAX_CELL_CHARACTERS:,} characters, "
                "the most a cell may hold; shorten it"
            )


def _too_wide(name: str, row: int) -> ImportFileError:
    return ImportFileError(
        f"{name}: row {row} uses more than {MAX_COLUMNS} columns, the most a file of concerns "
        "may have; delete the columns that are not in the template"
    )


def check_xlsx_bounds(content: bytes, name: str) -> None:
    """Refuse an XLSX file past the limits before anything builds it in memory: more than
    :data:`MAX_XLSX_ENTRIES` parts, a part larger than :data:`MAX_XLSX_ENTRY_BYTES` once
    decompressed, a cell longer than :data:`MAX_CELL_CHARACTERS`, or a value beyond
    :data:`MAX_COLUMNS` columns. Each part's decompressed size is the zip directory's: Python
    stops reading a part there, and refuses it if its content does not end where declared."""
    entries = _zip_entries(content)
    if entries is None:
        raise _unreadable(name)
    if entries > MAX_XLSX_ENTRIES:
        raise ImportFileError(
            f"{name} holds {entries:,} parts; a workbook holds at most {MAX_XLSX_ENTRIES:,}. "
            "Open it in a spreadsheet and save it again as .xlsx or .csv"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for info in archive.infolist():
                if info.file_size > MAX_XLSX_ENTRY_BYTES:
                    raise ImportFileError(
                        f"{name}: its part {info.filename[:80]!r} is "
                        f"{info.file_size / 2**20:,.0f} MB once decompressed; the limit is "
                        f"{MAX_XLSX_ENTRY_BYTES // 2**20} MB. Split it into smaller files, or "
                        "save it as CSV"
                    )
            for info in archive.infolist():
                if info.filename.startswith("xl/worksheets/") or info.filename.endswith(
                    "sharedStrings.xml"
                ):
                    _scan_part(archive, info, name)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError, NotImplementedError):
        raise _unreadable(name) from None


def _no_doctype(*_: object) -> None:
    # A spreadsheet's XML never declares a document type; one that does may define entities
    # that expand without end.
    raise expat.ExpatError("a document type declaration")


def _scan_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> None:
    scan = _PartScan(name, info.filename)
    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    parser.CharacterDataHandler = scan.characters
    parser.buffer_text = False
    parser.StartDoctypeDeclHandler = _no_doctype
    try:
        with archive.open(info) as part:
            while chunk := part.read(1 << 16):
                parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError:
        raise _unreadable(name) from None


def _read_xlsx(content: bytes, name: str) -> Sheet:
    from openpyxl import load_workbook

    check_xlsx_bounds(content, name)
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
        # The declared size is the file's say-so: rows are read as they are, never padded.
        worksheet.reset_dimensions()
        header: list[str] = []
        rows: list[tuple[int, list[Cell]]] = []
        for index, values in enumerate(worksheet.iter_rows(max_col=MAX_COLUMNS)):
            cells = [
                Cell(
                    _xlsx_value(getattr(cell, "value", None)),
                    formula=getattr(cell, "data_type", None) == "f",
                )
                for cell in values
            ]
            while cells and cells[-1].value is None and not cells[-1].formula:
                cells.pop()
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
