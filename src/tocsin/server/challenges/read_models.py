"""Read models for professional challenge: the challenges a person is to answer (with each
one's clock), the challenges they raised, one challenge, and a concern's challenges. Each
starts from the need-to-know gate or from the person's own part in the challenge; what they
load is recorded by the request's read scope, like every protected read.

Need-to-know: a challenge is about a concern, and whoever may see the concern may see its
challenges (the page names the challenger only to the challenger and to whoever answers it).
The challenger could see the concern when they raised it; the handler, the partnership's
independent scrutineer, already sees every concern, so the gate needs no widening for them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from tocsin.domain.casework import allowed
from tocsin.server.actors import NotVisible, actor_id
from tocsin.server.challenges.models import Challenge
from tocsin.server.clocks.sweep import clocks_policy
from tocsin.server.concerns.gates import access_concern, visibility
from tocsin.server.concerns.models import Concern
from tocsin.server.directory.models import User

__all__ = [
    "ChallengeItem",
    "answer_within",
    "challenge_for",
    "challenges_of",
    "challenges_raised_by",
    "challenges_to_answer",
    "due_of",
    "item",
    "may_answer",
]

_OBLIGATION = "challenge_answer"


@dataclass(frozen=True)
class ChallengeItem:
    """A challenge as a page shows it: with its clock (the deadline for an answer) in words."""

    challenge: Challenge
    due: datetime
    #: the last day on which an answer is in time ("by the end of Friday 11 December").
    deadline_day: date
    #: "due in 2 working days", "3 days overdue"; empty once answered.
    in_words: str
    overdue: bool


def due_of(challenge: Challenge) -> datetime:
    """When the answer is due, by the clocks policy's ``challenge_answer`` obligation (the
    time the sweep's engine derives from the same event)."""
    policy = clocks_policy()
    due = policy.obligation(_OBLIGATION).due
    raised = datetime.fromisoformat(challenge.raised_at)
    return due.after(raised, policy.calendar)  # type: ignore[union-attr]


def answer_within() -> str:
    """How long the clocks policy gives for an answer, in words ("5 working days")."""
    return str(clocks_policy().obligation(_OBLIGATION).due)


def item(challenge: Challenge, now: datetime) -> ChallengeItem:
    due = due_of(challenge)
    calendar = clocks_policy().calendar
    day = calendar.deadline_day(due)
    if challenge.answered:
        return ChallengeItem(challenge, due, day, "", False)
    return ChallengeItem(challenge, due, day, calendar.describe(due, now), due <= now)


def _handled_by(user: User) -> Q:
    return Q(routed_to_role=user.role) & (
        Q(routed_to_agency__isnull=True) | Q(routed_to_agency_id=user.agency_id)
    )


def may_answer(user: User, challenge: Challenge) -> bool:
    """Whether ``user`` is who the challenge was sent to (the action checks the rest)."""
    return (
        user.is_active
        and allowed(user.role, "answer_challenge")
        and challenge.routed_to_role == user.role
        and challenge.routed_to_agency_id in (None, user.agency_id)
    )


def _visible(user: User) -> QuerySet[Challenge]:
    condition = visibility(
        user, agency="concern__agency_id", allocated="concern__case__allocated_agency_id"
    )
    if condition is None:
        return Challenge.objects.none()
    return Challenge.objects.filter(condition)


def challenges_to_answer(user: User, now: datetime) -> list[ChallengeItem]:
    """The open challenges sent to ``user`` to answer, the soonest due first."""
    if not allowed(user.role, "answer_challenge") or not user.is_active:
        return []
    rows = (
        _visible(user)
        .filter(_handled_by(user), answered_seq__isnull=True)
        .select_related("concern", "decision")
        .order_by("raised_seq")
    )
    return [item(row, now) for row in rows]


def challenges_raised_by(user: User, now: datetime) -> list[ChallengeItem]:
    """The challenges ``user`` raised, newest first, answered or not."""
    rows = (
        _visible(user)
        .filter(raised_by=actor_id(user))
        .select_related("concern", "decision")
        .order_by("-raised_seq")
    )
    return [item(row, now) for row in rows]


def challenge_for(user: User, challenge_id: uuid.UUID | str) -> Challenge:
    """One challenge, if ``user`` may see its concern (:class:`NotVisible` otherwise)."""
    try:
        challenge: Challenge = (
            _visible(user).select_related("concern", "decision").get(pk=challenge_id)
        )
    except (Challenge.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotVisible("no such challenge, or you do not have access to it") from None
    access_concern(user, challenge.concern_id)
    return challenge


def challenges_of(concern: Concern, now: datetime) -> list[ChallengeItem]:
    """The challenges to a concern's decisions (the reader was already let see the concern),
    newest first."""
    rows = Challenge.objects.filter(concern_id=concern.pk).select_related("decision")
    rows = rows.order_by("-raised_seq")
    return [item(row, now) for row in rows]
