"""Professional challenge: raise a challenge to a decision, and answer one. Each checks the
actor's role and need-to-know itself, looks things up inside the transaction, raises typed
refusals (``Invalid`` with field problems, ``NotVisible``, ``ActionRefused``), and records
events; the rules are the core's (``tocsin.domain.casework``: ``route_challenge``,
``answer_refusal``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from tocsin.domain.casework import (
    ChallengeRoute,
    answer_problems,
    answer_refusal,
    challenge_problems,
    challenge_refusal,
    roles_for,
    route_challenge,
)
from tocsin.domain.clocks import ChallengeAnswered, ChallengeRaised
from tocsin.domain.concerns import FieldProblem
from tocsin.domain.language import check_text
from tocsin.ledger import Envelope
from tocsin.server.actors import ActionRefused, Actor, Invalid, NotVisible, actor_id, require_role
from tocsin.server.casework.models import Decision
from tocsin.server.challenges.models import Challenge
from tocsin.server.clocks.notify import queue_answer
from tocsin.server.concerns.gates import actor_may_reach_concern
from tocsin.server.directory.models import User
from tocsin.server.ledger.recording import record_event

__all__ = ["RaisedChallenge", "decider_of", "do_answer_challenge", "do_raise_challenge"]

_NO_SUCH_DECISION = "no such decision, or you do not have access to it"
_NO_SUCH_CHALLENGE = "no such challenge, or you do not have access to it"


@dataclass(frozen=True)
class RaisedChallenge:
    """What raising a challenge did: its id, where it went, and the event's envelope."""

    challenge_id: str
    route: ChallengeRoute
    envelope: Envelope


def decider_of(decision: Decision) -> tuple[str | None, str | None]:
    """The role and agency of the person who made ``decision`` (None, None for a system)."""
    prefix, _, ident = decision.proposed_by.partition(":")
    if prefix != "user":
        return None, None
    user = User.objects.filter(pk=ident).first()
    if user is None:
        return None, None
    return user.role, str(user.agency_id) if user.agency_id else None


def do_raise_challenge(
    concern_id: uuid.UUID | str,
    decision_id: uuid.UUID | str,
    grounds: str,
    *,
    actor: Actor,
) -> RaisedChallenge:
    """Challenge a decision about a concern the actor may see, another agency's included.

    The challenge goes outside the decider's line management (and the challenger's): to the
    partnership's independent scrutineer, under ``route_challenge``. Its clock is the clocks
    policy's ``challenge_answer``. Nobody challenges their own decision, and one person has
    one open challenge to a decision at a time."""
    if not isinstance(actor, User):
        raise ActionRefused("a challenge needs a named person, not a system")
    require_role(actor, *roles_for("challenge"))
    with transaction.atomic():
        concern = actor_may_reach_concern(actor, concern_id)
        try:
            decision = Decision.objects.get(pk=decision_id, concern_id=concern.pk)
        except (Decision.DoesNotExist, ValidationError, ValueError, TypeError):
            raise NotVisible(_NO_SUCH_DECISION) from None
        problems = challenge_problems(grounds)
        if problems:
            raise Invalid([FieldProblem("grounds", p) for p in problems])
        me = actor_id(actor)
        refusal = challenge_refusal(challenger=me, decider=decision.proposed_by)
        if refusal:
            raise ActionRefused(refusal)
        if Challenge.objects.filter(
            decision_id=decision.pk, raised_by=me, answered_seq__isnull=True
        ).exists():
            raise Invalid(
                [
                    FieldProblem(
                        "grounds",
                        "You have already challenged this decision; it is waiting for an answer",
                    )
                ]
            )
        decider_role, decider_agency = decider_of(decision)
        route = route_challenge(
            decider_role=decider_role,
            decider_agency_id=decider_agency,
            challenger_role=actor.role,
            challenger_agency_id=str(actor.agency_id) if actor.agency_id else None,
        )
        event = ChallengeRaised(
            challenge_id=str(uuid.uuid4()),
            concern_id=str(concern.pk),
            decision_id=str(decision.pk),
            grounds=grounds.strip(),
            language_warnings=len(check_text(grounds)),
            routed_to_role=route.role,
            routed_to_agency_id=route.agency_id,
        )
        envelope = record_event(event, actor_id=me)
    return RaisedChallenge(event.challenge_id, route, envelope)


def do_answer_challenge(
    challenge_id: uuid.UUID | str, outcome: str, answer: str, *, actor: Actor
) -> Envelope:
    """Answer a challenge: upheld, partly upheld or not upheld, with the reasons. Answering
    closes it and meets its clock; the challenger sees the answer. Only the role it was routed
    to answers it, and never the decider, anyone in the decider's line, or the challenger."""
    if not isinstance(actor, User):
        raise ActionRefused("a challenge is answered by a named person, not a system")
    require_role(actor, *roles_for("answer_challenge"))
    with transaction.atomic():
        try:
            challenge = Challenge.objects.select_related("decision").get(pk=challenge_id)
        except (Challenge.DoesNotExist, ValidationError, ValueError, TypeError):
            raise NotVisible(_NO_SUCH_CHALLENGE) from None
        concern = actor_may_reach_concern(actor, challenge.concern_id)
        decision = challenge.decision
        decider = decision.proposed_by if decision is not None else ""
        decider_role, decider_agency = (
            decider_of(decision) if decision is not None else (None, None)
        )
        refusal = answer_refusal(
            answerer=actor_id(actor),
            answerer_role=actor.role,
            answerer_agency_id=str(actor.agency_id) if actor.agency_id else None,
            routed_to_role=challenge.routed_to_role,
            routed_to_agency_id=(
                str(challenge.routed_to_agency_id) if challenge.routed_to_agency_id else None
            ),
            decider=decider,
            decider_role=decider_role,
            decider_agency_id=decider_agency,
            challenger=challenge.raised_by,
        )
        if refusal:
            raise ActionRefused(refusal)
        if challenge.answered:
            raise Invalid([FieldProblem("outcome", "This challenge has already been answered")])
        problems = answer_problems(outcome, answer)
        if problems:
            raise Invalid([FieldProblem(field, message) for field, message in problems])
        event = ChallengeAnswered(
            challenge_id=str(challenge.pk),
            concern_id=str(concern.pk),
            outcome=outcome,
            answer=answer.strip(),
            language_warnings=len(check_text(answer)),
        )
        envelope = record_event(event, actor_id=actor_id(actor))
        # The challenger is told, through the outbox, in this transaction (sent by the worker).
        queue_answer(str(challenge.pk), concern.reference, outcome, challenge.raised_by)
        return envelope
