"""Re-authentication before sensitive actions.

Wrap a view that signs off a decision, expunges a record, places or lifts a legal hold, or
changes someone's role or account::

    @login_required
    @reauthentication_required
    def sign_off(request, decision_id): ...

When the person last proved who they are (password, second factor or single sign-on) more
than ``ACCOUNT_REAUTHENTICATION_TIMEOUT`` seconds ago (five minutes), allauth asks again and
then carries on with the request, a POST included. Tests that sign in with ``force_login``
turn this off with the Django setting ``TOCSIN_REAUTHENTICATE = False``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from allauth.account.decorators import reauthentication_required as _allauth_required
from django.conf import settings
from django.http import HttpRequest

__all__ = ["reauthentication_required"]

_View = TypeVar("_View", bound=Callable[..., Any])


def _enabled(request: HttpRequest) -> bool:
    return bool(getattr(settings, "TOCSIN_REAUTHENTICATE", True))


def reauthentication_required(view: _View) -> _View:
    """Ask the signed-in person to prove who they are again before ``view`` runs, unless they
    did within the last five minutes (GET included: the form itself shows the action)."""
    return _allauth_required(view, enabled=_enabled)  # type: ignore[no-any-return]
