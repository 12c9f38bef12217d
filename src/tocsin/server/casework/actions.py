"""Case-work actions: allocate a concern, decide about it, propose lowering its band, sign a
proposal off, record contact with the child and family, and record an outcome. Each checks the
actor's role and need-to-know itself, looks things up inside the transaction, raises typed
refusals (``Invalid`` with field problems, ``NotVisible``, ``ActionRefused``), and records
events; the rules are the core's (``tocsin.domain.casework``).

What each action checks once it has looked things up, and the event it records, is one
function (``allocation_event``, ``decision_event``, ``sign_off_event``, ``contact_event``,
``outcome_event``): the action calls it inside its transaction, after its need-to-know check,
and so does the demo's bulk load (:class:`tocsin.server.casework.bulk.BulkCaseWork`) with what
it read once per batch.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tocsin.domain.casework import (
    DECISIONS,
    NEEDS_SECOND_PERSON,
    ConcernAllocated,
    ContactRecorded,
    DecisionRecorded,
    DecisionSignedOff,
    OutcomeRecorded,
    RegradeProposed,
    authority_for,
    contact_problems,
    outcome_problems,
    rationale_problems,
    rationale_warning_count,
    roles_for,
    sign_off_refusal,
)
from tocsin.domain.concerns import FieldProblem, RiskRegraded
from tocsin.domain.language import check_text
from tocsin.ledger import Envelope
from tocsin.server.actors import (
    ActionRefused,
    Actor,
    Invalid,
    NotVisible,
    SystemActor,
    actor_id,
    require_role,
)
from tocsin.server.casework.models import Case, Decision
from tocsin.server.concerns.gates import actor_may_reach_concern
from tocsin.server.concerns.models import Concern, Screening
from tocsin.server.directory.models import Team, User
from tocsin.server.ledger.recording import record_event, record_events

__all__ = [
    "DecisionOutcome",
    "allocation_event",
    "check_open",
    "child_among",
    "contact_event",
    "decision_event",
    "do_allocate",
    "do_decide",
    "do_record_contact",
    "do_record_outcome",
    "do_sign_off",
    "outcome_event",
    "proposal_of",
    "propose_regrade",
    "proposer_of",
    "sign_off_event",
]

_Row = TypeVar("_Row", User, Team)

_NO_SUCH_PROPOSAL = "no such decision, or you do not have access to it"
_CLOSED = "This concern is closed"
_PENDING = (
    "A proposal on this concern is awaiting sign-off; it must be signed off or rejected before "
    "anything else is decided"
)


@dataclass(frozen=True)
class DecisionOutcome:
    """What deciding did: the decision's id, and whether it waits for a second person."""

    decision_id: str
    awaiting_sign_off: bool
    envelope: Envelope


REJECTION_NEEDS_REASON = "Say why you reject the proposal; your reason is kept on the ledger"


def _case(concern: Concern) -> Case:
    return Case.objects.get(concern_id=concern.pk)


def _pending(concern: Concern) -> bool:
    return Decision.objects.filter(concern_id=concern.pk, status="awaiting_sign_off").exists()


def proposer_of(actor: Actor, concern_agency_id: object) -> tuple[str, str | None]:
    """Who must sign off what ``actor`` proposes on a concern recorded by the agency
    ``concern_agency_id``, and in which agency."""
    if isinstance(actor, SystemActor):
        # The command line and the demo act for the agency that recorded the concern; their
        # proposals wait for that agency's managers like anyone's.
        return "agency", str(concern_agency_id) if concern_agency_id else None
    return authority_for(actor.role), str(actor.agency_id) if actor.agency_id else None


def check_open(status: str, *, pending: bool) -> None:
    """Refuse to decide on a concern whose case has ``status`` closed, or one with a proposal
    ``pending`` sign-off."""
    if status == "closed":
        raise Invalid([FieldProblem("concern", _CLOSED)])
    if pending:
        raise Invalid([FieldProblem("concern", _PENDING)])


def _check_open(concern: Concern) -> None:
    check_open(_case(concern).status, pending=_pending(concern))


def _found(model: type[_Row], pk: str | None) -> _Row | None:
    """The row of ``model`` with the key ``pk``; None if there is none (or ``pk`` is no key)."""
    if not pk:
        return None
    try:
        row: _Row | None = model._default_manager.filter(pk=pk).first()
    except (ValidationError, ValueError, TypeError):
        return None
    return row


def allocation_event(
    concern_id: str,
    *,
    status: str,
    worker_id: str | None,
    worker: User | None,
    team_id: str | None,
    team: Team | None,
    reason: str,
    actor: Actor,
) -> ConcernAllocated:
    """What allocating the concern ``concern_id`` (its case's ``status``) to ``worker`` and
    ``team`` records, or the field problem that refuses it. ``worker`` and ``team`` are what
    ``worker_id`` and ``team_id`` name (None where they name nothing); with no team named,
    the worker's own team."""
    if status == "closed":
        raise Invalid([FieldProblem("concern", _CLOSED)])
    if worker_id and (worker is None or not worker.is_active):
        raise Invalid([FieldProblem("worker", "Choose someone with an open account")])
    if worker is not None and worker.role not in roles_for("decide"):
        raise Invalid([FieldProblem("worker", "Choose someone who works on cases")])
    if team_id and team is None:
        raise Invalid([FieldProblem("team", "Choose a team")])
    if not team_id:
        team = worker.team if worker is not None else None
    if worker is None and team is None:
        raise Invalid([FieldProblem("worker", "Choose a worker or a team")])
    if worker is not None and team is not None and worker.team_id != team.pk:
        raise Invalid([FieldProblem("worker", "Choose someone in that team")])
    agency_id = team.agency_id if team is not None else worker.agency_id  # type: ignore[union-attr]
    if (
        isinstance(actor, User)
        and actor.role not in ("mash_officer", "mash_manager")
        and agency_id != actor.agency_id
    ):
        raise Invalid([FieldProblem("worker", "You can allocate only within your own agency")])
    return ConcernAllocated(
        allocation_id=str(uuid.uuid4()),
        concern_id=concern_id,
        team_id=str(team.pk) if team is not None else None,
        worker_id=str(worker.pk) if worker is not None else None,
        agency_id=str(agency_id) if agency_id else None,
        reason=reason.strip(),
    )


def do_allocate(
    concern_id: uuid.UUID | str,
    *,
    worker_id: str | None = None,
    team_id: str | None = None,
    reason: str = "",
    actor: Actor,
) -> Envelope:
    """Allocate (or reallocate) the concern to a worker, or to a team's tray.

    The front door (MASH officers and managers) allocates to any agency's team or worker; a
    team manager or head of service allocates within their own agency.
    """
    require_role(actor, *roles_for("allocate"))
    with transaction.atomic():
        concern = actor_may_reach_concern(actor, concern_id)
        event = allocation_event(
            str(concern.pk),
            status=_case(concern).status,
            worker_id=worker_id,
            worker=_found(User, worker_id),
            team_id=team_id,
            team=_found(Team, team_id),
            reason=reason,
            actor=actor,
        )
        return record_event(event, actor_id=actor_id(actor))


def do_decide(
    concern_id: uuid.UUID | str, decision: str, rationale: str, *, actor: Actor
) -> DecisionOutcome:
    """Record a decision about the concern, with its rationale. No further action and closing
    wait for a second person (:func:`do_sign_off`); the others take effect at once."""
    require_role(actor, *roles_for("decide"))
    with transaction.atomic():
        concern = actor_may_reach_concern(actor, concern_id)
        event = decision_event(
            str(concern.pk),
            decision,
            rationale,
            status=_case(concern).status,
            pending=_pending(concern),
            concern_agency_id=concern.agency_id,
            actor=actor,
        )
        envelope = record_event(event, actor_id=actor_id(actor))
    return DecisionOutcome(event.decision_id, event.awaiting_sign_off, envelope)


def decision_event(
    concern_id: str,
    decision: str,
    rationale: str,
    *,
    status: str,
    pending: bool,
    concern_agency_id: object,
    actor: Actor,
) -> DecisionRecorded:
    """What deciding ``decision`` on the concern ``concern_id`` (recorded by the agency
    ``concern_agency_id``; its case's ``status``, and whether a proposal on it is
    ``pending``) records, or the field problems that refuse it."""
    problems: list[FieldProblem] = []
    if decision not in DECISIONS:
        problems.append(FieldProblem("decision", "Choose a decision"))
    problems += [FieldProblem("rationale", p) for p in rationale_problems(rationale)]
    if problems:
        raise Invalid(problems)
    check_open(status, pending=pending)
    authority, agency_id = proposer_of(actor, concern_agency_id)
    return DecisionRecorded(
        decision_id=str(uuid.uuid4()),
        concern_id=concern_id,
        decision=decision,
        rationale=rationale.strip(),
        language_warnings=rationale_warning_count(rationale),
        awaiting_sign_off=decision in NEEDS_SECOND_PERSON,
        authority=authority,
        agency_id=agency_id,
    )


def propose_regrade(
    concern: Concern, screening: Screening, band: str, reason: str, *, actor: Actor
) -> Envelope:
    """Record a proposal to lower ``screening``'s band; called by ``do_regrade_risk`` (inside
    its transaction, after its checks) when the override rules say a second person must agree."""
    _check_open(concern)
    authority, agency_id = proposer_of(actor, concern.agency_id)
    event = RegradeProposed(
        decision_id=str(uuid.uuid4()),
        screening_id=str(screening.pk),
        concern_id=str(concern.pk),
        child_id=str(screening.child_id),
        from_band=screening.current_band,
        to_band=band,
        reason=reason,
        language_warnings=rationale_warning_count(reason),
        authority=authority,
        agency_id=agency_id,
    )
    return record_event(event, actor_id=actor_id(actor))


def proposal_of(envelope: Envelope) -> str | None:
    """The id of the proposal ``envelope`` recorded (a ``regrade.proposed``, say, returned by
    ``do_regrade_risk``), or None if it recorded something that took effect at once."""
    if envelope.kind != RegradeProposed.kind:
        return None
    return next(s.partition(":")[2] for s in envelope.subjects if s.startswith("decision:"))


def _user(pk: str) -> User | None:
    user: User | None = User.objects.filter(pk=pk).first()
    return user


def sign_off_event(
    decision_id: str,
    concern_id: str,
    approve: bool,
    reason: str,
    *,
    status: str,
    kind: str,
    authority: str,
    proposed_by: str,
    proposer_agency: object,
    find_user: Callable[[str], User | None],
    actor: User,
    regrades: bool = True,
) -> DecisionSignedOff:
    """What ``actor`` approving (or rejecting, for ``reason``) the proposal ``decision_id`` on
    the concern ``concern_id`` records, or what refuses it. The proposal's ``status``,
    ``kind``, ``authority``, who it was ``proposed_by`` and in which agency are its row's;
    ``find_user`` finds the proposer by id. Without ``regrades``, a regrade is refused."""
    if status != "awaiting_sign_off":
        raise Invalid([FieldProblem("approve", "This proposal has already been signed off")])
    if not regrades and kind != "decision":
        raise ActionRefused("a regrade is signed off one at a time, with do_sign_off")
    prefix, _, ident = proposed_by.partition(":")
    proposer = find_user(ident) if prefix == "user" else None
    refusal = sign_off_refusal(
        authority=authority,
        proposer=proposed_by,
        proposer_role=proposer.role if proposer is not None else "",
        proposer_agency=str(proposer_agency) if proposer_agency else None,
        signer=actor_id(actor),
        signer_role=actor.role,
        signer_agency=str(actor.agency_id) if actor.agency_id else None,
    )
    if refusal:
        raise ActionRefused(refusal)
    if not approve:
        # An empty reason is asked for in the signer's terms, not the proposer's.
        problems = rationale_problems(reason) if reason.strip() else [REJECTION_NEEDS_REASON]
        if problems:
            raise Invalid([FieldProblem("reason", p) for p in problems])
    return DecisionSignedOff(
        decision_id=decision_id,
        concern_id=concern_id,
        approved=approve,
        reason=reason.strip(),
    )


def do_sign_off(
    decision_id: uuid.UUID | str, approve: bool, reason: str, *, actor: Actor
) -> Envelope:
    """Approve or reject a proposal awaiting a second person. Approving no further action or
    closing closes the case; approving a lower band regrades the screening in the same
    append. A rejection needs a reason and returns the concern as it was. Nobody signs off
    their own proposal, and only someone with authority over the proposer may sign."""
    if not isinstance(actor, User):
        raise ActionRefused("a sign-off needs a named person with authority, not a system")
    require_role(actor, *roles_for("sign_off"))
    with transaction.atomic():
        try:
            decision = Decision.objects.get(pk=decision_id)
        except (Decision.DoesNotExist, ValidationError, ValueError, TypeError):
            raise NotVisible(_NO_SUCH_PROPOSAL) from None
        concern = actor_may_reach_concern(actor, decision.concern_id)
        events: list[DecisionSignedOff | RiskRegraded] = [
            sign_off_event(
                str(decision.pk),
                str(concern.pk),
                approve,
                reason,
                status=decision.status,
                kind=decision.kind,
                authority=decision.authority,
                proposed_by=decision.proposed_by,
                proposer_agency=decision.agency_id,
                find_user=_user,
                actor=actor,
            )
        ]
        if approve and decision.kind == "regrade":
            screening = Screening.objects.get(pk=str(decision.screening_id))
            if screening.current_band != decision.from_band:
                raise Invalid(
                    [FieldProblem("approve", "The band has changed since this was proposed")]
                )
            events.append(
                RiskRegraded(
                    regrading_id=str(uuid.uuid4()),
                    screening_id=str(screening.pk),
                    concern_id=str(concern.pk),
                    child_id=str(screening.child_id),
                    from_band=decision.from_band,
                    to_band=decision.to_band,
                    reason=decision.rationale,
                )
            )
        return record_events(events, actor_id=actor_id(actor))[0]


def child_among(children: Sequence[str], child_id: str | None) -> str | None:
    """Of a concern's ``children`` (ids), the one a contact is about: the one named, or its
    only child; None when the concern names no child yet."""
    if not children:
        return None
    if child_id and str(child_id) in children:
        return str(child_id)
    if not child_id and len(children) == 1:
        return children[0]
    raise Invalid([FieldProblem("child", "Choose which child the contact was about")])


def do_record_contact(
    concern_id: uuid.UUID | str,
    *,
    with_whom: str,
    method: str,
    happened_on: date | None,
    made: bool | None,
    seen_alone: bool | None = None,
    summary: str,
    child_id: str | None = None,
    actor: Actor,
) -> Envelope:
    """Record contact with the child or their family about the concern, or a contact tried
    and not made. Whether the child was seen alone is kept for contact made with the child."""
    require_role(actor, *roles_for("record_contact"))
    with transaction.atomic():
        concern = actor_may_reach_concern(actor, concern_id)
        event = contact_event(
            str(concern.pk),
            [str(pk) for pk in concern.child_links.values_list("child_id", flat=True)],
            with_whom=with_whom,
            method=method,
            happened_on=happened_on,
            made=made,
            seen_alone=seen_alone,
            summary=summary,
            child_id=child_id,
        )
        return record_event(event, actor_id=actor_id(actor))


def contact_event(
    concern_id: str,
    children: Sequence[str],
    *,
    with_whom: str,
    method: str,
    happened_on: date | None,
    made: bool | None,
    seen_alone: bool | None,
    summary: str,
    child_id: str | None,
) -> ContactRecorded:
    """What recording the contact on the concern ``concern_id`` (with the ``children``)
    records, or the field problems that refuse it."""
    problems = contact_problems(
        with_whom=with_whom,
        method=method,
        happened_on=happened_on,
        made=made,
        seen_alone=seen_alone,
        summary=summary,
        today=timezone.localdate(),
    )
    if problems:
        raise Invalid([FieldProblem(field, message) for field, message in problems])
    assert happened_on is not None and made is not None
    return ContactRecorded(
        contact_id=str(uuid.uuid4()),
        concern_id=concern_id,
        child_id=child_among(children, child_id),
        with_whom=with_whom,
        method=method,
        happened_on=happened_on.isoformat(),
        made=made,
        seen_alone=seen_alone if (with_whom == "child" and made) else None,
        summary=summary.strip(),
        language_warnings=len(check_text(summary)),
    )


def do_record_outcome(
    concern_id: uuid.UUID | str, outcome: str, summary: str, *, actor: Actor
) -> Envelope:
    """Record what came of the concern, with a summary for professionals. The agency that
    raised it sees the outcome on its concern page; a public reporter is told its plain words
    through the follow-up code (``tocsin.domain.casework.reporter_words``)."""
    require_role(actor, *roles_for("record_outcome"))
    with transaction.atomic():
        concern = actor_may_reach_concern(actor, concern_id)
        event = outcome_event(str(concern.pk), outcome, summary)
        return record_event(event, actor_id=actor_id(actor))


def outcome_event(concern_id: str, outcome: str, summary: str) -> OutcomeRecorded:
    """What recording ``outcome`` on the concern ``concern_id`` records, or the field
    problems that refuse it."""
    problems = outcome_problems(outcome, summary)
    if problems:
        raise Invalid([FieldProblem(field, message) for field, message in problems])
    return OutcomeRecorded(
        outcome_id=str(uuid.uuid4()),
        concern_id=concern_id,
        outcome=outcome,
        summary=summary.strip(),
        language_warnings=len(check_text(summary)),
    )
