"""Bulk import of concerns from CSV or XLSX (docs/import.md): one row per concern, every row
checked before anything is written, then all recorded in one transaction, or none.

Reading and checking the file is pure and lives in the core
(:mod:`tocsin.domain.concerns.importing`, re-exported here so the importer has one surface);
what is here records what was read, through :func:`do_record_concerns`.

Errors raised here::

    Exception
    ├── ImportFileError   the file as a whole cannot be imported (unreadable, empty, too large)
    └── ActionRefused     the person importing may not record concerns (from the action)

Problems with the header or with rows are not raised: they come back in
:class:`ImportOutcome` as :class:`RowProblem` values, for the row-level report.
"""

from tocsin.domain.concerns.importing import (
    COLUMN_NAMES,
    COLUMNS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    REPORT_COLUMNS,
    REQUIRED_COLUMNS,
    SOURCE_REFERENCE,
    Cell,
    Column,
    ImportFileError,
    ParsedRow,
    RowProblem,
    Sheet,
    error_report_rows,
    match_header,
    parse_row,
    read_sheet,
    row_identity,
    write_error_report,
    write_template,
)
from tocsin.server.concerns.importing._importing import (
    AlreadyImported,
    ImportOutcome,
    check_sheet,
    import_concerns,
)

__all__ = [
    "COLUMNS",
    "COLUMN_NAMES",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "REPORT_COLUMNS",
    "REQUIRED_COLUMNS",
    "SOURCE_REFERENCE",
    "AlreadyImported",
    "Cell",
    "Column",
    "ImportFileError",
    "ImportOutcome",
    "ParsedRow",
    "RowProblem",
    "Sheet",
    "check_sheet",
    "error_report_rows",
    "import_concerns",
    "match_header",
    "parse_row",
    "read_sheet",
    "row_identity",
    "write_error_report",
    "write_template",
]
