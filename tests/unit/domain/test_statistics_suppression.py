"""Small-count suppression (hypothesis): no suppressed count can be worked out from what is
shown. Each suppressed entry's least and most possible values are solved for as linear
programmes over non-negative entries keeping every row and column adding up to its total; an
attacker who knows everything shown can narrow a suppressed count no further than that."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from tocsin.domain.statistics import SuppressedTable, suppress

MINIMUM = 5


def _entries(table: SuppressedTable) -> list[list[int | None]]:
    rows = [[*cells, total] for cells, total in zip(table.cells, table.row_totals, strict=True)]
    return [*rows, [*table.column_totals, table.grand_total]]


def _possible_range(shown: list[list[int | None]], target: tuple[int, int]) -> tuple[float, float]:
    """The least and the most the suppressed entry ``target`` can be, given what is shown."""
    unknown = [(i, j) for i, row in enumerate(shown) for j, v in enumerate(row) if v is None]
    index = {p: k for k, p in enumerate(unknown)}
    n, m = len(shown) - 1, len(shown[0]) - 1
    lines = [[(i, j) for j in range(m + 1)] for i in range(n + 1)]
    lines += [[(i, j) for i in range(n + 1)] for j in range(m + 1)]
    a_eq, b_eq = [], []
    for line in lines:
        *members, total = line
        row, constant = [0.0] * len(unknown), 0.0
        for p in members:
            if p in index:
                row[index[p]] += 1
            else:
                constant -= shown[p[0]][p[1]]  # type: ignore[operator]
        if total in index:
            row[index[total]] -= 1
        else:
            constant += shown[total[0]][total[1]]  # type: ignore[operator]
        if any(row):
            a_eq.append(row)
            b_eq.append(constant)
    objective = [0.0] * len(unknown)
    objective[index[target]] = 1
    low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    objective[index[target]] = -1
    high = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    assert low.status == 0, "the true table must be feasible"
    return low.fun, (float("inf") if high.status == 3 else -high.fun)


tables = st.integers(1, 4).flatmap(
    lambda rows: st.integers(1, 4).flatmap(
        lambda columns: st.lists(
            st.lists(
                st.one_of(st.integers(0, 6), st.integers(0, 60)),
                min_size=columns,
                max_size=columns,
            ),
            min_size=rows,
            max_size=rows,
        )
    )
)


@settings(max_examples=300, deadline=None)
@given(tables)
def test_no_suppressed_count_can_be_recovered_from_the_totals(cells: list[list[int]]) -> None:
    table = suppress(cells, MINIMUM)
    shown = _entries(table)
    truth = [[*row, sum(row)] for row in cells]
    truth.append([sum(col) for col in zip(*cells, strict=True)] + [sum(map(sum, cells))])
    for i, row in enumerate(shown):
        for j, value in enumerate(row):
            if value is None:
                low, high = _possible_range(shown, (i, j))
                assert low <= truth[i][j] <= high
                assert high - low >= 1, f"entry {(i, j)} of {cells} is pinned to {low}"
            else:
                assert value == truth[i][j], "a shown count is the true count"
                assert value == 0 or value >= MINIMUM, "no small count is shown"


@settings(max_examples=200, deadline=None)
@given(tables)
def test_a_table_without_small_counts_is_shown_whole(cells: list[list[int]]) -> None:
    big = [[0 if v == 0 else v + MINIMUM for v in row] for row in cells]
    if any(0 < sum(row) < MINIMUM for row in big):
        return
    table = suppress(big, MINIMUM)
    assert table.suppressed == 0
    assert [list(r) for r in table.cells] == big


def test_a_single_small_count_takes_a_neighbour_with_it() -> None:
    table = suppress([[3, 40], [50, 60]], MINIMUM)
    assert table.cells == ((None, None), (None, None))
    assert table.row_totals == (43, 110)
    assert table.column_totals == (53, 100)
    assert table.grand_total == 153


def test_a_minimum_of_one_hides_nothing() -> None:
    assert suppress([[1, 2]], 1).suppressed == 0


@pytest.mark.parametrize("cells", [[[1, 2], [3]], [[-1]]])
def test_malformed_tables_are_refused(cells: list[list[int]]) -> None:
    with pytest.raises(ValueError, match=r"same number|negative"):
        suppress(cells, MINIMUM)
