"""Bar charts of the statistics, laid out before any page draws them: one horizontal bar per
row of a figure, its length the row's total. Every size and position is a number here, so the
page draws SVG with attributes only (the Content Security Policy forbids inline styles) and no
script; the page shows the same figures as a table beside each chart.

A suppressed total has no bar: it is marked "[c]", never drawn as a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Bar", "BarChart", "bar_chart"]

_ROW = 28
_BAR = 18
_LABELS = 260  # room for the row names
_BARS = 360  # the longest bar
_VALUE = 60  # room for the figure after the bar
_TOP = 8
_CHAR = 7.2  # a generous average width of a 13px Arial character


@dataclass(frozen=True)
class Bar:
    label: str
    #: the row total; None when suppressed.
    value: int | None
    text: str
    y: float
    width: float
    text_x: float
    label_y: float


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bars_x: int
    bars: tuple[Bar, ...]
    description: str


def _short(label: str) -> str:
    most = int(_LABELS / _CHAR) - 1
    return label if len(label) <= most else label[: most - 1] + "…"


def bar_chart(entry: dict[str, Any], mark: str = "[c]") -> BarChart:
    """The chart of one published figure (as :func:`document` writes it): one bar per row."""
    totals: list[int | None] = list(entry["row_totals"])
    largest = max((v for v in totals if v is not None), default=0)
    bars = []
    words = []
    for i, (label, value) in enumerate(zip(entry["rows"], totals, strict=True)):
        y = _TOP + i * _ROW
        width = 0.0 if not value or not largest else max(1.0, _BARS * value / largest)
        text = mark if value is None else f"{value:,}"
        bars.append(
            Bar(
                label=_short(label),
                value=value,
                text=text,
                y=y + (_ROW - _BAR) / 2,
                width=round(width, 1),
                text_x=round(_LABELS + width + 6, 1),
                label_y=y + _ROW / 2 + 4,
            )
        )
        words.append(f"{label}: {'suppressed' if value is None else value}")
    return BarChart(
        width=_LABELS + _BARS + _VALUE,
        height=_TOP * 2 + max(1, len(bars)) * _ROW,
        bars_x=_LABELS,
        bars=tuple(bars),
        description="; ".join(words) or "No figures yet.",
    )
