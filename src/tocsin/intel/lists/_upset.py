"""The overlaps of the agencies' lists as an UpSet chart, laid out before any page draws it.

An UpSet chart shows set intersections as bars: one bar per capture history (the children on
exactly that combination of lists) with its count, a dot matrix below saying which lists make
up the combination, and each list's size beside its row. It is drawn as SVG with every size
and position an attribute (the Content Security Policy forbids inline styles, and no script is
needed); the page gives the same numbers as tables for screen readers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["UpsetChart", "lists_in_words", "upset_chart"]

_TOP = 36  # room for the axis title above the tallest bar's count
_BARS = 150  # height of the tallest intersection bar
_ROW = 26
_COLUMN = 26
_BAR_WIDTH = 16
_SIZES = 130  # width of the area holding the list-size bars
_CHAR = 7.6  # a generous average width of a 14px Arial character
_GAP = 12


@dataclass(frozen=True)
class ListRow:
    name: str
    size: int
    y: float  # the row's middle
    stripe_y: float
    bar_x: float
    bar_width: float
    label_x: float


@dataclass(frozen=True)
class Dot:
    cy: float
    on: bool


@dataclass(frozen=True)
class Column:
    x: float  # the column's middle
    count: int
    bar_y: float
    bar_height: float
    dots: list[Dot]
    line: tuple[float, float] | None  # from the first to the last list it joins
    lists: list[str]


@dataclass(frozen=True)
class UpsetChart:
    width: float
    height: float
    matrix_x: float
    matrix_y: float
    names_x: float
    sizes_x: float
    lists: list[ListRow]
    columns: list[Column]
    total: int

    @property
    def description(self) -> str:
        biggest = self.columns[0] if self.columns else None
        if biggest is None:
            return "No child is on any list."
        return (
            f"{self.total} children on {len(self.lists)} lists, in {len(self.columns)} "
            f"combinations of lists. The largest, {biggest.count} children, is "
            f"{lists_in_words(biggest.lists)}. The tables below give every number."
        )


def lists_in_words(names: list[str]) -> str:
    """'on Police only', 'on both Police and Health', 'on all of A, B and C'."""
    if len(names) == 1:
        return f"on {names[0]} only"
    if len(names) == 2:
        return f"on both {names[0]} and {names[1]}"
    return f"on all of {', '.join(names[:-1])} and {names[-1]}"


def upset_chart(capture_table: dict[str, Any]) -> UpsetChart:
    """Lay out the chart for a recorded capture table (``{"lists", "histories"}``)."""
    names: list[str] = list(capture_table["lists"])
    histories = [
        (tuple(int(v) for v in h["history"]), int(h["count"]))
        for h in capture_table["histories"]
        if int(h["count"]) > 0
    ]
    # The largest combinations first; among equals, fewer lists first.
    histories.sort(key=lambda item: (-item[1], sum(item[0]), item[0]))
    sizes = [sum(count for history, count in histories if history[i]) for i in range(len(names))]
    largest_size = max(sizes, default=0) or 1
    largest_count = max((count for _, count in histories), default=0) or 1
    names_width = max((len(name) for name in names), default=0) * _CHAR + _GAP
    sizes_x = 0.0
    names_x = _SIZES + _GAP
    matrix_x = names_x + names_width
    matrix_y = _TOP + _BARS + _GAP
    rows = []
    for i, (name, size) in enumerate(zip(names, sizes, strict=True)):
        width = (_SIZES - 40) * size / largest_size
        rows.append(
            ListRow(
                name=name,
                size=size,
                y=matrix_y + i * _ROW + _ROW / 2,
                stripe_y=matrix_y + i * _ROW,
                bar_x=_SIZES - width,
                bar_width=width,
                label_x=_SIZES - width - 4,
            )
        )
    columns = []
    for j, (history, count) in enumerate(histories):
        x = matrix_x + j * _COLUMN + _COLUMN / 2
        height = _BARS * count / largest_count
        on_rows = [rows[i].y for i, on in enumerate(history) if on]
        columns.append(
            Column(
                x=x,
                count=count,
                bar_y=_TOP + _BARS - height,
                bar_height=height,
                dots=[Dot(cy=row.y, on=bool(on)) for row, on in zip(rows, history, strict=True)],
                line=(min(on_rows), max(on_rows)) if len(on_rows) > 1 else None,
                lists=[name for name, on in zip(names, history, strict=True) if on],
            )
        )
    width = matrix_x + max(len(columns), 1) * _COLUMN + _GAP
    height = matrix_y + len(names) * _ROW + _GAP
    return UpsetChart(
        width=round(width, 1),
        height=round(height, 1),
        matrix_x=matrix_x,
        matrix_y=matrix_y,
        names_x=names_x,
        sizes_x=sizes_x,
        lists=rows,
        columns=columns,
        total=sum(count for _, count in histories),
    )
