"""The password check: allauth's, except that a closed account is refused like a wrong
password. allauth would show a closed account's "inactive" page when the password is right,
which tells whoever typed it that they had guessed it."""

from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend


class PasswordBackend(AuthenticationBackend):
    """allauth's username-and-password backend without its closed-account page."""

    @classmethod
    def _stash_user(cls, user: Any) -> None:
        return None
