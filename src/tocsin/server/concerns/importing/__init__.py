"""Bulk import of concerns from CSV or XLSX (docs/import.md): one row per concern, every row
checked before anything is written, then all recorded in one transaction, or none.

Errors raised here::

    Exception
    ├── ImportFileError   the file as a whole cannot be imported (unreadable, empty, too large)
    └── ActionRefused     the person importing may not record concerns (from the action)

Problems with the header or with rows are not raised: they come back in
:class:`ImportOutcome` as :class:`RowProblem` values, for the row-level report.
"""

from tocsin.server.concerns.importing._columns import (
    COLUMN_NAMES,
    COLUMNS,
    REQUIRED_COLUMNS,
    Column,
)
from tocsin.server.concerns.importing._files import (
    REPORT_COLUMNS,
    error_report_rows,
    write_error_report,
    write_template,
)
from tocsin.server.concerns.importing._importing import (
    ImportOutcome,
    check_sheet,
    import_concerns,
)
from tocsin.server.concerns.importing._parsing import (
    ParsedRow,
    RowProblem,
    match_header,
    parse_row,
)
from tocsin.server.concerns.importing._reading import (
    MAX_FILE_BYTES,
    MAX_ROWS,
    Cell,
    ImportFileError,
    Sheet,
    read_sheet,
)

__all__ = [
    "COLUMNS",
    "COLUMN_NAMES",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "REPORT_COLUMNS",
    "REQUIRED_COLUMNS",
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
    "write_error_report",
    "write_template",
]
