"""Who does things: people (users) and system actors, the role check actions make, and the
refusals actions raise.

Refusals raised by actions (the view or command maps each, so none repeats the action's
checks)::

    ActionRefused        the rules refuse it (a role, a closed account)   → 403
    ├── NotVisible       the record is not there, or outside the actor's  → 404
    │                    need-to-know (one answer to both)
    └── Invalid          what was asked is wrong, field by field          → 400, each
        │                (``problems``: a list of :class:`FieldProblem`)     problem at its field
        └── ConcernInvalid   (tocsin.server.concerns.actions) a concern draft's problems

Nothing is written when any of them is raised.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeAlias

from tocsin.domain.concerns import FieldProblem
from tocsin.server.ledger.recording import SystemActor

if TYPE_CHECKING:
    from tocsin.server.directory.models import User

__all__ = [
    "PUBLIC",
    "ActionRefused",
    "Actor",
    "Invalid",
    "NotVisible",
    "SystemActor",
    "actor_id",
    "require_role",
]

Actor: TypeAlias = "User | SystemActor"

#: Someone reporting through the public pages, without an account.
PUBLIC = SystemActor("public-reporting")


class ActionRefused(Exception):
    """An action's rules refused it; the message is for the person who asked, and nothing
    was written."""


class NotVisible(ActionRefused):
    """The record does not exist, or this person may not see it (the same answer to both, so
    that asking cannot reveal that a record exists). Interfaces answer 404."""


class Invalid(ActionRefused):
    """What was asked has problems; ``problems`` names each field and what to do. Interfaces
    show each problem at its field (a form's error summary, an API's 400 with field errors)."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in self.problems))


def actor_id(actor: Actor) -> str:
    """The actor as the ledger names it: ``user:<uuid>`` or ``system:<name>``."""
    if isinstance(actor, SystemActor):
        return actor.actor_id
    return f"user:{actor.pk}"


def require_role(actor: Actor, *roles: str) -> None:
    """Refuse unless ``actor`` is active and holds one of ``roles``.

    System actors (the command line run by whoever administers the server, the demo) may do
    anything an administrator may.
    """
    if isinstance(actor, SystemActor):
        return
    if not actor.is_active:
        raise ActionRefused("this account is closed")
    if actor.role not in roles:
        raise ActionRefused(f"only a user with the role {' or '.join(roles)} may do this")
