"""Read models for the clocks: the open obligations (all, or a concern's) with their level now
and their deadline in words, and the escalations waiting at each level.

Overdue is decided when a page is read, from each obligation's due time against now, never by
waiting for a sweep. The cached open obligations (``clocks_open_obligation``) are those the last
sweep knew; the obligations started by events appended since (:func:`unswept_obligations`) are
worked out at read time from those events alone, so a concern whose clock has run out shows as
overdue even while the sweep has not run (a stopped worker, say)."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from tocsin.domain.bounds import whole_number
from tocsin.domain.clocks import ClockEngine
from tocsin.server.actors import NotVisible
from tocsin.server.clocks.models import ClockState, Escalation, OpenObligation
from tocsin.server.clocks.sweep import _cache, _clock_events, clocks_policy
from tocsin.server.concerns.gates import visibility
from tocsin.server.concerns.models import Concern
from tocsin.server.directory.models import User
from tocsin.server.ledger.recording import reading_ledger

__all__ = [
    "CHALLENGE_OBLIGATION",
    "LADDER_ROLES",
    "SIGN_OFF_OBLIGATION",
    "Deadline",
    "EscalationShown",
    "challenge_ladder",
    "challenge_target",
    "deadlines_of",
    "escalated_to",
    "escalation_for",
    "escalations_of",
    "moment",
    "open_escalations",
    "open_obligations",
    "overdue_concern_ids",
    "overdue_obligations",
    "overdue_unswept",
    "shown",
    "sign_off_deadlines",
    "still_open",
    "unswept_obligations",
]

#: The ladder's roles (the clocks policy's ``[[level]]`` roles) as Tocsin's roles.
LADDER_ROLES: dict[str, str] = {
    "team_manager": "team_manager",
    "head_of_service": "head_of_service",
    "scrutineer": "partnership_scrutineer",
}


#: The obligation to answer a challenge: its ladder climbs above whoever must answer it, never
#: into the decider's line (who may not answer it).
CHALLENGE_OBLIGATION = "challenge_answer"
#: The obligation to sign off a four-eyes proposal, keyed "decision:<the proposal's id>".
SIGN_OFF_OBLIGATION = "sign_off"
#: The managers' roles above a worker, lowest first.
_MANAGERS = ("team_manager", "head_of_service")
_PARTNERSHIP = ("partnership_scrutineer", None)


def challenge_ladder(
    routed_to_role: str, routed_to_agency_id: str | None, level: int
) -> tuple[str, str | None]:
    """Who a challenge's unanswered clock reaches at ``level``: the role, and the agency (None
    for the partnership). It climbs above the people the challenge was sent to, as other
    obligations climb above their owner: first the managers above that role in its agency
    (a team manager's head of service), then the partnership's scrutineer, which level 3
    always is. A challenge sent to the scrutineer (as every challenge is while the decider's
    managers are all in the decider's line) stays with the partnership at every level: its
    escalations never go to the decider's line, who may not answer it."""
    if level >= 3 or routed_to_agency_id is None:
        return _PARTNERSHIP
    if routed_to_role in _MANAGERS:
        above = list(_MANAGERS[_MANAGERS.index(routed_to_role) + 1 :])
    elif routed_to_role == _PARTNERSHIP[0]:
        above = []
    else:
        above = list(_MANAGERS)
    ladder: list[tuple[str, str | None]] = [(role, routed_to_agency_id) for role in above]
    ladder.append(_PARTNERSHIP)
    return ladder[min(level, len(ladder)) - 1]


def challenge_target(obligation_id: str, level: int) -> tuple[str, str | None] | None:
    """Who the escalation of the challenge-answer obligation ``obligation_id`` at ``level``
    goes to (:func:`challenge_ladder`); None if the challenge is not known."""
    from tocsin.server.challenges.models import Challenge

    raised_seq = whole_number(obligation_id.partition(":")[2])
    if raised_seq is None:
        return None
    found = (
        Challenge.objects.filter(raised_seq=raised_seq)
        .values("routed_to_role", "routed_to_agency_id")
        .first()
    )
    if found is None:
        return None
    agency = found["routed_to_agency_id"]
    return challenge_ladder(found["routed_to_role"], str(agency) if agency else None, level)


def _reaches(user: User, target: tuple[str, str | None] | None) -> bool:
    if target is None:
        return False
    role, agency = target
    return user.role == role and (agency is None or str(user.agency_id) == agency)


@dataclass(frozen=True)
class Deadline:
    """An open obligation as a page shows it: what, due when, in words, and how far up the
    ladder it has gone."""

    obligation: OpenObligation
    level: int
    #: "due in 2 working days", "3 days overdue".
    in_words: str

    @property
    def overdue(self) -> bool:
        return self.level > 0


@dataclass(frozen=True)
class EscalationShown:
    """An escalation as a page shows it: the obligation's name, and its deadline as a date
    and in words ("3 days overdue") as of the moment the page is read."""

    escalation: Escalation
    label: str
    due: datetime
    in_words: str
    #: whether it is past its due time at the moment the page is read.
    overdue: bool

    @property
    def open(self) -> bool:
        return self.escalation.closed_seq is None


def moment(value: str) -> datetime:
    """An RFC 3339 time (as events carry them) as an aware datetime."""
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def shown(escalations: list[Escalation], now: datetime) -> list[EscalationShown]:
    """Escalations with their obligation's name and deadline in words."""
    policy = clocks_policy()
    labels = {rule.id: rule.label for rule in policy.obligations}
    return [
        EscalationShown(
            e,
            labels.get(e.obligation, e.obligation.replace("_", " ")),
            moment(e.due),
            policy.calendar.describe(moment(e.due), now),
            moment(e.due) <= now,
        )
        for e in escalations
    ]


def escalation_for(user: User, escalation_id: str, now: datetime) -> EscalationShown:
    """One escalation, if ``user`` may see its concern (:class:`NotVisible` otherwise)."""
    condition = visibility(
        user, agency="concern__agency_id", allocated="concern__case__allocated_agency_id"
    )
    rows = Escalation.objects.filter(pk=escalation_id, concern__isnull=False)
    found = None if condition is None else rows.filter(condition).select_related("concern").first()
    if found is None:
        raise NotVisible("no such escalation, or you do not have access to it")
    return shown([found], now)[0]


def _owning_agency_is(agency_id: object, prefix: str = "concern__") -> Q:
    """The concern's owning agency is ``agency_id``: the agency it is allocated to, or, while
    unallocated, the agency that recorded it."""
    return Q(**{f"{prefix}case__allocated_agency_id": agency_id}) | Q(
        **{f"{prefix}case__allocated_agency__isnull": True, f"{prefix}agency_id": agency_id}
    )


def still_open(escalations: QuerySet[Escalation]) -> QuerySet[Escalation]:
    """The escalations still waiting: not closed, and their obligation still open as of the
    last sweep (one met after it escalated, or closed at level 3, is no longer anyone's)."""
    closed = Escalation.objects.filter(closed_seq__isnull=False).values("obligation_id")
    return escalations.filter(
        closed_seq__isnull=True,
        obligation_id__in=OpenObligation.objects.filter(applies=True).values("id"),
    ).exclude(obligation_id__in=closed)


def escalated_to(user: User) -> QuerySet[Escalation]:
    """The open escalations waiting at ``user``'s level of the ladder, within need-to-know:
    level 1 for the team managers of the concern's team (its agency's, while no team has it),
    level 2 for the heads of service of its owning agency, level 3 for the partnership's
    scrutineers; a public report nobody has allocated (no owning agency) goes to the front
    door's managers at levels 1 and 2. A challenge unanswered climbs above whoever must answer
    it instead (:func:`challenge_ladder`)."""
    condition = visibility(
        user, agency="concern__agency_id", allocated="concern__case__allocated_agency_id"
    )
    rows = still_open(Escalation.objects.filter(concern__isnull=False))
    if condition is None:
        return rows.none()
    challenges = [
        pk
        for pk, obligation_id, level in rows.filter(obligation=CHALLENGE_OBLIGATION).values_list(
            "pk", "obligation_id", "level"
        )
        if _reaches(user, challenge_target(obligation_id, level))
    ]
    answers = Q(pk__in=challenges)
    rows_generic = ~Q(obligation=CHALLENGE_OBLIGATION)
    unowned = Q(concern__case__allocated_agency__isnull=True, concern__agency__isnull=True)
    if user.role == "partnership_scrutineer":
        mine = Q(to_role="scrutineer")
    elif user.role == "head_of_service" and user.agency_id is not None:
        mine = Q(to_role="head_of_service") & _owning_agency_is(user.agency_id)
    elif user.role == "team_manager" and user.agency_id is not None:
        mine = Q(concern__case__team__isnull=True) & _owning_agency_is(user.agency_id)
        if user.team_id is not None:
            mine |= Q(concern__case__team_id=user.team_id)
        mine &= Q(to_role="team_manager")
    elif user.role == "mash_manager":
        mine = Q(to_role__in=("team_manager", "head_of_service")) & unowned
    else:
        return rows.filter(condition & answers)
    return rows.filter(condition & ((rows_generic & mine) | answers))


def overdue_obligations(now: datetime) -> QuerySet[OpenObligation]:
    """Open obligations about a concern that are past their due time at ``now``, leaving out
    those whose escalation the partnership has closed (the next sweep drops them too)."""
    closed = Escalation.objects.filter(closed_seq__isnull=False).values("obligation_id")
    return OpenObligation.objects.filter(applies=True, due__lte=now, concern__isnull=False).exclude(
        id__in=closed
    )


#: The engine fed the events since the last sweep, by (the cache's last seq, the policy), with
#: the ledger's size and root it was fed up to: read models reuse it while the ledger stands
#: still, and carry a copy of it on over what was appended since (every page's read record
#: appends one event, so replaying from the last sweep each time made a page's cost grow with
#: the reads since the sweep, minutes of them at a time under load).
_UNSWEPT: dict[str, tuple[tuple[int | None, str], int, bytes, ClockEngine]] = {}
_UNSWEPT_LOCK = threading.Lock()


def _unswept_engine() -> ClockEngine | None:
    """A fresh engine fed only the events appended since the last sweep (None when there are
    none): the obligations they start, whatever came before them. With no cache (or one
    saved under another policy), every event: the sweep has not yet read any.

    The engine returned is never changed afterwards (another request may be reading it): to
    take in newer events, a copy is carried on from its state."""
    policy = clocks_policy()
    saved = ClockState.objects.filter(pk=1).values("last_seq", "policy_digest").first()
    last = saved["last_seq"] if saved and saved["policy_digest"] == policy.digest else None
    size, root = reading_ledger().store.head()
    first = 0 if last is None else last + 1
    if first >= size:
        return None
    mark = (last, policy.digest)
    with _UNSWEPT_LOCK:
        known = _UNSWEPT.get("engine")
    engine: ClockEngine | None = None
    fed_to = last
    if known is not None and known[0] == mark:
        _, known_size, known_root, known_engine = known
        if known_size == size and known_root == bytes(root):
            return known_engine
        if known_size < size:
            # The ledger only grows: carry on from where this engine stopped.
            engine = ClockEngine.from_state(policy, known_engine.state())
            fed_to = known_size - 1
    if engine is None:
        engine = ClockEngine(policy)
    for event in _clock_events(fed_to, size, engine.kinds):
        engine.feed(event)
    engine.skip_to(size - 1)
    with _UNSWEPT_LOCK:
        current = _UNSWEPT.get("engine")
        if current is None or current[0] != mark or current[1] <= size:
            _UNSWEPT["engine"] = (mark, size, bytes(root), engine)
    return engine


def unswept_obligations(now: datetime) -> list[OpenObligation]:
    """The open obligations about a concern started by events the last sweep has not read,
    as unsaved cache rows, soonest due first. One the cache already holds open for the same
    rule and subject is left out (a later trigger does not start a second clock). What these
    events meet of the cached obligations shows at the next sweep."""
    engine = _unswept_engine()
    if engine is None:
        return []
    fresh = [ob for ob in engine.open_obligations(now) if ob.concern_id]
    if not fresh:
        return []
    cached = set(
        OpenObligation.objects.filter(
            applies=True, key__in=list({ob.key for ob in fresh})
        ).values_list("obligation", "key")
    )
    closed = set(
        Escalation.objects.filter(
            closed_seq__isnull=False, obligation_id__in=[ob.id for ob in fresh]
        ).values_list("obligation_id", flat=True)
    )
    return [
        _cache(ob) for ob in fresh if (ob.obligation, ob.key) not in cached and ob.id not in closed
    ]


def overdue_unswept(now: datetime) -> list[OpenObligation]:
    """The obligations of :func:`unswept_obligations` already past their due time at ``now``."""
    return [row for row in unswept_obligations(now) if row.due <= now]


def overdue_concern_ids(now: datetime, *, owner_id: str = "", owner: str = "") -> Q:
    """A condition on ``concern_id``: the concern has an obligation past its due time at
    ``now``, cached or started since the last sweep (of that ``owner_id`` or ``owner`` only,
    if given)."""
    cached = overdue_obligations(now)
    fresh = overdue_unswept(now)
    if owner_id:
        cached = cached.filter(owner_id=owner_id)
        fresh = [row for row in fresh if row.owner_id == owner_id]
    if owner:
        cached = cached.filter(owner=owner)
        fresh = [row for row in fresh if row.owner == owner]
    condition = Q(concern_id__in=cached.values("concern_id"))
    if fresh:
        condition |= Q(concern_id__in=sorted({str(row.concern_id) for row in fresh}))
    return condition


def open_obligations(now: datetime, *, overdue_only: bool = False) -> list[OpenObligation]:
    """Every open obligation (as of the last sweep, and those started since), soonest due
    first."""
    rows: QuerySet[OpenObligation] = OpenObligation.objects.filter(applies=True)
    if overdue_only:
        rows = rows.filter(due__lte=now)
    fresh = overdue_unswept(now) if overdue_only else unswept_obligations(now)
    found = list(rows.select_related("concern").order_by("due", "id"))
    if fresh:
        concerns = {
            str(pk): concern
            for pk, concern in Concern.objects.in_bulk([row.concern_id for row in fresh]).items()
        }
        for row in fresh:
            row.concern = concerns.get(str(row.concern_id))
        found = sorted(found + fresh, key=lambda row: (row.due, row.id))
    return found


def deadlines_of(concern: Concern, now: datetime) -> list[Deadline]:
    """The open obligations of a concern the reader was already let see, soonest first: those
    the last sweep knew and those started since."""
    calendar = clocks_policy().calendar
    rows = list(OpenObligation.objects.filter(concern_id=concern.pk, applies=True))
    rows += [row for row in unswept_obligations(now) if str(row.concern_id) == str(concern.pk)]
    rows.sort(key=lambda row: (row.due, row.id))
    return [Deadline(row, row.level_at(now), calendar.describe(row.due, now)) for row in rows]


def sign_off_deadlines(proposal_ids: Iterable[object], now: datetime) -> dict[str, Deadline]:
    """The sign-off clock of each proposal still waiting for a second person, by the
    proposal's id: its due time, in words as of ``now``, and how far up the ladder it has
    gone. Those the last sweep knew and those started since; one whose level-3 escalation the
    partnership has closed has no clock left to show, so it is left out. The caller has
    already let the reader see the proposals."""
    wanted = {f"decision:{pk}": str(pk) for pk in proposal_ids}
    if not wanted:
        return {}
    closed = Escalation.objects.filter(closed_seq__isnull=False).values("obligation_id")
    rows = list(
        OpenObligation.objects.filter(
            applies=True, obligation=SIGN_OFF_OBLIGATION, key__in=list(wanted)
        ).exclude(id__in=closed)
    )
    rows += [
        row
        for row in unswept_obligations(now)
        if row.obligation == SIGN_OFF_OBLIGATION and row.key in wanted
    ]
    calendar = clocks_policy().calendar
    return {
        wanted[row.key]: Deadline(row, row.level_at(now), calendar.describe(row.due, now))
        for row in rows
    }


def open_escalations(level: int | None = None) -> QuerySet[Escalation]:
    """Escalations nobody has closed, newest first (at ``level`` only, if given)."""
    rows = Escalation.objects.filter(closed_seq__isnull=True)
    if level is not None:
        rows = rows.filter(level=level)
    return rows.select_related("concern").order_by("-escalated_seq")


def escalations_of(concern: Concern) -> list[Escalation]:
    """Every escalation of a concern the reader was already let see, oldest first."""
    return list(Escalation.objects.filter(concern_id=concern.pk).order_by("escalated_seq"))
