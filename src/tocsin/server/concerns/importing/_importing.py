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
    SOURCE_REFERENCE,
    Cell,
    ParsedRow,
    RowProblem,
    Sheet,
    match_header,
    parse_row,
    problem_for_field,
    read_sheet,
    row_identity,
)
from tocsin.server.actors import ActionRefused, require_role
from tocsin.server.concerns.actions import (
    RECORDING_ROLES,
    AlreadyRecorded,
    ConcernInvalid,
    RecordedConcern,
    already_imported,
    do_import_concerns,
)
from tocsin.server.directory.models import User

__all__ = ["AlreadyImported", "ImportOutcome", "check_sheet", "import_concerns"]

_PREFIXED = re.compile(r"^\[(\d+)\]\.(.*)$")
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class AlreadyImported:
    """A row recorded before, by an earlier import of the agency (``same_as_row`` None) or
    by an earlier row of this file that says exactly the same (its row number): nothing was
    recorded for it. ``concern_id`` and ``reference`` are None only in a dry run, for a row
    the same as an earlier row of the file that is not recorded yet."""

    row: int
    concern_id: str | None
    reference: str | None
    same_as_row: int | None = None


@dataclass
class ImportOutcome:
    """What an import did: how many rows it read, the problems (if any, nothing was
    recorded), each recorded concern with the row it came from, and the rows that were
    recorded already (nothing was recorded for them)."""

    rows: int
    problems: list[RowProblem] = field(default_factory=list)
    recorded: list[tuple[int, RecordedConcern]] = field(default_factory=list)
    already: list[AlreadyImported] = field(default_factory=list)
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


def _identities(rows: list[ParsedRow]) -> tuple[dict[int, str], dict[int, int], list[RowProblem]]:
    """Each row's identity (by row index), the rows that repeat an earlier row of the file
    word for word (index: the earlier index), and the problems: a source reference given to
    two different rows."""
    keys: dict[int, str] = {}
    repeats: dict[int, int] = {}
    problems: list[RowProblem] = []
    first: dict[str, int] = {}
    for index, row in enumerate(rows):
        key = row_identity(row)
        if key not in first:
            first[key] = index
            keys[index] = key
        elif key.startswith("ref:"):
            problems.append(
                RowProblem(
                    row.row,
                    SOURCE_REFERENCE,
                    row.cells.get(SOURCE_REFERENCE, ""),
                    f"Row {rows[first[key]].row} has this source reference too; give each "
                    "concern its own, or leave it blank",
                )
            )
        else:
            repeats[index] = first[key]
    return keys, repeats, problems


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
    (unless ``dry_run``), in one transaction, except the rows recorded already (by an earlier
    import of the agency, or by an earlier row of the file that says the same), which are
    listed in ``already``.
    """
    require_role(actor, *RECORDING_ROLES)
    if actor.agency_id is None:
        raise ActionRefused(f"{actor.username} belongs to no agency, so cannot record concerns")
    day = today or timezone.localdate()
    sheet = read_sheet(path)
    rows, problems = check_sheet(sheet, today=day, progress=progress)
    keys, repeats, repeated_references = _identities(rows)
    if repeated_references:
        order = {name: index for index, name in enumerate(COLUMN_NAMES)}
        problems = sorted(
            [*problems, *repeated_references], key=lambda p: (p.row, order.get(p.column, -1))
        )
    outcome = ImportOutcome(rows=len(sheet.rows), problems=problems, dry_run=dry_run)
    if problems:
        return outcome
    if dry_run:
        assert actor.agency is not None
        found = already_imported(actor.agency, list(keys.values()))
        known: dict[int, tuple[str, str]] = {}
        for index, key in keys.items():
            if key in found:
                outcome.already.append(_already(rows[index].row, found[key]))
                known[index] = (found[key].concern_id, found[key].reference)
        _repeated(outcome, rows, repeats, known)
        return outcome
    indexes = list(keys)
    progress("recording", 0, len(indexes))
    try:
        imported = do_import_concerns(
            [rows[index].draft for index in indexes],
            [keys[index] for index in indexes],
            actor=actor,
            today=day,
            progress=lambda done, total: progress("recording", done, total),
        )
    except ConcernInvalid as exc:
        outcome.problems = _problems_from_action(exc, [rows[index] for index in indexes])
        return outcome
    by_index: dict[int, tuple[str, str]] = {}
    for position, concern in imported.recorded:
        index = indexes[position]
        outcome.recorded.append((rows[index].row, concern))
        by_index[index] = (str(concern.concern.pk), concern.concern.reference)
    for position, earlier in imported.already:
        index = indexes[position]
        outcome.already.append(_already(rows[index].row, earlier))
        by_index[index] = (earlier.concern_id, earlier.reference)
    _repeated(outcome, rows, repeats, by_index)
    outcome.recorded.sort(key=lambda pair: pair[0])
    return outcome


def _already(row: int, earlier: AlreadyRecorded) -> AlreadyImported:
    return AlreadyImported(row, earlier.concern_id, earlier.reference)


def _repeated(
    outcome: ImportOutcome,
    rows: list[ParsedRow],
    repeats: dict[int, int],
    by_index: dict[int, tuple[str, str]],
) -> None:
    """The rows that repeat an earlier row of the file, as already recorded by that row."""
    for index, earlier in repeats.items():
        concern_id, reference = by_index.get(earlier, (None, None))
        outcome.already.append(
            AlreadyImported(rows[index].row, concern_id, reference, same_as_row=rows[earlier].row)
        )
    outcome.already.sort(key=lambda found: found.row)
