"""Read models for the views above the trays: the manager's view (caseloads, overdue work by
worker, proposals waiting for sign-off) and the oversight view (everything at level 3, decisions
by team, no-further-action and downgrade rates, time to decision, challenges and capacity
alarms).

Both start from the need-to-know gate: the partnership's scrutineer sees every concern, a head
of service their own agency's (and those allocated to it), a team manager their team's.
Figures are counted with ``values()`` and aggregates, which show no record; the rows a page
lists (escalations, proposals) are loaded as models, so the read scope records them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet

from tocsin.domain import screening as screening_policy
from tocsin.domain.casework import DECISIONS, allowed
from tocsin.domain.clocks import CHALLENGE_OUTCOMES
from tocsin.server.actors import ActionRefused
from tocsin.server.capacity.check import overrides
from tocsin.server.capacity.read_models import AlarmShown, open_alarms
from tocsin.server.casework.models import Case, Decision
from tocsin.server.casework.read_models import awaiting_signature, visible_cases
from tocsin.server.challenges.models import Challenge
from tocsin.server.clocks.models import Escalation
from tocsin.server.clocks.read_models import (
    Deadline,
    EscalationShown,
    moment,
    overdue_obligations,
    overdue_unswept,
    shown,
    sign_off_deadlines,
    still_open,
)
from tocsin.server.clocks.sweep import clocks_policy
from tocsin.server.concerns.gates import visibility
from tocsin.server.concerns.models import Regrading, Screening
from tocsin.server.directory.models import User
from tocsin.server.reads import not_shown

__all__ = [
    "TIME_TO_DECISION",
    "Bucket",
    "ManagerView",
    "Oversight",
    "Rate",
    "TeamDecisions",
    "WorkerLoad",
    "manager_view",
    "oversight",
]

#: Time from a concern being recorded to its first decision, in working days: each bucket's
#: label and the largest number of working days it holds (None: no limit).
TIME_TO_DECISION: tuple[tuple[str, int | None], ...] = (
    ("The same working day", 0),
    ("1 working day", 1),
    ("2 working days", 2),
    ("3 to 5 working days", 5),
    ("6 to 10 working days", 10),
    ("More than 10 working days", None),
)
#: How many level-3 escalations the oversight view lists (of each: open, closed).
LISTED = 200
_WORKER_ROLES = (
    "practitioner",
    "team_manager",
    "head_of_service",
    "mash_officer",
    "mash_manager",
    "police_officer",
)
_EFFECTIVE = ("taken", "approved")


@dataclass(frozen=True)
class WorkerLoad:
    #: None: concerns in scope not yet given to a worker.
    worker: User | None
    open_cases: int
    overdue: int
    #: the worker's capacity: their own if a head of service or the partnership set one,
    #: else the policy's; None when the policy sets none (or for cases not given to anyone).
    capacity: int | None = None

    @property
    def over_capacity(self) -> bool:
        return self.capacity is not None and self.open_cases > self.capacity


@dataclass
class ManagerView:
    #: what the figures cover, for people ("Exploitation team", "Northfield Council").
    scope: str
    workers: list[WorkerLoad]
    proposals: list[Decision]
    open_cases: int
    overdue: int
    #: each proposal's sign-off clock, by the proposal's id (none where no clock runs: the
    #: partnership closed it, or the policy sets none).
    sign_off_by: dict[str, Deadline] = field(default_factory=dict)


def _scoped_cases(user: User) -> tuple[str, QuerySet[Case]]:
    """The cases a manager's view covers: a team manager's team (their agency's unallocated
    ones too, as their tray of escalations does), a head of service's agency."""
    cases = visible_cases(user)
    if user.role == "team_manager" and user.team is not None:
        unteamed = Q(team__isnull=True) & (
            Q(allocated_agency_id=user.agency_id)
            | Q(allocated_agency__isnull=True, agency_id=user.agency_id)
        )
        return user.team.name, cases.filter(Q(team_id=user.team_id) | unteamed)
    if user.agency is None:
        return "", cases.none()
    owning = Q(allocated_agency_id=user.agency_id) | Q(
        allocated_agency__isnull=True, agency_id=user.agency_id
    )
    return user.agency.name, cases.filter(owning)


def manager_view(user: User, now: datetime) -> ManagerView:
    """Caseloads (open cases owned) and overdue items per worker, and the proposals waiting
    for ``user``'s sign-off with each one's deadline. :class:`ActionRefused` for anyone but a
    manager."""
    if not allowed(user.role, "view_caseloads") or not user.is_active:
        raise ActionRefused("the manager's view is for team managers and heads of service")
    scope, cases = _scoped_cases(user)
    with not_shown():  # counts show no record
        open_cases = cases.exclude(status="closed")
        loads: Counter[str | None] = Counter()
        for row in open_cases.values("owner").annotate(n=Count("pk")):
            loads[str(row["owner"]) if row["owner"] else None] += row["n"]
        overdue = overdue_obligations(now).filter(concern_id__in=cases.values("concern_id"))
        owners = {
            str(concern): str(owner) if owner else None
            for concern, owner in cases.values_list("concern_id", "owner")
        }
        late: Counter[str | None] = Counter()
        pairs: list[tuple[object, str]] = list(overdue.values_list("concern_id", "owner_id"))
        pairs += [  # started since the last sweep, and already overdue
            (row.concern_id, row.owner_id)
            for row in overdue_unswept(now)
            if str(row.concern_id) in owners
        ]
        for concern_id, owner_id in pairs:
            late[owner_id or owners.get(str(concern_id))] += 1
        people = User.objects.filter(is_active=True, role__in=_WORKER_ROLES)
        if user.role == "team_manager" and user.team_id is not None:
            people = people.filter(team_id=user.team_id)
        else:
            people = people.filter(agency_id=user.agency_id)
        ids = {str(pk) for pk in people.values_list("pk", flat=True)}
        ids |= {k for k in loads if k} | {k for k in late if k}
        named = User.objects.in_bulk(list(ids))
    spec = clocks_policy().capacity
    capacities = overrides() if spec is not None else {}

    def capacity_of(person: User) -> int | None:
        if spec is None:
            return None
        return spec.threshold_for("worker", str(person.pk), "caseload", capacities)

    workers = sorted(
        (
            WorkerLoad(
                person,
                loads.get(str(person.pk), 0),
                late.get(str(person.pk), 0),
                capacity_of(person),
            )
            for person in named.values()
        ),
        key=lambda w: (-w.open_cases, -w.overdue, w.worker.display_name if w.worker else ""),
    )
    if loads.get(None) or late.get(None):
        workers.append(WorkerLoad(None, loads.get(None, 0), late.get(None, 0)))
    proposals = list(
        awaiting_signature(user)
        .filter(concern_id__in=visible_cases(user).values("concern_id"))
        .select_related("concern")
        .order_by("proposed_seq")
    )
    return ManagerView(
        scope=scope,
        workers=workers,
        proposals=proposals,
        open_cases=sum(loads.values()),
        overdue=sum(late.values()),
        sign_off_by=sign_off_deadlines([p.pk for p in proposals], now),
    )


@dataclass(frozen=True)
class Rate:
    """A share, with what it is a share of."""

    count: int
    of: int

    @property
    def percent(self) -> str:
        return f"{100 * self.count / self.of:.0f}%" if self.of else "none yet"


@dataclass(frozen=True)
class TeamDecisions:
    #: None: decided while no team held the concern (the front door).
    team: str | None
    by_code: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_code.values())


@dataclass(frozen=True)
class Bucket:
    label: str
    count: int


@dataclass
class Oversight:
    #: whose figures: "every agency" for the partnership, an agency's name for its head.
    scope: str
    #: waiting for the partnership: not closed, the obligation still not met.
    open_level_3: list[EscalationShown]
    #: closed by the partnership with a reason, or met after it reached level 3.
    closed_level_3: list[EscalationShown]
    open_level_3_total: int
    closed_level_3_total: int
    decision_codes: list[tuple[str, str]]
    by_team: list[TeamDecisions]
    no_further_action: Rate
    downgrades: Rate
    downgrades_signed_off: int
    downgrades_rejected: int
    time_to_decision: list[Bucket]
    undecided: int
    #: challenges to decisions in scope: "raised", "waiting" and a count per outcome.
    challenges: dict[str, int] = field(default_factory=dict)
    #: the capacity alarms still open that the reader may see, with their figures now.
    alarms: list[AlarmShown] = field(default_factory=list)
    #: recommendations of registered reports not answered in time whose clock has climbed to
    #: the reader's level of the ladder (the register's own rule), soonest due first.
    recommendations_escalated: list[Any] = field(default_factory=list)

    @property
    def decided(self) -> int:
        return sum(b.count for b in self.time_to_decision)


def _time_to_decision(cases: QuerySet[Case]) -> tuple[list[Bucket], int]:
    calendar = clocks_policy().calendar
    recorded: dict[object, str] = dict(cases.values_list("concern_id", "recorded_at"))
    first: dict[object, str] = {}
    rows = (
        Decision.objects.filter(kind="decision", concern_id__in=cases.values("concern_id"))
        .order_by("proposed_seq")
        .values_list("concern_id", "proposed_at")
    )
    for concern_id, at in rows:
        first.setdefault(concern_id, at)
    counts = [0] * len(TIME_TO_DECISION)
    for concern_id, at in first.items():
        days = calendar.working_days_between(moment(recorded[concern_id]), moment(at))
        for index, (_, limit) in enumerate(TIME_TO_DECISION):
            if limit is None or days <= limit:
                counts[index] += 1
                break
    buckets = [Bucket(label, n) for (label, _), n in zip(TIME_TO_DECISION, counts, strict=True)]
    return buckets, len(recorded) - len(first)


def _challenges(in_scope: QuerySet[Any]) -> dict[str, int]:
    """The challenges to decisions about the concerns in scope: raised, still waiting, and
    each outcome (counts only: the view shows no challenge)."""
    rows = Challenge.objects.filter(concern_id__in=in_scope)
    counts = {"raised": rows.count(), "waiting": rows.filter(answered_seq__isnull=True).count()}
    for outcome in CHALLENGE_OUTCOMES:
        counts[outcome] = rows.filter(outcome=outcome).count()
    return counts


def escalated_to_me(user: User, now: datetime) -> list[Any]:
    """The register's escalated recommendations for ``user`` (imported here: the register's
    read models use the clocks)."""
    from tocsin.server.register.read_models import escalated_to_me as escalated

    return list(escalated(user, now))


def oversight(user: User, now: datetime) -> Oversight:
    """The oversight view's figures over the concerns ``user`` may see. :class:`ActionRefused`
    for anyone but the partnership's scrutineers and heads of service."""
    if not allowed(user.role, "view_oversight") or not user.is_active:
        raise ActionRefused("the oversight view is for the partnership and heads of service")
    cases = visible_cases(user)
    scope = (
        "every agency"
        if user.role == "partnership_scrutineer"
        else (user.agency.name if user.agency else "")
    )
    condition = visibility(
        user, agency="concern__agency_id", allocated="concern__case__allocated_agency_id"
    )
    level_3 = Escalation.objects.filter(level=3, concern__isnull=False)
    level_3 = level_3.filter(condition) if condition is not None else level_3.none()
    with not_shown():
        waiting = still_open(level_3)
        open_total = waiting.count()
        closed_total = level_3.exclude(pk__in=waiting.values("pk")).count()
        in_scope = cases.values("concern_id")
        effective = Decision.objects.filter(
            kind="decision", status__in=_EFFECTIVE, concern_id__in=in_scope
        )
        teams: dict[str | None, dict[str, int]] = {}
        for row in effective.values("concern__case__team__name", "code").annotate(n=Count("pk")):
            teams.setdefault(row["concern__case__team__name"], {})[row["code"]] = row["n"]
        decided = effective.values("concern_id").distinct().count()
        nfa = effective.filter(code="no_further_action").values("concern_id").distinct().count()
        rank = {band: i for i, band in enumerate(screening_policy.bands())}
        lowered = {
            concern_id
            for concern_id, before, after in Regrading.objects.filter(
                concern_id__in=in_scope
            ).values_list("concern_id", "from_band", "to_band")
            if rank.get(after, -1) < rank.get(before, -1)
        }
        screened = (
            Screening.objects.filter(concern_id__in=in_scope).values("concern_id").distinct()
        ).count()
        regrades = Decision.objects.filter(kind="regrade", concern_id__in=in_scope)
        signed = regrades.filter(status="approved").count()
        rejected = regrades.filter(status="rejected").count()
        buckets, undecided = _time_to_decision(cases)
        challenges = _challenges(in_scope)
    listed = level_3.select_related("concern").order_by("-escalated_seq")
    used = {code for counts in teams.values() for code in counts}
    return Oversight(
        scope=scope,
        open_level_3=shown(list(listed.filter(pk__in=waiting.values("pk"))[:LISTED]), now),
        closed_level_3=shown(list(listed.exclude(pk__in=waiting.values("pk"))[:LISTED]), now),
        open_level_3_total=open_total,
        closed_level_3_total=closed_total,
        decision_codes=[(code, label) for code, label in DECISIONS.items() if code in used],
        by_team=sorted(
            (TeamDecisions(team, counts) for team, counts in teams.items()),
            key=lambda t: (t.team is None, t.team or ""),
        ),
        no_further_action=Rate(nfa, decided),
        downgrades=Rate(len(lowered), screened),
        downgrades_signed_off=signed,
        downgrades_rejected=rejected,
        time_to_decision=buckets,
        undecided=undecided,
        challenges=challenges,
        alarms=open_alarms(user, now),
        recommendations_escalated=escalated_to_me(user, now),
    )
