"""Actions on retention: placing and lifting legal holds, expunging a record."""

from __future__ import annotations

import uuid

from django.db import transaction

from tocsin.domain.records import EVERYTHING, LegalHoldLifted, LegalHoldPlaced, RecordExpunged
from tocsin.ledger import Envelope
from tocsin.server.actors import ActionRefused, Actor, actor_id, require_role
from tocsin.server.ledger.models import Expunction, LedgerLeaf, LegalHold
from tocsin.server.ledger.recording import record_event
from tocsin.server.ledger.store import DatabaseStore

__all__ = ["do_expunge_record", "do_lift_legal_hold", "do_place_legal_hold"]


def _require_reason(reason: str) -> str:
    cleaned = reason.strip()
    if not cleaned:
        raise ActionRefused("give a reason; it is kept on the ledger")
    return cleaned


def do_place_legal_hold(scope: str, reason: str, *, actor: Actor) -> Envelope:
    """Stop ``scope`` (a subject such as ``user:<id>``, or ``*`` for everything) being expunged."""
    require_role(actor, "administrator")
    if scope != EVERYTHING and ":" not in scope:
        raise ActionRefused("a hold's scope is a subject like user:<id>, or * for everything")
    event = LegalHoldPlaced(hold_id=str(uuid.uuid4()), scope=scope, reason=_require_reason(reason))
    return record_event(event, actor_id=actor_id(actor))


def do_lift_legal_hold(hold_id: str, reason: str, *, actor: Actor) -> Envelope:
    require_role(actor, "administrator")
    hold = LegalHold.objects.filter(pk=hold_id).first()
    if hold is None:
        raise ActionRefused(f"no legal hold {hold_id}")
    if not hold.active:
        raise ActionRefused(f"legal hold {hold_id} was already lifted")
    event = LegalHoldLifted(hold_id=hold_id, reason=_require_reason(reason))
    return record_event(event, actor_id=actor_id(actor))


def do_expunge_record(
    subject: str, reason: str, *, actor: Actor, using: str = "default"
) -> Envelope:
    """Erase the payloads (and salts) of every event belonging to ``subject``; the leaves stay,
    so every proof still verifies. Refused while a legal hold covers the subject."""
    require_role(actor, "administrator")
    cleaned = _require_reason(reason)
    with transaction.atomic(using=using):
        # Inside the transaction, so no event for the subject can slip in between.
        DatabaseStore(using, for_update=True).head()
        holds = LegalHold.objects.using(using).filter(
            scope__in=[subject, EVERYTHING], lifted_seq__isnull=True
        )
        if holds.exists():
            raise ActionRefused(f"{subject} is under a legal hold and cannot be expunged")
        if Expunction.objects.using(using).filter(subject=subject).exists():
            raise ActionRefused(f"{subject} has already been expunged")
        leaves = LedgerLeaf.objects.using(using).filter(subject=subject)
        seqs = list(leaves.order_by("seq").values_list("seq", flat=True))
        if not seqs:
            raise ActionRefused(f"no events belong to {subject}")
        DatabaseStore(using).erase_payloads(seqs)
        event = RecordExpunged(
            expunction_id=str(uuid.uuid4()), subject=subject, seqs=seqs, reason=cleaned
        )
        return record_event(event, actor_id=actor_id(actor), using=using)
