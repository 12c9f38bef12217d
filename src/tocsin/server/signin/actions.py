"""Lifting sign-in lockouts early, and removing a lost second factor, each an event with a
reason."""

from __future__ import annotations

import uuid

from axes.utils import reset
from django.db import transaction

from tocsin.domain.signin import SecondFactorRemoved, SignInUnlocked
from tocsin.server.actors import ActionRefused, Actor, actor_id, require_role
from tocsin.server.directory.models import User
from tocsin.server.ledger.recording import record_event

__all__ = ["do_lift_lockout", "do_remove_second_factor"]


def do_lift_lockout(user: User | None, reason: str, *, actor: Actor) -> int:
    """Clear the failed sign-ins counted against ``user``'s account (or, with ``None``,
    against every account and client); return how many counters were cleared."""
    require_role(actor, "administrator")
    if not reason.strip():
        raise ActionRefused("give a reason; it is kept on the ledger")
    event = SignInUnlocked(
        unlock_id=str(uuid.uuid4()),
        user_id=str(user.pk) if user is not None else None,
        reason=reason.strip(),
    )
    with transaction.atomic():
        record_event(event, actor_id=actor_id(actor))
        cleared = reset(username=user.username) if user is not None else reset()
    return int(cleared)


def do_remove_second_factor(user: User, reason: str, *, actor: Actor) -> int:
    """Delete ``user``'s authenticator app and recovery codes (they lost their phone and
    their codes); with ``TOCSIN_MFA_REQUIRED`` they set up a new one at their next sign-in.
    Return how many authenticators were removed."""
    from allauth.mfa.models import Authenticator

    require_role(actor, "administrator")
    if not reason.strip():
        raise ActionRefused("give a reason; it is kept on the ledger")
    authenticators = Authenticator.objects.filter(user_id=user.pk)
    if not authenticators.exists():
        raise ActionRefused(f"{user.username} has no second factor to remove")
    event = SecondFactorRemoved(
        removal_id=str(uuid.uuid4()), user_id=str(user.pk), reason=reason.strip()
    )
    with transaction.atomic():
        record_event(event, actor_id=actor_id(actor))
        removed, _ = authenticators.delete()
    return int(removed)
