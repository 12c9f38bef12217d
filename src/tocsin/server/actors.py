"""Who does things: people (users) and system actors, and the role check actions make."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from tocsin.server.ledger.recording import SystemActor

if TYPE_CHECKING:
    from tocsin.server.directory.models import User

__all__ = ["ActionRefused", "Actor", "SystemActor", "actor_id", "require_role"]

Actor: TypeAlias = "User | SystemActor"


class ActionRefused(Exception):
    """An action's rules refused it; the message is for the person who asked, and nothing
    was written."""


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
