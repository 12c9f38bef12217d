"""What the register's pages show: each report with the state of its recommendations' clocks.

A recommendation's clock is the clocks policy's ``recommendation_response``: due by the end of
its due date, then climbing the ladder at the policy's thresholds. Its state at any moment is
worked out here from the same policy (so the pages agree with the sweep without waiting for
it): answered in time, answered late, open, or overdue at a level. Nothing here is about a
child.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db.models import Q

from tocsin.domain.clocks import ClockPolicy
from tocsin.server.actors import NotVisible
from tocsin.server.clocks.read_models import moment
from tocsin.server.clocks.sweep import clocks_policy
from tocsin.server.directory.models import User
from tocsin.server.register.models import Recommendation, Report, ScrutinyExport

__all__ = [
    "RECOMMENDATION_OBLIGATION",
    "RecommendationState",
    "ReportState",
    "escalated_to_me",
    "exports_so_far",
    "owner_id_for",
    "recommendation_escalation_recipients",
    "recommendation_for",
    "recommendation_id_of",
    "recommendation_state",
    "register",
    "report_state",
    "waiting_for",
]

#: The clocks policy's obligation for a recommendation's response.
RECOMMENDATION_OBLIGATION = "recommendation_response"

#: How a recommendation stands, in words for people (status: words).
STATUS_WORDS = {
    "answered": "Answered in time",
    "answered_late": "Answered late",
    "open": "Waiting for a response",
    "overdue": "Overdue",
}


@dataclass(frozen=True)
class RecommendationState:
    """One recommendation and its clock as of ``as_of``."""

    recommendation: Recommendation
    #: the first instant the response is late (the end of the due day, local time).
    due: datetime
    deadline_day: date
    #: "answered", "answered_late", "open" or "overdue".
    status: str
    #: the level of the ladder reached (by now, or by the time it was answered).
    level: int
    in_words: str

    @property
    def overdue(self) -> bool:
        return self.status == "overdue"

    @property
    def status_label(self) -> str:
        return STATUS_WORDS[self.status]


@dataclass(frozen=True)
class ReportState:
    """A report and the state of each of its recommendations."""

    report: Report
    recommendations: list[RecommendationState] = field(default_factory=list)

    @property
    def counts(self) -> Counter[str]:
        """How many recommendations are in each status (see :data:`STATUS_WORDS`)."""
        return Counter(state.status for state in self.recommendations)


def _thresholds(policy: ClockPolicy, due: datetime) -> tuple[datetime, datetime, datetime]:
    """When levels 1, 2 and 3 are reached, as the clock engine computes them."""
    rule = policy.obligation(RECOMMENDATION_OBLIGATION)
    second = max(due, rule.ladder[0].after(due, policy.calendar))
    third = max(second, rule.ladder[1].after(due, policy.calendar))
    return due, second, third


def recommendation_state(
    recommendation: Recommendation, now: datetime, policy: ClockPolicy | None = None
) -> RecommendationState:
    """Where ``recommendation``'s clock stands at ``now``."""
    policy = policy or clocks_policy()
    calendar = policy.calendar
    due = calendar.end_of_day(recommendation.due)
    thresholds = _thresholds(policy, due)
    if recommendation.responded:
        answered = moment(recommendation.responded_at)
        level = sum(1 for t in thresholds if t <= answered)
        status = "answered" if answered < due else "answered_late"
        words = STATUS_WORDS[status].lower()
    else:
        level = sum(1 for t in thresholds if t <= now)
        status = "overdue" if level else "open"
        words = calendar.describe(due, now)
    return RecommendationState(
        recommendation, due, calendar.deadline_day(due), status, level, words
    )


def _states(reports: list[Report], now: datetime) -> list[ReportState]:
    policy = clocks_policy()
    by_report: dict[uuid.UUID, list[RecommendationState]] = {r.pk: [] for r in reports}
    rows = (
        Recommendation.objects.filter(report__in=reports)
        .select_related("owner")
        .order_by("report_id", "number")
    )
    for row in rows:
        by_report[row.report_id].append(recommendation_state(row, now, policy))
    return [ReportState(report, by_report[report.pk]) for report in reports]


def register(now: datetime) -> list[ReportState]:
    """Every report on the register, withdrawn ones included, the newest published first."""
    reports = list(Report.objects.order_by("-published_on", "-registered_seq"))
    return _states(reports, now)


def report_state(report_id: uuid.UUID | str, now: datetime) -> ReportState:
    """One report and its recommendations; :class:`NotVisible` if there is no such report."""
    try:
        report = Report.objects.get(pk=report_id)
    except (Report.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotVisible("no such report on the register") from None
    return _states([report], now)[0]


def recommendation_id_of(obligation_id: str) -> str:
    """The recommendation an obligation id ("recommendation_response:<seq>:<id>") is about."""
    return obligation_id.rsplit(":", 1)[-1]


def _ladder(owner: User, level: int) -> Q:
    """The people at ``level`` of a recommendation's ladder, above its owner: 1 the owner's
    team managers (their agency's, without a team), 2 the heads of service of the owner's
    agency, 3 the partnership's scrutineers (and anyone's, for an owner with no agency)."""
    if level >= 3 or owner.agency_id is None:
        return Q(role="partnership_scrutineer")
    if level == 2:
        return Q(role="head_of_service", agency_id=owner.agency_id)
    if owner.team_id is not None:
        return Q(role="team_manager", team_id=owner.team_id)
    return Q(role="team_manager", agency_id=owner.agency_id)


def recommendation_escalation_recipients(obligation_id: str, level: int) -> Q | None:
    """Who an escalation of a recommendation's clock goes to (None: the recommendation is
    gone), for the notifications outbox."""
    row = (
        Recommendation.objects.filter(pk=recommendation_id_of(obligation_id))
        .select_related("owner")
        .first()
    )
    if row is None:
        return None
    return _ladder(row.owner, level)


def waiting_for(user: User, now: datetime) -> list[RecommendationState]:
    """The recommendations ``user`` owns that still wait for their response, soonest first."""
    rows = (
        Recommendation.objects.filter(owner=user, responded_seq__isnull=True)
        .select_related("report", "owner")
        .order_by("due", "report_id", "number")
    )
    policy = clocks_policy()
    return [recommendation_state(row, now, policy) for row in rows]


def escalated_to_me(user: User, now: datetime) -> list[RecommendationState]:
    """The overdue recommendations whose clock has climbed to ``user``'s level of the
    ladder (or beyond it), soonest due first."""
    policy = clocks_policy()
    calendar = policy.calendar
    rows = (
        Recommendation.objects.filter(
            responded_seq__isnull=True,
            due__lt=calendar.day_of(now),
        )
        .select_related("report", "owner")
        .order_by("due", "report_id", "number")
    )
    found = []
    for row in rows:
        state = recommendation_state(row, now, policy)
        if any(_on_ladder(user, row.owner, level) for level in range(1, state.level + 1)):
            found.append(state)
    return found


def _on_ladder(user: User, owner: User, level: int) -> bool:
    """Whether ``user`` is among :func:`_ladder`'s people (the same rule, in Python)."""
    if level >= 3 or owner.agency_id is None:
        return user.role == "partnership_scrutineer"
    if level == 2:
        return user.role == "head_of_service" and user.agency_id == owner.agency_id
    if user.role != "team_manager":
        return False
    if owner.team_id is not None:
        return user.team_id == owner.team_id
    return user.agency_id == owner.agency_id


def recommendation_for(recommendation_id: uuid.UUID | str) -> Recommendation:
    """One recommendation with its report and owner; :class:`NotVisible` if there is none."""
    try:
        row: Recommendation = Recommendation.objects.select_related("report", "owner").get(
            pk=recommendation_id
        )
    except (Recommendation.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotVisible("no such recommendation on the register") from None
    return row


def exports_so_far(limit: int = 50) -> list[ScrutinyExport]:
    """The latest exports for scrutiny, the newest first."""
    return list(ScrutinyExport.objects.order_by("-exported_seq")[:limit])


def owner_id_for(username: str) -> str | None:
    """The id of the person with ``username`` (for the command line, which names owners by
    username), or None if there is none."""
    found = User.objects.filter(username=username).values_list("pk", flat=True).first()
    return str(found) if found is not None else None
