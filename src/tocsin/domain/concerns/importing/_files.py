"""Files the importer writes: the empty template and the row-level error report."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from tocsin.domain.concerns.importing._columns import COLUMN_NAMES
from tocsin.domain.concerns.importing._parsing import RowProblem

__all__ = ["REPORT_COLUMNS", "error_report_rows", "write_error_report", "write_template"]

REPORT_COLUMNS = ("row", "column", "value", "problem")
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _inert(value: str) -> str:
    """``value`` as a spreadsheet will show it, never run it: a leading ' when it could be
    taken for a formula (OWASP's advice for CSV files)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _write_atomically(path: Path, content: bytes) -> None:
    """Write the whole file or leave what was there: a half-written report would mislead."""
    folder = path.parent if str(path.parent) else Path()
    handle, scratch = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        os.replace(scratch, path)
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise


def _dataset(headers: Sequence[str], rows: Sequence[Sequence[object]]):  # type: ignore[no-untyped-def]
    import tablib  # type: ignore[import-untyped]

    return tablib.Dataset(*[tuple(row) for row in rows], headers=list(headers))


def error_report_rows(problems: Sequence[RowProblem]) -> list[dict[str, object]]:
    """The problems as ``{"row", "column", "value", "problem"}`` (for ``--json``)."""
    return [
        {"row": p.row, "column": p.column, "value": p.value, "problem": p.problem} for p in problems
    ]


def write_error_report(problems: Sequence[RowProblem], path: Path) -> None:
    """The row-level report as CSV (UTF-8 with a byte-order mark, so spreadsheets read it)."""
    rows = [(p.row, _inert(p.column), _inert(p.value), p.problem) for p in problems]
    text: str = _dataset(REPORT_COLUMNS, rows).export("csv")
    _write_atomically(path, ("\ufeff" + text).encode("utf-8"))


def write_template(path: Path) -> None:
    """An empty template (just the header) as ``.csv`` or ``.xlsx``, by ``path``'s suffix."""
    suffix = path.suffix.lower()
    if suffix not in {".csv", ".xlsx"}:
        raise ValueError("the template can be written as .csv or .xlsx")
    dataset = _dataset(COLUMN_NAMES, [])
    content = dataset.export("xlsx") if suffix == ".xlsx" else dataset.export("csv").encode()
    _write_atomically(path, content)
