"""Case work in bulk: the case-work actions for a bulk load (the demo's case work).

:class:`BulkCaseWork` offers ``allocate``, ``decide``, ``sign_off``, ``record_contact``,
``add_information`` and ``record_outcome``: each makes its action's checks and builds its
event with the action's own function (``allocation_event``, ``decision_event``,
``sign_off_event``, ``contact_event`` and ``outcome_event`` in
:mod:`tocsin.server.casework.actions`; ``note_event`` for ``do_add_information``), so the
refusals and the events are the same, and records the event through a bulk load's
:class:`~tocsin.server.ledger.recording.BulkRecording`. What the actions look up inside their
transaction (the concern, its case and children, a decision, who proposed it) is read here
from the recording's session, which holds the rows the load has written and the rows it read,
or from the concerns read once per batch by :meth:`BulkCaseWork.prefetch`; need-to-know is
the gate's own rule (:func:`tocsin.server.concerns.gates.sees_concern`). A refusal records
nothing, as an action's rolled-back transaction does.

Sign-off here takes decisions only (a regrade's sign-off also reads the screening:
``do_sign_off``), and the public never act here.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from tocsin.domain.casework import roles_for
from tocsin.ledger import Envelope
from tocsin.server.actors import (
    PUBLIC,
    ActionRefused,
    Actor,
    NotVisible,
    SystemActor,
    actor_id,
    require_role,
)
from tocsin.server.casework.actions import (
    _NO_SUCH_PROPOSAL,
    DecisionOutcome,
    allocation_event,
    contact_event,
    decision_event,
    outcome_event,
    sign_off_event,
)
from tocsin.server.casework.models import Case, Decision
from tocsin.server.concerns.actions import note_event
from tocsin.server.concerns.gates import sees_concern
from tocsin.server.concerns.models import Concern, ConcernChild
from tocsin.server.directory.models import User
from tocsin.server.ledger.recording import BulkRecording

__all__ = ["BulkCaseWork"]

_NOT_VISIBLE = "no such concern, or you do not have access to it"


@dataclass(frozen=True)
class _Concern:
    """What the case-work actions read of a concern: it never changes during case work."""

    pk: str
    agency_id: str | None
    children: tuple[str, ...]


class BulkCaseWork:
    """The case-work actions on a bulk load's ``recording``. ``people`` are the users the
    load acts as and allocates to (others are read from the database when needed)."""

    def __init__(self, recording: BulkRecording, people: Iterable[User] = ()) -> None:
        self.recording = recording
        self._concerns: dict[str, _Concern] = {}
        self._people: dict[str, User] = {str(person.pk): person for person in people}
        #: concern id → the ids of its proposals awaiting sign-off.
        self._pending: dict[str, set[str]] = {}

    def prefetch(self, concern_ids: Iterable[str]) -> None:
        """Read the concerns about to be worked on (with their children and their pending
        proposals) in a few queries; flushes the recording first, so that they are there."""
        self.recording.flush()
        wanted = sorted({str(pk) for pk in concern_ids} - set(self._concerns))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            children: dict[str, list[str]] = {}
            links = ConcernChild.objects.filter(concern_id__in=chunk).values_list(
                "concern_id", "child_id"
            )
            for concern_pk, child_pk in links:
                children.setdefault(str(concern_pk), []).append(str(child_pk))
            for pk, agency_pk in Concern.objects.filter(pk__in=chunk).values_list(
                "pk", "agency_id"
            ):
                key = str(pk)
                self._concerns[key] = _Concern(
                    key, str(agency_pk) if agency_pk else None, tuple(children.get(key, ()))
                )
            pending = Decision.objects.filter(
                concern_id__in=chunk, status="awaiting_sign_off"
            ).values_list("concern_id", "pk")
            for concern_pk, decision_pk in pending:
                self._pending.setdefault(str(concern_pk), set()).add(str(decision_pk))
            self.recording.session.hold(Case, chunk)

    # -- what the actions look up ------------------------------------------------------------

    def _concern(self, concern_id: uuid.UUID | str) -> _Concern:
        key = str(concern_id)
        found = self._concerns.get(key)
        if found is None:
            self.prefetch([key])
            found = self._concerns.get(key)
        if found is None:
            raise NotVisible(_NOT_VISIBLE)
        return found

    def _case(self, concern: _Concern) -> dict[str, object]:
        return self.recording.session.get(Case, concern.pk)

    def _status(self, concern: _Concern) -> str:
        return str(self._case(concern)["status"])

    def _reach(self, actor: Actor, concern_id: uuid.UUID | str) -> _Concern:
        """As ``actor_may_reach_concern``: the concern, if ``actor`` may act on it."""
        if actor == PUBLIC:
            raise NotVisible(_NOT_VISIBLE)
        concern = self._concern(concern_id)
        if isinstance(actor, SystemActor):
            return concern
        allocated = self._case(concern).get("allocated_agency_id")
        if not sees_concern(
            actor,
            agency_id=concern.agency_id,
            allocated_agency_id=str(allocated) if allocated else None,
        ):
            raise NotVisible(_NOT_VISIBLE)
        return concern

    def _person(self, user_id: str) -> User | None:
        person = self._people.get(user_id)
        if person is None:
            person = User.objects.filter(pk=user_id).first()
            if person is not None:
                self._people[user_id] = person
        return person

    def _record(self, event: object, actor: Actor) -> Envelope:
        (envelope,) = self.recording.record([event], actor_id=actor_id(actor))  # type: ignore[list-item]
        return envelope

    # -- the actions: their checks and events are the actions' own -----------------------------

    def allocate(self, concern_id: uuid.UUID | str, *, worker: User, actor: Actor) -> Envelope:
        """As ``do_allocate(concern_id, worker_id=worker.pk, actor=actor)``: to a worker, in
        their team."""
        require_role(actor, *roles_for("allocate"))
        concern = self._reach(actor, concern_id)
        event = allocation_event(
            concern.pk,
            status=self._status(concern),
            worker_id=str(worker.pk),
            worker=worker,
            team_id=None,
            team=None,
            reason="",
            actor=actor,
        )
        return self._record(event, actor)

    def decide(
        self, concern_id: uuid.UUID | str, decision: str, rationale: str, *, actor: Actor
    ) -> DecisionOutcome:
        """As ``do_decide``."""
        require_role(actor, *roles_for("decide"))
        concern = self._reach(actor, concern_id)
        event = decision_event(
            concern.pk,
            decision,
            rationale,
            status=self._status(concern),
            pending=bool(self._pending.get(concern.pk)),
            concern_agency_id=concern.agency_id,
            actor=actor,
        )
        envelope = self._record(event, actor)
        if event.awaiting_sign_off:
            self._pending.setdefault(concern.pk, set()).add(event.decision_id)
        return DecisionOutcome(event.decision_id, event.awaiting_sign_off, envelope)

    def sign_off(
        self, decision_id: uuid.UUID | str, approve: bool, reason: str, *, actor: Actor
    ) -> Envelope:
        """As ``do_sign_off``, for a decision (not a regrade)."""
        if not isinstance(actor, User):
            raise ActionRefused("a sign-off needs a named person with authority, not a system")
        require_role(actor, *roles_for("sign_off"))
        try:
            decision = self.recording.session.get(Decision, decision_id)
        except (LookupError, ValueError, TypeError):
            raise NotVisible(_NO_SUCH_PROPOSAL) from None
        concern = self._reach(actor, str(decision["concern_id"]))
        event = sign_off_event(
            str(decision["id"]),
            concern.pk,
            approve,
            reason,
            status=str(decision["status"]),
            kind=str(decision["kind"]),
            authority=str(decision["authority"]),
            proposed_by=str(decision["proposed_by"]),
            proposer_agency=decision["agency_id"],
            find_user=self._person,
            actor=actor,
            regrades=False,
        )
        envelope = self._record(event, actor)
        self._pending.get(concern.pk, set()).discard(event.decision_id)
        return envelope

    def record_contact(
        self,
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
        """As ``do_record_contact``."""
        require_role(actor, *roles_for("record_contact"))
        concern = self._reach(actor, concern_id)
        event = contact_event(
            concern.pk,
            concern.children,
            with_whom=with_whom,
            method=method,
            happened_on=happened_on,
            made=made,
            seen_alone=seen_alone,
            summary=summary,
            child_id=child_id,
        )
        return self._record(event, actor)

    def add_information(self, concern_id: uuid.UUID | str, text: str, *, actor: Actor) -> Envelope:
        """As ``do_add_information``: a practitioner's case note."""
        if actor == PUBLIC:
            raise ActionRefused("a public reporter adds information with the follow-up code")
        require_role(actor, *roles_for("add_information"))
        concern = self._reach(actor, concern_id)
        return self._record(note_event(concern.pk, text), actor)

    def record_outcome(
        self, concern_id: uuid.UUID | str, outcome: str, summary: str, *, actor: Actor
    ) -> Envelope:
        """As ``do_record_outcome``."""
        require_role(actor, *roles_for("record_outcome"))
        concern = self._reach(actor, concern_id)
        return self._record(outcome_event(concern.pk, outcome, summary), actor)
