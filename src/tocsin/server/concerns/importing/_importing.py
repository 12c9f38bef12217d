"""Importing a file of concerns: read it, check every row, then record them all in one
transaction through :func:`do_record_concerns`, or nothing at all.

Nothing here writes a model: the recording action does, after every row has been checked.
Nothing here logs: the problems go back to the person importing, who holds the file anyway.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.utils import timezone

from tocsin.domain import screening as screening_policy
from tocsin.domain.concerns.importing import (
    COLUMN_NAMES,
    Cell,
    ParsedRow,
    RowProblem,
    Sheet,
    match_header,
    parse_row,
    problem_for_field,
    read_sheet,
)
from tocsin.server.actors import ActionRefused, require_role
from tocsin.server.concerns.actions import (
    RECORDING_ROLES,
    ConcernInvalid,
    RecordedConcern,
    do_record_concerns,
)
from tocsin.server.directory.models import User

__all__ = ["ImportOutcome", "check_sheet", "import_concerns"]

_PREFIXED = re.compile(r"^\[(\d+)\]\.(.*)$")
Progress = Callable[[str, int, int], None]


@dataclass
class ImportOutcome:
    """What an import did: how many rows it read, the problems (if any, nothing was
    recorded), and each recorded concern with the row it came from."""

    rows: int
    problems: list[RowProblem] = field(default_factory=list)
    recorded: list[tuple[int, RecordedConcern]] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def rows_with_problems(self) -> int:
        return len({problem.row for problem in self.problems})


def _no_progress(phase: str, done: int, total: int) -> None:
    return None


def check_sheet(
    sheet: Sheet, *, today: date, progress: Progress = _no_progress
) -> tuple[list[ParsedRow], list[RowProblem]]:
    """Every row parsed and validated; the problems of the header and of every row."""
    positions, header_problems = match_header(sheet.header)
    if header_problems:
        return [], header_problems
    indicator_ids = screening_policy.indicator_ids()
    parsed: list[ParsedRow] = []
    problems: list[RowProblem] = []
    total = len(sheet.rows)
    for done, (number, cells) in enumerate(sheet.rows, start=1):
        by_column: dict[str, Cell] = {}
        stray: list[RowProblem] = []
        for index, cell in enumerate(cells):
            if index in positions:
                by_column[positions[index]] = cell
            elif cell.formula or (cell.value is not None and str(cell.value).strip()):
                stray.append(
                    RowProblem(
                        number,
                        f"column {index + 1}",
                        "",
                        "This cell has no column name in the header; move it under the "
                        "right column or delete it",
                    )
                )
        row = parse_row(number, by_column, today=today, indicator_ids=indicator_ids)
        row.problems[:0] = stray
        parsed.append(row)
        problems += row.problems
        if done % 500 == 0 or done == total:
            progress("checking rows", done, total)
    order = {name: index for index, name in enumerate(COLUMN_NAMES)}
    problems.sort(key=lambda p: (p.row, order.get(p.column, -1)))
    return parsed, problems


def _problems_from_action(exc: ConcernInvalid, rows: list[ParsedRow]) -> list[RowProblem]:
    """The recording action's own validation, back against rows and columns (it runs the
    same checks, so this happens only if something changed in between, such as the date)."""
    problems = []
    for problem in exc.problems:
        match = _PREFIXED.match(problem.field)
        index = int(match.group(1)) if match else 0
        path = match.group(2) if match else problem.field
        row = rows[index]
        problems.append(
            problem_for_field(row.row, type(problem)(path, problem.message), row.cells, row.draft)
        )
    return problems


def import_concerns(
    path: Path,
    *,
    actor: User,
    dry_run: bool = False,
    today: date | None = None,
    progress: Progress = _no_progress,
) -> ImportOutcome:
    """Import the concerns in ``path`` (CSV or XLSX) as ``actor``, for ``actor``'s agency.

    Raises :class:`ImportFileError` if the file as a whole cannot be read and
    :class:`ActionRefused` if ``actor`` may not record concerns. Otherwise returns an
    :class:`ImportOutcome`: with problems, nothing was recorded; without, every row was
    (unless ``dry_run``), in one transaction.
    """
    require_role(actor, *RECORDING_ROLES)
    if actor.agency_id is None:
        raise ActionRefused(f"{actor.username} belongs to no agency, so cannot record concerns")
    day = today or timezone.localdate()
    sheet = read_sheet(path)
    rows, problems = check_sheet(sheet, today=day, progress=progress)
    outcome = ImportOutcome(rows=len(sheet.rows), problems=problems, dry_run=dry_run)
    if problems or dry_run:
        return outcome
    progress("recording", 0, len(rows))
    try:
        recorded = do_record_concerns([row.draft for row in rows], actor=actor, today=day)
    except ConcernInvalid as exc:
        outcome.problems = _problems_from_action(exc, rows)
        return outcome
    progress("recording", len(rows), len(rows))
    outcome.recorded = [(row.row, concern) for row, concern in zip(rows, recorded, strict=True)]
    return outcome
