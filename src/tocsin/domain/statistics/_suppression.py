"""Small-count suppression of a table of counts with its totals, so that no published figure
can point at a child.

A table is read with its margins: every row has a total, every column has a total, and there
is a grand total. Each row and each column, together with its total, is a *line*: its cells
add up to its total, so a reader who knows all but one member of a line knows that one too.

1. **Primary**: every count from 1 up to the threshold (below ``minimum``) is suppressed,
   totals included. Zero is shown: it points at nobody.
2. **Secondary**: while a line has exactly one suppressed member, one more member of it is
   suppressed (the smallest non-zero cell, else a zero, else the line's total), so the line's
   equation has two unknowns. Repeated until no line has exactly one.
3. **Check**: two unknowns in every line are not always enough (a chain of lines, or zeros
   that cannot go lower, can still fix one), so each suppressed entry's least and most
   possible values are solved for as linear programmes; if any has only one, the whole table
   is suppressed: rare, and safe.

The result never lets a suppressed count be recovered from what is shown (a property test
solves the linear programme for each suppressed cell and finds it can take more than one value).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["SuppressedTable", "suppress"]

#: An entry of the table with its margins: (row, column); row ``n`` is the column totals and
#: column ``m`` the row totals, so (n, m) is the grand total.
Position = tuple[int, int]


@dataclass(frozen=True)
class SuppressedTable:
    """The counts of a table with its margins, ``None`` where a count is suppressed."""

    cells: tuple[tuple[int | None, ...], ...]
    row_totals: tuple[int | None, ...]
    column_totals: tuple[int | None, ...]
    grand_total: int | None
    #: how many entries (cells and totals) were suppressed, and whether all of them were.
    suppressed: int
    whole_table: bool


def _augmented(cells: Sequence[Sequence[int]]) -> list[list[int]]:
    rows = len(cells)
    columns = len(cells[0]) if rows else 0
    table = [[*row, sum(row)] for row in cells]
    totals = [sum(cells[i][j] for i in range(rows)) for j in range(columns)]
    table.append([*totals, sum(totals)])
    return table


def _lines(rows: int, columns: int) -> list[list[Position]]:
    """Every row and every column of the augmented table (each with its total)."""
    across = [[(i, j) for j in range(columns + 1)] for i in range(rows + 1)]
    down = [[(i, j) for i in range(rows + 1)] for j in range(columns + 1)]
    return across + down


def _complement(line: list[Position], table: list[list[int]], hidden: set[Position]) -> Position:
    """The member of ``line`` to suppress alongside its one suppressed member: the smallest
    non-zero cell, else a zero cell, else the total (the line's last member)."""
    *members, total = line
    cells = [p for p in members if p not in hidden]
    non_zero = [p for p in cells if table[p[0]][p[1]] > 0]
    if non_zero:
        return min(non_zero, key=lambda p: (table[p[0]][p[1]], p))
    if total not in hidden and table[total[0]][total[1]] > 0:
        return total
    return cells[0] if cells else total


def _pinned(table: list[list[int]], hidden: set[Position], rows: int, columns: int) -> bool:
    """Whether any suppressed entry takes a single value given everything shown: the least and
    the most it can be, as linear programmes over the non-negative entries that keep every line
    adding up. The constraints are a network matrix (totally unimodular), so both bounds are
    whole numbers and "least below most" means at least two whole values."""
    variables = sorted(hidden)
    index = {p: k for k, p in enumerate(variables)}
    equations: list[list[float]] = []
    constants: list[float] = []
    for line in _lines(rows, columns):
        unknown = [p for p in line if p in hidden]
        if not unknown:
            continue
        *members, total = line
        row = [0.0] * len(variables)
        constant = 0.0
        for p in members:
            if p in hidden:
                row[index[p]] += 1.0
            else:
                constant -= table[p[0]][p[1]]
        if total in hidden:
            row[index[total]] -= 1.0
        else:
            constant += table[total[0]][total[1]]
        equations.append(row)
        constants.append(constant)
    # Imported here: importing SciPy's optimisers costs every command a second at start.
    from scipy.optimize import linprog

    bounds = [(0, None)] * len(variables)
    for k in range(len(variables)):
        objective = [0.0] * len(variables)
        objective[k] = 1.0
        least = linprog(objective, A_eq=equations, b_eq=constants, bounds=bounds, method="highs")
        objective[k] = -1.0
        most = linprog(objective, A_eq=equations, b_eq=constants, bounds=bounds, method="highs")
        if most.status == 3:  # unbounded above: a total is hidden with nothing to tie it
            continue
        if least.status != 0 or most.status != 0 or -most.fun - least.fun < 0.5:
            return True
    return False


def suppress(cells: Sequence[Sequence[int]], minimum: int) -> SuppressedTable:
    """Suppress every count of ``cells`` (rows of equal length) and of its totals from 1 to
    ``minimum - 1``, and enough others that none of them can be worked out from the rest.
    ``minimum`` 1 or less suppresses nothing."""
    rows = len(cells)
    columns = len(cells[0]) if rows else 0
    if any(len(row) != columns for row in cells):
        raise ValueError("every row of a table needs the same number of cells")
    if any(count < 0 for row in cells for count in row):
        raise ValueError("counts cannot be negative")
    table = _augmented(cells)
    hidden: set[Position] = {
        (i, j) for i in range(rows + 1) for j in range(columns + 1) if 0 < table[i][j] < minimum
    }
    lines = _lines(rows, columns)
    changed = bool(hidden)
    while changed:
        changed = False
        for line in lines:
            if sum(1 for p in line if p in hidden) == 1:
                hidden.add(_complement(line, table, hidden))
                changed = True
    whole = False
    if hidden and _pinned(table, hidden, rows, columns):
        hidden = {(i, j) for i in range(rows + 1) for j in range(columns + 1)}
        whole = True
    shown = [
        [None if (i, j) in hidden else table[i][j] for j in range(columns + 1)]
        for i in range(rows + 1)
    ]
    return SuppressedTable(
        cells=tuple(tuple(row[:columns]) for row in shown[:rows]),
        row_totals=tuple(row[columns] for row in shown[:rows]),
        column_totals=tuple(shown[rows][:columns]),
        grand_total=shown[rows][columns],
        suppressed=len(hidden),
        whole_table=whole,
    )
