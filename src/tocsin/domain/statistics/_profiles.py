"""Problem profiles (issue 17): the partnership's regular picture of exploitation, computed at
a signed checkpoint from the same single reading of the ledger as the statistics, and always
suppressed as anything published is.

A profile is a document of sections: trends, hotspots, networks (anonymised; given by the
caller, since the networks analysis is a package of its own), the already-known rate, the
hidden number with its caveats, overlaps between agencies, escalation performance and the
register's open recommendations. The same checkpoint gives the same document, byte for byte.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tocsin.domain.statistics._figures import Figures, period_of
from tocsin.domain.statistics._publishing import SUPPRESSED_MARK, Audience, _published, _rate

__all__ = [
    "HIDDEN_NUMBER_CAVEATS",
    "PROFILE_SECTIONS",
    "ProfileDocument",
    "due_profile_label",
    "previous_period",
    "profile_document",
    "profile_json",
]

#: The sections of a profile, in order: (id, title, the figures it shows).
PROFILE_SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("trends", "Trends", ("trend", "children_exploitation")),
    ("hotspots", "Hotspots", ("hotspots",)),
    ("networks", "Networks", ()),
    ("already_known", "Already known to another agency", ("already_known",)),
    ("hidden_number", "The hidden number", ()),
    ("overlaps", "Overlaps between agencies", ("agency_overlaps",)),
    (
        "escalation",
        "Escalation performance",
        ("timeliness", "escalations_by_level", "overdue_obligations"),
    ),
    ("recommendations", "Open recommendations", ("open_recommendations",)),
)

#: What the hidden number is not, said every time it is shown (docs/estimates.md).
HIDDEN_NUMBER_CAVEATS = (
    "An estimate of how many children are being exploited, including those no agency knows "
    "about, from how the agencies' lists overlap; not a count.",
    "It assumes the lists are independent once the model's interactions are allowed for; "
    "children no list could ever reach are outside it.",
    "The interval matters more than the middle figure; a wide interval means little is known.",
)


@dataclass(frozen=True)
class ProfileDocument:
    """A problem profile as plain JSON-ready data."""

    data: dict[str, Any]


def profile_document(
    figures: Figures,
    *,
    root: str,
    origin: str,
    minimum: int,
    label: str,
    networks: dict[str, Any] | None,
) -> ProfileDocument:
    """The profile called ``label`` (the period it is for, such as "2026-Q3") of ``figures``,
    suppressed below ``minimum`` as published; ``networks`` is the anonymised networks summary
    (None: the analysis is not available)."""
    audience = Audience(False, minimum)
    every = {f.id: f for f in (*figures.figures, *figures.profile)}
    sections = []
    for section_id, title, figure_ids in PROFILE_SECTIONS:
        entries = [_published(every[i], audience) for i in figure_ids if i in every]
        section: dict[str, Any] = {"id": section_id, "title": title, "figures": entries}
        if section_id == "already_known" and entries:
            section["rate"] = _known_rate(entries[0])
        if section_id == "hidden_number":
            section["estimate"] = figures.hidden_number
            section["caveats"] = list(HIDDEN_NUMBER_CAVEATS)
        if section_id == "networks":
            section["available"] = networks is not None
            section["summary"] = networks
        sections.append(section)
    data = {
        "label": label,
        "checkpoint": {"origin": origin, "size": figures.size, "root": root},
        "as_of": figures.as_of.isoformat().replace("+00:00", "Z") if figures.as_of else None,
        "period": figures.period,
        "suppression": {"applied": True, "below": minimum, "mark": SUPPRESSED_MARK},
        "sections": sections,
    }
    return ProfileDocument(data)


def _known_rate(entry: dict[str, Any]) -> dict[str, Any]:
    totals = entry["column_totals"]
    known = totals[0] if totals else 0
    every = entry["total"]
    return _rate("already_known", "Concerns about a child already known", known, every)


def profile_json(doc: ProfileDocument) -> str:
    """The profile as JSON text: sorted keys, two-space indent, a final newline."""
    return json.dumps(doc.data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def previous_period(moment: datetime | date, cadence: str) -> str:
    """The label of the last whole ``cadence`` period ("month", "quarter", "year") before the
    one ``moment`` falls in: on 7 December 2026, quarterly, "2026-Q3"."""
    year, month = moment.year, moment.month
    if cadence == "month":
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    elif cadence == "quarter":
        first = (month - 1) // 3 * 3 + 1
        year, month = (year - 1, 10) if first == 1 else (year, first - 3)
    elif cadence == "year":
        year -= 1
    else:
        raise ValueError(f"a profile's cadence is month, quarter or year, not {cadence!r}")
    return period_of(datetime(year, month, 1), cadence)


def due_profile_label(now: datetime, cadence: str, made: set[str]) -> str | None:
    """The label of the profile the schedule wants now (the last whole period's), or None if
    one with that label has been ``made`` already."""
    label = previous_period(now, cadence)
    return None if label in made else label
