"""Reading and checking a file of concerns (CSV or XLSX, docs/import.md), without a database:
the template's columns, reading a file into cells, turning each row into a
:class:`~tocsin.domain.concerns.ConcernDraft` with every problem named by row and column, and
writing the template and the row-level error report. Plain Python; imports nothing from
Django. Recording what was read is the server's (``tocsin.server.concerns.importing``).

Errors raised here::

    Exception
    └── ImportFileError   the file as a whole cannot be imported (unreadable, empty, too large,
                          past a limit: a part, a cell or a row too big, docs/import.md)

Problems with the header or with rows are not raised: they come back as :class:`RowProblem`
values, for the row-level report.
"""

from tocsin.domain.concerns.importing._columns import (
    COLUMN_NAMES,
    COLUMNS,
    REQUIRED_COLUMNS,
    Column,
)
from tocsin.domain.concerns.importing._files import (
    REPORT_COLUMNS,
    error_report_rows,
    write_error_report,
    write_template,
)
from tocsin.domain.concerns.importing._identity import SOURCE_REFERENCE, row_identity
from tocsin.domain.concerns.importing._parsing import (
    ParsedRow,
    RowProblem,
    match_header,
    normalise_header,
    parse_row,
    problem_for_field,
)
from tocsin.domain.concerns.importing._reading import (
    MAX_CELL_CHARACTERS,
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    MAX_XLSX_ENTRIES,
    MAX_XLSX_ENTRY_BYTES,
    Cell,
    ImportFileError,
    Sheet,
    read_sheet,
)

__all__ = [
    "COLUMNS",
    "COLUMN_NAMES",
    "MAX_CELL_CHARACTERS",
    "MAX_COLUMNS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "MAX_XLSX_ENTRIES",
    "MAX_XLSX_ENTRY_BYTES",
    "REPORT_COLUMNS",
    "REQUIRED_COLUMNS",
    "SOURCE_REFERENCE",
    "Cell",
    "Column",
    "ImportFileError",
    "ParsedRow",
    "RowProblem",
    "Sheet",
    "error_report_rows",
    "match_header",
    "normalise_header",
    "parse_row",
    "problem_for_field",
    "read_sheet",
    "row_identity",
    "write_error_report",
    "write_template",
]
