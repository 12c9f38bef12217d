"""Sign-in events change no projection: they are kept on the ledger only, where
``tocsin events --kind sign_in.failed`` (or ``sign_in.locked_out``) lists them."""

from __future__ import annotations

from tocsin.domain.signin import (
    SecondFactorRemoved,
    SignInFailed,
    SignInLockedOut,
    SignInUnlocked,
)
from tocsin.ledger import Envelope
from tocsin.server.projections import ProjectionSession, applies


@applies(SignInFailed)
def apply_sign_in_failed(
    event: SignInFailed, envelope: Envelope, session: ProjectionSession
) -> None:
    """Nothing to project."""


@applies(SignInLockedOut)
def apply_sign_in_locked_out(
    event: SignInLockedOut, envelope: Envelope, session: ProjectionSession
) -> None:
    """Nothing to project."""


@applies(SignInUnlocked)
def apply_sign_in_unlocked(
    event: SignInUnlocked, envelope: Envelope, session: ProjectionSession
) -> None:
    """Nothing to project: axes's own tables hold the lockouts, and the action clears them."""


@applies(SecondFactorRemoved)
def apply_second_factor_removed(
    event: SecondFactorRemoved, envelope: Envelope, session: ProjectionSession
) -> None:
    """Nothing to project: allauth's table holds second factors, and the action deletes them."""
