"""What verification calls things: the problem type, progress callbacks and the ledger's
tables (named from their models, so that only the store adapter writes their SQL)."""

from __future__ import annotations

from collections.abc import Callable

from tocsin.ledger import AuditProblem, StoreTables
from tocsin.server.ledger.models import (
    LedgerHead,
    LedgerLeaf,
    LedgerNode,
    LedgerPayload,
    SignedCheckpoint,
)

Problem = AuditProblem
"""One thing found wrong: which check, where (table, row, sequence number) and what."""

Progress = Callable[[str, int, int], None]
"""Called as ``progress(phase, done, total)`` while verification runs."""

TABLES = StoreTables(
    leaf=LedgerLeaf._meta.db_table,
    node=LedgerNode._meta.db_table,
    head=LedgerHead._meta.db_table,
)
PAYLOAD_TABLE = LedgerPayload._meta.db_table
CHECKPOINT_TABLE = SignedCheckpoint._meta.db_table

#: Rows read at a time when streaming a table.
BATCH = 20_000
