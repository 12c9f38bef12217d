"""The figures as a document for an audience: suppressed where the audience does not see every
concern (and always when published), named by the checkpoint they were computed at, and
written out as JSON, CSV or XLSX.

The JSON and CSV are deterministic: the same figures at the same checkpoint give the same bytes
(sorted keys, fixed layout, no time of writing), so anyone can recompute and compare them.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

from tocsin.domain.statistics._figures import Figure, Figures
from tocsin.domain.statistics._suppression import suppress

__all__ = [
    "AUDIENCES",
    "SUPPRESSED_MARK",
    "Audience",
    "StatisticsDocument",
    "document",
    "to_csv",
    "to_json",
    "to_xlsx",
]

#: Who a document is for: "every_concern" (an audience that sees every concern: the front door,
#: the partnership's scrutineers, the command line's operator) sees every count and the reasons
#: for regradings; "suppressed" (everyone else, and anything published) sees small counts
#: suppressed and no free text.
AUDIENCES: dict[str, str] = {
    "every_concern": "Sees every concern: no suppression",
    "suppressed": (
        "Small counts suppressed (published, or an audience that does not see every concern)"
    ),
}

#: Shown in place of a suppressed count (CSV and XLSX; JSON has null).
SUPPRESSED_MARK = "[c]"

#: The columns of the timeliness figure a rate in time is worked out over (met, late, overdue).
_JUDGED = ("Met in time", "Met late", "Overdue")


@dataclass(frozen=True)
class Audience:
    """Who the document is for, and the suppression threshold (counts below it are hidden)."""

    sees_every_concern: bool
    minimum: int

    @property
    def name(self) -> str:
        return "every_concern" if self.sees_every_concern else "suppressed"


@dataclass(frozen=True)
class StatisticsDocument:
    """The figures for one audience, as plain JSON-ready data."""

    data: dict[str, Any]


def _published(figure: Figure, audience: Audience) -> dict[str, Any]:
    minimum = 0 if audience.sees_every_concern else audience.minimum
    # A table with no rows or no columns counts nothing: its totals are zeros.
    table = suppress(figure.counts, minimum) if figure.rows and figure.columns else None
    entry: dict[str, Any] = {
        "id": figure.id,
        "title": figure.title,
        "row_heading": figure.row_heading,
        "column_heading": figure.column_heading,
        "rows": list(figure.rows),
        "columns": list(figure.columns),
        "note": figure.note,
        "counts": [list(row) for row in table.cells] if table else [[] for _ in figure.rows],
        "row_totals": list(table.row_totals) if table else [0] * len(figure.rows),
        "column_totals": list(table.column_totals) if table else [0] * len(figure.columns),
        "total": table.grand_total if table else 0,
        "suppressed": table.suppressed if table else 0,
        "suppressed_whole_table": table.whole_table if table else False,
    }
    if figure.row_keys:
        entry["row_keys"] = list(figure.row_keys)
    if figure.limit_heading:
        entry["limit_heading"] = figure.limit_heading
        entry["limits"] = list(figure.limits)
    return entry


def _cell(entry: dict[str, Any], row: str, columns: tuple[str, ...] | None) -> int | None:
    """The sum of a row's counts in ``columns`` (None: its total); None if any is suppressed
    or the row is not in the figure."""
    if row not in entry["rows"]:
        return None
    i = entry["rows"].index(row)
    if columns is None:
        total: int | None = entry["row_totals"][i]
        return total
    values: list[int | None] = [
        entry["counts"][i][entry["columns"].index(c)] for c in columns if c in entry["columns"]
    ]
    if any(v is None for v in values):
        return None
    return sum(v for v in values if v is not None)


def _rates(figures: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Percentages worked out from shown counts only: met in time of each timeliness row
    (of those met or overdue), and no further action of every decision that took effect."""
    rates = []
    timeliness = figures.get("timeliness")
    if timeliness:
        for key, row in zip(timeliness.get("row_keys") or (), timeliness["rows"], strict=False):
            numerator = _cell(timeliness, row, ("Met in time",))
            denominator = _cell(timeliness, row, _JUDGED)
            rates.append(_rate(f"{key}_in_time", f"{row}: met in time", numerator, denominator))
    decisions = figures.get("decisions")
    if decisions:
        nfa = (
            _cell(decisions, "No further action", None)
            if "No further action" in decisions["rows"]
            else 0
        )
        rates.append(
            _rate(
                "no_further_action", "No further action, of all decisions", nfa, decisions["total"]
            )
        )
    return rates


def _rate(
    rate_id: str, title: str, numerator: int | None, denominator: int | None
) -> dict[str, Any]:
    percent = None
    if numerator is not None and denominator:
        percent = round(100 * numerator / denominator, 1)
    return {
        "id": rate_id,
        "title": title,
        "numerator": numerator,
        "denominator": denominator,
        "percent": percent,
    }


def document(figures: Figures, *, root: str, origin: str, audience: Audience) -> StatisticsDocument:
    """The figures for ``audience``, named by the checkpoint (``origin``, size and ``root``,
    base64) they were computed at."""
    published = [_published(figure, audience) for figure in figures.figures]
    by_id = {entry["id"]: entry for entry in published}
    regradings: list[dict[str, Any]] | None = None
    if audience.sees_every_concern:
        regradings = [
            {
                "seq": r.seq,
                "time": r.time.isoformat().replace("+00:00", "Z"),
                "concern": r.concern_id,
                "child": r.child_id,
                "from_band": r.from_band,
                "to_band": r.to_band,
                "out_of_exploitation": r.out_of_exploitation,
                "reason": r.reason,
            }
            for r in figures.reclassified_away
        ]
    data: dict[str, Any] = {
        "checkpoint": {"origin": origin, "size": figures.size, "root": root},
        "as_of": figures.as_of.isoformat().replace("+00:00", "Z") if figures.as_of else None,
        "period": figures.period,
        "audience": audience.name,
        "suppression": {
            "applied": not audience.sees_every_concern,
            "below": audience.minimum,
            "mark": SUPPRESSED_MARK,
        },
        "figures": published,
        "rates": _rates(by_id),
        "reclassified_away": {
            "count": len(figures.reclassified_away),
            "out_of_exploitation": sum(
                1 for r in figures.reclassified_away if r.out_of_exploitation
            ),
            "regradings": regradings,
        },
        "hidden_number": figures.hidden_number,
        "erased_payloads": figures.erased_payloads,
    }
    if not audience.sees_every_concern:
        data["reclassified_away"] = _suppressed_counts(data["reclassified_away"], audience.minimum)
    return StatisticsDocument(data)


def _suppressed_counts(section: dict[str, Any], minimum: int) -> dict[str, Any]:
    count, out = section["count"], section["out_of_exploitation"]
    table = suppress([[out, count - out]], minimum)
    return {
        "count": table.grand_total,
        "out_of_exploitation": table.cells[0][0],
        "regradings": None,
    }


def to_json(doc: StatisticsDocument) -> str:
    """The document as JSON text: sorted keys, two-space indent, a final newline."""
    return json.dumps(doc.data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def _shown(value: int | None) -> str:
    return SUPPRESSED_MARK if value is None else str(value)


def _rows(doc: StatisticsDocument) -> list[list[str]]:
    """Every figure as long-form rows: figure, row, column, value (then the totals)."""
    data = doc.data
    checkpoint = data["checkpoint"]
    out = [
        ["checkpoint_origin", checkpoint["origin"], "", ""],
        ["checkpoint_size", str(checkpoint["size"]), "", ""],
        ["checkpoint_root", checkpoint["root"], "", ""],
        ["as_of", data["as_of"] or "", "", ""],
        ["audience", data["audience"], "", ""],
        [
            "suppressed_below",
            str(data["suppression"]["below"]) if data["suppression"]["applied"] else "",
            "",
            "",
        ],
        ["figure", "row", "column", "value"],
    ]
    for entry in data["figures"]:
        for i, row in enumerate(entry["rows"]):
            for j, column in enumerate(entry["columns"]):
                out.append([entry["id"], row, column, _shown(entry["counts"][i][j])])
            out.append([entry["id"], row, "Total", _shown(entry["row_totals"][i])])
            if entry.get("limits"):
                limit = entry["limits"][i]
                out.append(
                    [entry["id"], row, entry["limit_heading"], "" if limit is None else str(limit)]
                )
        for j, column in enumerate(entry["columns"]):
            out.append([entry["id"], "Total", column, _shown(entry["column_totals"][j])])
        out.append([entry["id"], "Total", "Total", _shown(entry["total"])])
    for rate in data["rates"]:
        out.append(
            ["rate", rate["id"], "percent", "" if rate["percent"] is None else str(rate["percent"])]
        )
    section = data["reclassified_away"]
    out.append(["reclassified_away", "count", "", _shown(section["count"])])
    out.append(
        ["reclassified_away", "out_of_exploitation", "", _shown(section["out_of_exploitation"])]
    )
    for regrading in section["regradings"] or ():
        out.append(
            [
                "reclassified_away",
                str(regrading["seq"]),
                f"{regrading['from_band']} to {regrading['to_band']}",
                regrading["reason"],
            ]
        )
    hidden = data["hidden_number"]
    if hidden:
        ci = hidden.get("ci") or [None, None]
        out.append(["hidden_number", "estimate", "", str(hidden.get("estimate"))])
        out.append(["hidden_number", "interval", "", f"{ci[0]} to {ci[1]}"])
        out.append(["hidden_number", "observed", "", str(hidden.get("observed"))])
    return out


def to_csv(doc: StatisticsDocument) -> str:
    """The document as CSV in long form (figure, row, column, value), headed by the checkpoint.
    Cells a spreadsheet would run as a formula are quoted with a leading apostrophe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in _rows(doc):
        writer.writerow([_defused(value) for value in row])
    return buffer.getvalue()


def _defused(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def to_xlsx(doc: StatisticsDocument) -> bytes:
    """The document as an XLSX workbook: a sheet naming the checkpoint, then one sheet per
    figure laid out as its table with totals."""
    from openpyxl import Workbook

    book = Workbook()
    about = book.active
    assert about is not None
    about.title = "Checkpoint"
    for row in _rows(doc)[:6]:
        about.append([_defused(row[0]), _defused(row[1])])
    for entry in doc.data["figures"]:
        sheet = book.create_sheet(entry["id"][:31])
        sheet.append([_defused(entry["title"])])
        headings = [entry["row_heading"], *entry["columns"], "Total"]
        if entry.get("limits"):
            headings.append(entry["limit_heading"])
        sheet.append([_defused(h) for h in headings])
        for i, row in enumerate(entry["rows"]):
            values: list[Any] = [_defused(row)]
            values += [SUPPRESSED_MARK if v is None else v for v in entry["counts"][i]]
            values.append(
                SUPPRESSED_MARK if entry["row_totals"][i] is None else entry["row_totals"][i]
            )
            if entry.get("limits"):
                values.append(entry["limits"][i])
            sheet.append(values)
        totals: list[Any] = ["Total"]
        totals += [SUPPRESSED_MARK if v is None else v for v in entry["column_totals"]]
        totals.append(SUPPRESSED_MARK if entry["total"] is None else entry["total"])
        sheet.append(totals)
        if entry["note"]:
            sheet.append([_defused(entry["note"])])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
