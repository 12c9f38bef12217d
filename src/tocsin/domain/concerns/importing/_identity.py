"""Which row of an import is which, so that importing the same file again records nothing.

A row is known within its agency by its ``source_reference`` when it has one (the reference
the system it comes from gave it), and otherwise by a hash of what it says: every cell that is
not blank, by column name, so that the order of the columns, an added empty column or the
file's format (CSV or XLSX) changes nothing.
"""

from __future__ import annotations

import hashlib
import json

from tocsin.domain.concerns.importing._parsing import ParsedRow

__all__ = ["SOURCE_REFERENCE", "row_identity"]

#: The column that names a row in the system it comes from.
SOURCE_REFERENCE = "source_reference"


def row_identity(row: ParsedRow) -> str:
    """``ref:`` and the row's source reference, or ``sha256:`` and the hash of its cells."""
    reference = row.cells.get(SOURCE_REFERENCE, "").strip()
    if reference:
        return f"ref:{reference}"
    said = {
        name: text.strip()
        for name, text in row.cells.items()
        if name != SOURCE_REFERENCE and text.strip()
    }
    canonical = json.dumps(said, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()
