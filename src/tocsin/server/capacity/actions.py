"""Capacity overrides: the capacity of one named worker or team set instead of the clocks
policy's figure, as an event (``capacity.override_set``) with the reason.

Who may set what (docs/clocks.md, "Capacity for a named worker or team"):

- a **head of service**, for the workers and teams of their own agency, may set a capacity
  **at or below** the policy's figure (a part-time worker carries fewer cases), or remove an
  override so that the policy's figure applies again. They may not raise one above the
  policy's figure: an alarm about their own service is not theirs to silence;
- the **partnership's scrutineer**, outside every agency, may set any capacity for any worker
  or team, above the policy's figure too (a team much larger than most).

Every override is on the ledger with who set it and why, and listed on ``/capacity/`` for
both. The next sweep judges the figures against it.
"""

from __future__ import annotations

import uuid

from django.db import transaction

from tocsin.domain.casework import rationale_problems
from tocsin.domain.clocks import CAPACITY_MEASURES, OVERRIDABLE, CapacityOverrideSet
from tocsin.domain.concerns import FieldProblem
from tocsin.ledger import Envelope
from tocsin.server.actors import Actor, Invalid, NotVisible, SystemActor, actor_id, require_role
from tocsin.server.clocks.sweep import clocks_policy
from tocsin.server.directory.models import Team, User
from tocsin.server.ledger.recording import record_event

__all__ = ["CASE_ROLES", "MAX_THRESHOLD", "OVERRIDE_ROLES", "REASON_NEEDED", "do_set_capacity"]

#: Who may set a named worker's or team's capacity (the partnership without the ceiling).
OVERRIDE_ROLES = ("head_of_service", "partnership_scrutineer")
#: The largest threshold anyone may set (a bound, not a policy).
MAX_THRESHOLD = 10_000
REASON_NEEDED = "Say why this capacity differs from the policy's; your reason is kept on the ledger"
_NO_SUCH = "no such worker or team, or not one of your agency's"
#: The people who carry cases (whose caseload is measured).
CASE_ROLES = (
    "practitioner",
    "team_manager",
    "head_of_service",
    "mash_officer",
    "mash_manager",
    "police_officer",
)


def _target(scope: str, scope_id: str) -> tuple[str, str]:
    """The worker or team (its id as text) and its agency's id; NotVisible if there is none."""
    try:
        key = uuid.UUID(str(scope_id))
    except ValueError:
        raise NotVisible(_NO_SUCH) from None
    if scope == "worker":
        person = User.objects.filter(pk=key, role__in=CASE_ROLES, agency__isnull=False).first()
        if person is None:
            raise NotVisible(_NO_SUCH)
        return str(person.pk), str(person.agency_id)
    team = Team.objects.filter(pk=key).first()
    if team is None:
        raise NotVisible(_NO_SUCH)
    return str(team.pk), str(team.agency_id)


def do_set_capacity(
    scope: str,
    scope_id: str,
    measure: str,
    threshold: int | None,
    reason: str,
    *,
    actor: Actor,
) -> Envelope:
    """Set the capacity (``threshold``) of ``measure`` for the worker or team ``scope_id``,
    or remove its override with ``threshold=None``, with ``reason``."""
    require_role(actor, *OVERRIDE_ROLES)
    spec = clocks_policy().capacity
    if spec is None:
        raise Invalid([FieldProblem("threshold", "The clocks policy in force sets no capacities")])
    if scope not in OVERRIDABLE:
        raise Invalid([FieldProblem("scope", "Choose a worker or a team")])
    if measure not in OVERRIDABLE[scope]:
        allowed = ", ".join(CAPACITY_MEASURES[m].lower() for m in OVERRIDABLE[scope])
        raise Invalid([FieldProblem("measure", f"For a {scope}, choose one of: {allowed}")])
    with transaction.atomic():
        target, agency = _target(scope, scope_id)
        if isinstance(actor, SystemActor):
            partnership = True
        else:
            partnership = actor.role == "partnership_scrutineer"
            if not partnership and agency != str(actor.agency_id):
                raise NotVisible(_NO_SUCH)
        problems: list[FieldProblem] = []
        policy_figure = spec.threshold(scope, measure)
        if threshold is not None:
            if isinstance(threshold, bool) or not 1 <= threshold <= MAX_THRESHOLD:
                problems.append(
                    FieldProblem("threshold", f"Enter a whole number from 1 to {MAX_THRESHOLD}")
                )
            elif threshold > policy_figure and not partnership:
                problems.append(
                    FieldProblem(
                        "threshold",
                        f"Enter {policy_figure} or less: only the partnership can set a "
                        f"capacity above the policy's figure ({policy_figure}), so that an "
                        "alarm about a service cannot be silenced from inside it",
                    )
                )
        reasons = rationale_problems(reason) if reason.strip() else [REASON_NEEDED]
        problems += [FieldProblem("reason", p) for p in reasons]
        if problems:
            raise Invalid(problems)
        event = CapacityOverrideSet(
            scope=scope,
            scope_id=target,
            agency_id=agency,
            measure=measure,
            threshold=threshold,
            reason=reason.strip(),
        )
        return record_event(event, actor_id=actor_id(actor))
