"""Events of the register of reports and recommendations.

A report's subjects are ``report:<id>`` and one ``recommendation:<id>`` per recommendation, so
the clocks can key each recommendation's obligation on it. Nothing here is about a child: a
report and its recommendations are the partnership's, and its public summary shows titles,
dates, counts and status.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tocsin.domain.events import Event

__all__ = [
    "RECOMMENDATION_RESPONSES",
    "REPORT_KINDS",
    "SCRUTINY_EXPORTS",
    "ProfileGenerated",
    "RecommendationResponded",
    "ReportRegistered",
    "ReportWithdrawn",
    "ScrutinyExported",
]

#: The kinds of report the register holds (code: words for people).
REPORT_KINDS: dict[str, str] = {
    "problem_profile": "Problem profile",
    "audit": "Audit",
    "external_inquiry": "External inquiry",
    "research": "Research",
    "practice_review": "Safeguarding practice review",
}

#: How a recommendation can be answered (code: words for people).
RECOMMENDATION_RESPONSES: dict[str, str] = {
    "accepted": "Accepted: it will be carried out as recommended",
    "partly_accepted": "Partly accepted",
    "not_accepted": "Not accepted",
}


@dataclass(frozen=True)
class ReportRegistered(Event):
    kind = "report.registered"
    meaning = (
        "A report (problem profile, audit, external inquiry, research, practice review) was "
        "registered with its recommendations, each with an owner and a due date; each "
        "recommendation's response runs on a clock."
    )
    report_id: str
    #: one of REPORT_KINDS.
    report_kind: str
    title: str
    #: who wrote or commissioned it (an organisation or an author), as the report says.
    author: str
    #: the day it was published or delivered (ISO 8601 date).
    published_on: str
    summary: str
    #: each {"recommendation_id", "text", "owner_id", "due"} with ``due`` an ISO date.
    recommendations: list[dict[str, Any]]

    def subjects(self) -> tuple[str, ...]:
        return (
            f"report:{self.report_id}",
            *(f"recommendation:{r.get('recommendation_id')}" for r in self.recommendations),
        )


@dataclass(frozen=True)
class RecommendationResponded(Event):
    kind = "recommendation.responded"
    meaning = (
        "The owner of a recommendation responded to it (accepted, partly accepted or not "
        "accepted) with what will be done or why not; this meets its clock."
    )
    report_id: str
    recommendation_id: str
    #: one of RECOMMENDATION_RESPONSES.
    response: str
    text: str

    def subjects(self) -> tuple[str, ...]:
        return (f"report:{self.report_id}", f"recommendation:{self.recommendation_id}")


@dataclass(frozen=True)
class ReportWithdrawn(Event):
    kind = "report.withdrawn"
    meaning = (
        "A registered report was withdrawn, with the reason; it stays on the register, shown "
        "as withdrawn, and its recommendations' clocks keep running until each is answered."
    )
    report_id: str
    reason: str

    def subjects(self) -> tuple[str, ...]:
        return (f"report:{self.report_id}",)


#: The scrutineer's exports (code: words for people).
SCRUTINY_EXPORTS: dict[str, str] = {
    "downgrades": "Every risk band lowered",
    "no_further_action": "Every no-further-action decision",
    "overdue_obligations": "Every obligation that fell overdue",
}


@dataclass(frozen=True)
class ScrutinyExported(Event):
    kind = "scrutiny.exported"
    meaning = (
        "The partnership's scrutineer exported, as CSV, every downgrade, no-further-action "
        "decision or overdue obligation in a period; the export's digest is kept, so the file "
        "can later be shown to be the one produced."
    )
    export_id: str
    #: one of SCRUTINY_EXPORTS.
    export_kind: str
    #: the period, ISO 8601 dates, both days included.
    period_from: str
    period_to: str
    rows: int
    #: SHA-256 of the CSV file, hex.
    sha256: str

    def subjects(self) -> tuple[str, ...]:
        return (f"export:{self.export_id}",)


@dataclass(frozen=True)
class ProfileGenerated(Event):
    kind = "profile.generated"
    meaning = (
        "A problem profile was computed from the ledger at a signed checkpoint (always with "
        "small counts suppressed) and registered as a report; the digests of its PDF and of its "
        "figures (JSON) are kept, so anyone can recompute it at the checkpoint and compare."
    )
    profile_id: str
    #: the report it was registered as (report.registered, kind problem_profile).
    report_id: str
    #: the period it is for ("2026-Q3"), or the label given by hand.
    label: str
    checkpoint_size: int
    checkpoint_root: str
    #: how its trends are grouped (month, quarter or year).
    trend_period: str
    #: SHA-256 of the PDF, hex.
    pdf_sha256: str
    #: SHA-256 of the profile as JSON (tocsin profile --json), hex.
    json_sha256: str

    def subjects(self) -> tuple[str, ...]:
        return (f"profile:{self.profile_id}", f"report:{self.report_id}")
