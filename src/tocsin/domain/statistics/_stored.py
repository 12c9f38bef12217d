"""The figures at a checkpoint written down and read back exactly, so that the clocks worker can
compute them once per checkpoint and the pages and ``tocsin stats`` answer from what it stored.
Reading back gives :class:`Figures` equal to those written: every document made from them is
the same, byte for byte, as one made from the figures computed fresh."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from typing import Any

from tocsin.domain.statistics._figures import Figure, Figures, Regrading

__all__ = ["figures_from_json", "figures_to_json"]

#: Raise when the shape of :class:`Figures` changes: a stored copy of another shape is ignored.
FORMAT = 1


def _when(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def figures_to_json(figures: Figures) -> str:
    """``figures`` as JSON text (sorted keys)."""
    data: dict[str, Any] = {
        "format": FORMAT,
        "size": figures.size,
        "as_of": _when(figures.as_of),
        "period": figures.period,
        "figures": [asdict(f) for f in figures.figures],
        "profile": [asdict(f) for f in figures.profile],
        "reclassified_away": [
            {**asdict(r), "time": _when(r.time)} for r in figures.reclassified_away
        ],
        "hidden_number": figures.hidden_number,
        "erased_payloads": figures.erased_payloads,
    }
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _figure(data: dict[str, Any]) -> Figure:
    return Figure(
        id=data["id"],
        title=data["title"],
        row_heading=data["row_heading"],
        column_heading=data["column_heading"],
        rows=tuple(data["rows"]),
        columns=tuple(data["columns"]),
        counts=tuple(tuple(row) for row in data["counts"]),
        note=data["note"],
        limits=tuple(data["limits"]),
        limit_heading=data["limit_heading"],
        row_keys=tuple(data["row_keys"]),
    )


def figures_from_json(text: str) -> Figures | None:
    """The figures :func:`figures_to_json` wrote; None if ``text`` is of another format."""
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    return Figures(
        size=data["size"],
        as_of=None if data["as_of"] is None else datetime.fromisoformat(data["as_of"]),
        period=data["period"],
        figures=tuple(_figure(f) for f in data["figures"]),
        reclassified_away=tuple(
            Regrading(**{**r, "time": datetime.fromisoformat(r["time"])})
            for r in data["reclassified_away"]
        ),
        hidden_number=data["hidden_number"],
        erased_payloads=data["erased_payloads"],
        profile=tuple(_figure(f) for f in data["profile"]),
    )
