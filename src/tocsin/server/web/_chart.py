"""Charts drawn on the server as SVG: no script, readable by assistive technology (an image
with a title and a description giving every figure), and always beside a table of the same
figures on the page."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

__all__ = ["bar_chart"]

_ROW = 34
_LABEL = 230
_BAR = 380
_RIGHT = 70
#: The pages' type (an attribute, not a style: the Content Security Policy allows no inline
#: style).
_FONT = "arial, sans-serif"


def bar_chart(
    rows: list[tuple[str, int]], *, title: str, description: str, chart_id: str = "chart"
) -> Markup:
    """A horizontal bar chart of ``rows`` (label, count), each bar labelled with its count."""
    most = max((count for _, count in rows), default=0) or 1
    height = _ROW * len(rows) + 10
    width = _LABEL + _BAR + _RIGHT
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="tocsin-chart" '
        f'viewBox="0 0 {width} {height}" width="100%" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-family="{_FONT}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for index, (label, count) in enumerate(rows):
        y = 5 + index * _ROW
        length = round(_BAR * count / most)
        parts.append(
            f'<text x="{_LABEL - 8}" y="{y + 21}" text-anchor="end" font-size="16" '
            f'fill="#0b0c0c">{escape(label)}</text>'
            f'<rect x="{_LABEL}" y="{y + 4}" width="{max(length, 1)}" height="{_ROW - 10}" '
            f'fill="#1d70b8"/>'
            f'<text x="{_LABEL + max(length, 1) + 6}" y="{y + 21}" font-size="16" '
            f'fill="#0b0c0c">{count}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every text above is escaped)
