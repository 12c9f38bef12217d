"""Permissions beyond being signed in.

:class:`RecentlyAuthenticated` guards the API's sensitive actions (signing off) as
``reauthentication_required`` guards their pages: a request signed in by the web's session
must come from someone who proved who they are within the last five minutes, or it is refused
(403, ``{"errors": [...]}``) before its body is read. A request signed in by an API token is
let through: the token is a credential of its own, issued for this, and its scope (read or
write) has already been checked when it signed the request in.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from tocsin.server.directory.models import ApiToken
from tocsin.server.signin.reauth import recently_authenticated

__all__ = ["RecentlyAuthenticated", "reauthenticate_message"]


def reauthenticate_message() -> str:
    """What a session that last proved who it is too long ago is told to do."""
    minutes = max(1, settings.ACCOUNT_REAUTHENTICATION_TIMEOUT // 60)
    return (
        f"Confirm who you are first: this action needs you to have signed in within the "
        f"last {minutes} minutes. Sign in again (or confirm it is you at "
        f"/accounts/reauthenticate/) in the same session, then send the request again. "
        f"A program should use an API token instead."
    )


class RecentlyAuthenticated(BasePermission):
    """A token's request, or a session's whose person proved who they are recently."""

    @property
    def message(self) -> str:
        return reauthenticate_message()

    def has_permission(self, request: Request, view: Any) -> bool:
        if isinstance(request.auth, ApiToken):
            return True
        return recently_authenticated(request._request)
