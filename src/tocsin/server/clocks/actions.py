"""Clock actions: the partnership closing a level-3 escalation, with its reason.

Lower levels end when the obligation is met (a decision recorded, a meeting held); the top of
the ladder is outside the agency, and only the partnership's scrutineer may close it without
the obligation being met. The reason is kept on the ledger (``escalation.closed``), and the
clock engine treats the event as ending the obligation: the next sweep drops it.
"""

from __future__ import annotations

from django.db import transaction

from tocsin.domain.casework import rationale_problems, roles_for
from tocsin.domain.clocks import EscalationClosed
from tocsin.domain.concerns import FieldProblem
from tocsin.ledger import Envelope
from tocsin.server.actors import Actor, Invalid, NotVisible, actor_id, require_role
from tocsin.server.clocks.models import Escalation, OpenObligation
from tocsin.server.concerns.gates import actor_may_reach_concern
from tocsin.server.ledger.recording import record_event

__all__ = ["REASON_NEEDED", "TOP_LEVEL", "do_close_escalation"]

#: The level only the partnership closes (DESIGN.md, "Clocks").
TOP_LEVEL = 3
REASON_NEEDED = "Say why you close this escalation; your reason is kept on the ledger"
_NO_SUCH = "no such escalation, or you do not have access to it"


def do_close_escalation(
    escalation_id: str,
    reason: str,
    *,
    level: int | None = None,
    actor: Actor,
) -> Envelope:
    """Close the level-3 escalation ``escalation_id`` ("<obligation id>:3", or the obligation's
    id with ``level``) with ``reason``. Only the partnership's scrutineer may; the reason must
    say something of substance (as a decision's does); a closed escalation stays closed."""
    require_role(actor, *roles_for("close_escalation"))
    key = f"{escalation_id}:{level}" if level is not None else str(escalation_id)
    with transaction.atomic():
        escalation = Escalation.objects.filter(pk=key).first()
        if escalation is None or escalation.concern_id is None:
            raise NotVisible(_NO_SUCH)
        concern = actor_may_reach_concern(actor, escalation.concern_id)
        if escalation.level != TOP_LEVEL:
            raise Invalid(
                [
                    FieldProblem(
                        "escalation",
                        "Only a level-3 escalation is closed by the partnership; lower levels "
                        "end when the obligation is met",
                    )
                ]
            )
        if escalation.closed_seq is not None:
            raise Invalid([FieldProblem("escalation", "This escalation is already closed")])
        if not OpenObligation.objects.filter(pk=escalation.obligation_id).exists():
            raise Invalid(
                [FieldProblem("escalation", "The obligation has been met: nothing is waiting")]
            )
        problems = rationale_problems(reason) if reason.strip() else [REASON_NEEDED]
        if problems:
            raise Invalid([FieldProblem("reason", p) for p in problems])
        event = EscalationClosed(
            obligation_id=escalation.obligation_id,
            obligation=escalation.obligation,
            concern_id=str(concern.pk),
            level=escalation.level,
            reason=reason.strip(),
        )
        return record_event(event, actor_id=actor_id(actor))
