"""Security events about signing in: failed and locked-out attempts.

A successful sign-in writes nothing (it must not write a projection, and the read it leads to
is recorded by the pages). A failed one is kept, so that repeated guessing is on the ledger for
anyone who checks it. Neither event keeps what was typed, nor the client's address: the client
is named by a keyed digest that lets attempts from one address be grouped and nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass

from tocsin.domain.events import Event

__all__ = ["SecondFactorRemoved", "SignInFailed", "SignInLockedOut", "SignInUnlocked"]


def _subjects(attempt_id: str, user_id: str | None) -> tuple[str, ...]:
    """The account's record first (so expunging a person erases their attempts), else the
    attempt's own."""
    if user_id is None:
        return (f"sign_in:{attempt_id}",)
    return (f"user:{user_id}", f"sign_in:{attempt_id}")


@dataclass(frozen=True)
class SignInFailed(Event):
    kind = "sign_in.failed"
    meaning = (
        "Someone failed to sign in: a wrong password, or a username with no account "
        "(user_id is then null; what was typed is not kept)."
    )
    attempt_id: str
    user_id: str | None
    client: str
    failures: int

    def subjects(self) -> tuple[str, ...]:
        return _subjects(self.attempt_id, self.user_id)


@dataclass(frozen=True)
class SignInLockedOut(Event):
    kind = "sign_in.locked_out"
    meaning = (
        "A sign-in was refused because the account or the client is locked out after repeated "
        "failures (the attempt that reached the limit, then at most one a minute for each "
        "account and client while the lockout lasts)."
    )
    attempt_id: str
    user_id: str | None
    client: str
    failures: int

    def subjects(self) -> tuple[str, ...]:
        return _subjects(self.attempt_id, self.user_id)


@dataclass(frozen=True)
class SignInUnlocked(Event):
    kind = "sign_in.unlocked"
    meaning = (
        "An administrator lifted sign-in lockouts before they ran out: one account's "
        "(user_id), or every account's and client's (user_id null), with their reason."
    )
    unlock_id: str
    user_id: str | None
    reason: str

    def subjects(self) -> tuple[str, ...]:
        return _subjects(self.unlock_id, self.user_id)


@dataclass(frozen=True)
class SecondFactorRemoved(Event):
    kind = "sign_in.second_factor_removed"
    meaning = (
        "An administrator removed a person's second factor (authenticator app and recovery "
        "codes), with their reason, so that they set up a new one at their next sign-in."
    )
    removal_id: str
    user_id: str
    reason: str

    def subjects(self) -> tuple[str, ...]:
        return _subjects(self.removal_id, self.user_id)
