"""Read models for case work: the trays, their counts, a concern's case with its history,
and a proposal awaiting sign-off. Each starts from the need-to-know gate; what they load is
recorded by the request's read scope, like every protected read."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from tocsin.domain.bounds import whole_number
from tocsin.domain.casework import CASE_STATUSES, FRONT_DOOR_ROLES, allowed, reporter_words
from tocsin.ledger import format_event_time
from tocsin.server.actors import NotVisible, actor_id
from tocsin.server.casework.models import Allocation, Case, Contact, Decision, OutcomeRecord
from tocsin.server.clocks.read_models import (
    Deadline,
    EscalationShown,
    escalated_to,
    overdue_concern_ids,
    overdue_obligations,
    overdue_unswept,
)
from tocsin.server.clocks.read_models import shown as shown_escalations
from tocsin.server.clocks.sweep import clocks_policy
from tocsin.server.concerns.gates import access_concern, visibility
from tocsin.server.concerns.models import Concern
from tocsin.server.concerns.read_models import concern_by_follow_up_code_hash
from tocsin.server.directory.models import User
from tocsin.server.reads import not_shown

__all__ = [
    "CLOCK_TRAYS",
    "TRAYS",
    "CaseRecord",
    "Tray",
    "TrayFilters",
    "awaiting_signature",
    "case_of",
    "case_record",
    "proposal_for",
    "report_progress",
    "tray",
    "trays_for",
    "visible_cases",
]

#: Each tray's address and its name for people.
TRAYS: dict[str, str] = {
    "front-door": "Front door",
    "team": "Your team",
    "mine": "Your work",
    "sign-off": "Awaiting your sign-off",
    "overdue": "Overdue",
    "escalated": "Escalated to you",
}
#: The trays of deadlines: each concern shown with what is overdue or escalated on it.
CLOCK_TRAYS = ("overdue", "escalated")
#: Who is on the escalation ladder above the worker (``escalated_to`` says at which level).
_ON_THE_LADDER = ("team_manager", "head_of_service", "mash_manager")
PAGE_SIZE = 50
_ORDER = {
    "band": ("-band_rank", "recorded_seq"),
    "waiting": ("recorded_seq",),
    "newest": ("-recorded_seq",),
}
_SIGNERS = ("team_manager", "head_of_service", "mash_manager")


@dataclass(frozen=True)
class TrayFilters:
    """What a tray can be narrowed to. ``agency`` is an agency id, or "public" for public
    reports; ``band`` a band id, or "unscreened"; ``min_days`` waiting at least that long."""

    agency: str = ""
    band: str = ""
    status: str = ""
    min_days: int | None = None
    #: "band" (highest first, then the longest waiting), "waiting" (the longest waiting
    #: first) or "newest".
    sort: str = "band"

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> TrayFilters:
        """The filters a page's or the API's query string asks for; anything it does not
        understand (a sort, a number of days) falls back to no filter."""
        number = whole_number(query.get("min_days", ""))
        sort = query.get("sort", "band")
        return cls(
            agency=query.get("agency", "").strip(),
            band=query.get("band", "").strip(),
            status=query.get("status", "").strip(),
            min_days=number if number is not None and 0 < number < 100_000 else None,
            sort=sort if sort in _ORDER else "band",
        )

    @property
    def narrowed(self) -> bool:
        """Whether any filter narrows the tray (the order is not a filter)."""
        return dataclasses.replace(self, sort="band") != TrayFilters()


@dataclass
class Tray:
    name: str
    cases: list[Case]
    total: int
    page: int
    pages: int
    #: each tray this person has, with how many open concerns it holds.
    counts: dict[str, int]
    #: in a team's tray: each worker (None: not yet given to a worker) and how many they carry.
    per_worker: list[tuple[User | None, int]] = field(default_factory=list)
    #: in the overdue tray: each concern's overdue deadlines, most overdue first.
    deadlines: dict[str, list[Deadline]] = field(default_factory=dict)
    #: in the escalated tray: each concern's escalations waiting at the reader's level.
    escalations: dict[str, list[EscalationShown]] = field(default_factory=dict)


def trays_for(user: User) -> list[str]:
    """The trays ``user`` works from, their own work first (a start page shows the first)."""
    if not allowed(user.role, "view_tray") or not user.is_active:
        return []
    names = ["front-door"] if user.role in FRONT_DOOR_ROLES else []
    names.append("mine")
    if user.team_id is not None:
        names.append("team")
    if user.role in _SIGNERS:
        names.append("sign-off")
    names.append("overdue")
    if user.role in _ON_THE_LADDER:
        names.append("escalated")
    return names


def visible_cases(user: User) -> QuerySet[Case]:
    """The cases of the concerns ``user`` may see."""
    condition = visibility(user, agency="agency_id", allocated="allocated_agency_id")
    if condition is None:
        return Case.objects.none()
    return Case.objects.filter(condition)


def awaiting_signature(user: User) -> QuerySet[Decision]:
    """Proposals ``user`` may be asked to sign: not their own, in their line."""
    proposals = Decision.objects.filter(status="awaiting_sign_off").exclude(
        proposed_by=actor_id(user)
    )
    if user.role == "mash_manager":
        return proposals.filter(authority="front_door")
    if user.role in ("team_manager", "head_of_service"):
        line = Q(authority="agency", agency_id=user.agency_id)
        if user.role == "head_of_service":
            line |= Q(authority="front_door", agency_id=user.agency_id)
        return proposals.filter(line)
    return proposals.none()


def _overdue_for(user: User, now: datetime) -> QuerySet[Case]:
    """The cases with something overdue in ``user``'s need-to-know: everything they may see
    for the front door and heads of service, their team's (and their own) for a team manager,
    their own cases (and what they own on a concern, a meeting's action) for anyone else, and
    for police officers the crime-recording decisions of the concerns they may see. Overdue
    as of ``now``, whether or not a sweep has run since the clock ran out."""
    cases = visible_cases(user).filter(overdue_concern_ids(now))
    if user.role in FRONT_DOOR_ROLES or user.role == "head_of_service":
        return cases
    mine = Q(owner_id=user.pk) | overdue_concern_ids(now, owner_id=str(user.pk))
    if user.role == "team_manager" and user.team_id is not None:
        mine |= Q(team_id=user.team_id)
    if user.role == "police_officer":  # the force's crime recording (docs/clocks.md, owners)
        mine |= overdue_concern_ids(now, owner="police")
    return cases.filter(mine)


def _in_tray(user: User, name: str, now: datetime | None = None) -> QuerySet[Case]:
    cases = visible_cases(user)
    if name == "overdue":
        return _overdue_for(user, now or timezone.now())
    if name == "escalated":
        return cases.filter(concern_id__in=escalated_to(user).values("concern_id"))
    if name == "front-door":
        return cases.filter(team__isnull=True).exclude(status="closed")
    if name == "team":
        return cases.filter(team_id=str(user.team_id)).exclude(status="closed")
    if name == "mine":
        return cases.filter(owner_id=user.pk).exclude(status="closed")
    if name == "sign-off":
        return cases.filter(
            concern_id__in=awaiting_signature(user).values("concern_id"),
            status="awaiting_sign_off",
        )
    raise NotVisible("no such tray")


def _filtered(cases: QuerySet[Case], filters: TrayFilters, now: datetime) -> QuerySet[Case]:
    if filters.agency == "public":
        cases = cases.filter(agency__isnull=True)
    elif filters.agency:
        try:
            cases = cases.filter(agency_id=uuid.UUID(filters.agency))
        except ValueError:
            cases = cases.none()
    if filters.band == "unscreened":
        cases = cases.filter(band="")
    elif filters.band:
        cases = cases.filter(band=filters.band)
    if filters.status in CASE_STATUSES:
        cases = cases.filter(status=filters.status)
    if filters.min_days:
        # Times are RFC 3339 in UTC, so they compare as text.
        cases = cases.filter(recorded_at__lt=format_event_time(now - timedelta(filters.min_days)))
    return cases


def tray(
    user: User,
    name: str,
    filters: TrayFilters | None = None,
    page: int = 1,
    now: datetime | None = None,
) -> Tray:
    """One page of a tray, highest band first and then oldest first, with the counts.

    :class:`NotVisible` if ``user`` has no such tray."""
    names = trays_for(user)
    if name not in names:
        raise NotVisible("no such tray")
    now = now or timezone.now()
    with not_shown():  # counts are not reads: they show no record
        counts = {n: _in_tray(user, n, now).count() for n in names}
        cases = _filtered(_in_tray(user, name, now), filters or TrayFilters(), now)
        total = cases.count() if filters is not None and filters.narrowed else counts[name]
        per_worker: list[tuple[User | None, int]] = []
        if name == "team":
            rows = (
                _in_tray(user, "team")
                .values("owner")
                .annotate(carrying=Count("pk"))
                .order_by("-carrying")
            )
            people = User.objects.in_bulk([r["owner"] for r in rows if r["owner"]])
            per_worker = [(people.get(r["owner"]), r["carrying"]) for r in rows]
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    start = (page - 1) * PAGE_SIZE
    shown = list(
        cases.select_related("concern", "owner", "team", "agency")
        .prefetch_related("concern__child_links__child")
        .order_by(*_ORDER.get((filters or TrayFilters()).sort, _ORDER["band"]))[
            start : start + PAGE_SIZE
        ]
    )
    result = Tray(name, shown, total, page, pages, counts, per_worker)
    ids = [case.concern_id for case in shown]
    if name == "overdue":
        calendar = clocks_policy().calendar
        late = list(overdue_obligations(now).filter(concern_id__in=ids))
        wanted = {str(i) for i in ids}
        late += [row for row in overdue_unswept(now) if str(row.concern_id) in wanted]
        for row in sorted(late, key=lambda row: (row.due, row.id)):
            result.deadlines.setdefault(str(row.concern_id), []).append(
                Deadline(row, row.level_at(now), calendar.describe(row.due, now))
            )
    if name == "escalated":
        waiting = list(escalated_to(user).filter(concern_id__in=ids).order_by("escalated_seq"))
        for item in shown_escalations(waiting, now):
            result.escalations.setdefault(str(item.escalation.concern_id), []).append(item)
    return result


@dataclass
class CaseRecord:
    case: Case
    decisions: list[Decision]
    allocations: list[Allocation]
    pending: Decision | None
    contacts: list[Contact] = field(default_factory=list)
    #: every outcome recorded, newest first (the first is the one that stands).
    outcomes: list[OutcomeRecord] = field(default_factory=list)

    @property
    def outcome(self) -> OutcomeRecord | None:
        return self.outcomes[0] if self.outcomes else None


def case_record(user: User, concern_id: uuid.UUID | str) -> CaseRecord:
    """A concern's case, if ``user`` may see the concern (:class:`NotVisible` otherwise)."""
    return case_of(access_concern(user, concern_id))


def case_of(concern: Concern) -> CaseRecord:
    """The case of a concern the reader was already let see (by a gate or a read model):
    where it stands, its decisions, allocations, contacts and outcomes, newest first."""
    try:
        case = Case.objects.select_related("owner", "team", "allocated_agency").get(
            concern_id=concern.pk
        )
    except Case.DoesNotExist:
        raise NotVisible("no such concern, or you do not have access to it") from None
    decisions = list(concern.decisions.order_by("-proposed_seq"))
    allocations = list(
        concern.allocations.select_related("team", "worker").order_by("-allocated_seq")
    )
    pending = next((d for d in decisions if d.status == "awaiting_sign_off"), None)
    contacts = list(
        concern.contacts.select_related("child").order_by("-happened_on", "-recorded_seq")
    )
    outcomes = list(concern.outcomes.order_by("-recorded_seq"))
    return CaseRecord(case, decisions, allocations, pending, contacts, outcomes)


def proposal_for(user: User, decision_id: uuid.UUID | str) -> Decision:
    """A decision or proposal, if ``user`` may see its concern."""
    try:
        decision = Decision.objects.select_related("concern").get(pk=decision_id)
    except (Decision.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotVisible("no such decision, or you do not have access to it") from None
    access_concern(user, decision.concern_id)
    found: Decision = decision
    return found


def report_progress(code_hash: str) -> str | None:
    """What the public reporter whose follow-up code hashes to ``code_hash`` is told about
    their report, in English (the page translates it): the plain words of its outcome, or
    where it stands; None when the code matches nothing. Loading the case records that the
    reporting pages showed it."""
    concern = concern_by_follow_up_code_hash(code_hash)
    if concern is None:
        return None
    case = Case.objects.filter(concern_id=concern.pk).first()
    if case is None:
        return None
    return reporter_words(case.status, case.outcome)
