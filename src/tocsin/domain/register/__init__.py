"""The register of reports and recommendations (issue 17 §3).

Any report about exploitation in the partnership (a problem profile, an audit, an external
inquiry, research, a practice review) is registered with its recommendations. Each
recommendation has an owner (a named person), a due date and, in time, a response; each is an
obligation on the clocks (``recommendation_response`` in the clocks policy), so an unanswered
one climbs the escalation ladder to the partnership's independent scrutineer like any other.
A report is never hidden or deleted: withdrawing one needs a reason and is shown, and it does
not stop its recommendations' clocks (DESIGN.md: reports in 2002, 2003 and 2006 were
suppressed or ignored).

Plain Python; imports nothing from Django.
"""

from tocsin.domain.register._events import (
    RECOMMENDATION_RESPONSES,
    REPORT_KINDS,
    SCRUTINY_EXPORTS,
    ProfileGenerated,
    RecommendationResponded,
    ReportRegistered,
    ReportWithdrawn,
    ScrutinyExported,
)
from tocsin.domain.register._rules import (
    MAX_RECOMMENDATIONS,
    RecommendationDraft,
    ReportDraft,
    report_problems,
    response_problems,
    withdrawal_problems,
)

__all__ = [
    "MAX_RECOMMENDATIONS",
    "RECOMMENDATION_RESPONSES",
    "REPORT_KINDS",
    "SCRUTINY_EXPORTS",
    "ProfileGenerated",
    "RecommendationDraft",
    "RecommendationResponded",
    "ReportDraft",
    "ReportRegistered",
    "ReportWithdrawn",
    "ScrutinyExported",
    "report_problems",
    "response_problems",
    "withdrawal_problems",
]
