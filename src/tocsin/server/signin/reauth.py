"""Re-authentication before sensitive actions.

Wrap a view that signs off a decision, expunges a record, places or lifts a legal hold, or
changes someone's role or account::

    @login_required
    @shows("sign off")
    @reauthentication_required
    def sign_off(request, decision_id): ...

When the person last proved who they are (password, second factor or single sign-on) more
than ``ACCOUNT_REAUTHENTICATION_TIMEOUT`` seconds ago (five minutes), allauth asks again and
then carries on with the request, a POST included. The API cannot show a form, so it asks
:func:`recently_authenticated` instead and refuses (tocsin.server.api.permissions). Tests that
sign in with ``force_login`` turn both off with the Django setting
``TOCSIN_REAUTHENTICATE = False``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast, overload

from allauth.account.decorators import reauthentication_required as _allauth_required
from allauth.account.internal.flows.reauthentication import is_reauthentication_required
from django.conf import settings
from django.http import HttpRequest

from tocsin.server.reads import current_scope

__all__ = ["reauthentication_required", "recently_authenticated"]

_View = TypeVar("_View", bound=Callable[..., Any])


def _enabled(request: HttpRequest) -> bool:
    return bool(getattr(settings, "TOCSIN_REAUTHENTICATE", True))


def recently_authenticated(request: HttpRequest) -> bool:
    """Whether ``request``'s signed-in person proved who they are recently enough for a
    sensitive action: the same question, asked of allauth, that
    :func:`reauthentication_required` asks before a page (always yes when the check is off)."""
    if not _enabled(request):
        return True
    if request.user.is_anonymous:
        return False
    return not is_reauthentication_required(request, app="")


@overload
def reauthentication_required(view: _View, *, allow_get: bool = False) -> _View: ...


@overload
def reauthentication_required(
    view: None = None, *, allow_get: bool = False
) -> Callable[[_View], _View]: ...


def reauthentication_required(
    view: _View | None = None, *, allow_get: bool = False
) -> _View | Callable[[_View], _View]:
    """Ask the signed-in person to prove who they are again before ``view`` runs, unless they
    did within the last five minutes. GET is asked too, since a form usually shows the action
    and whom it is about; ``@reauthentication_required(allow_get=True)`` lets GET through for
    a page whose form is harmless to see (API tokens: only issuing one is sensitive)."""
    if view is None:

        def decorate(later: _View) -> _View:
            return reauthentication_required(later, allow_get=allow_get)

        return decorate
    guarded = _allauth_required(view, allow_get=allow_get, enabled=_enabled)

    @functools.wraps(view)
    def resumable(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        # After "Confirm it is you", allauth replays a suspended POST inside the request that
        # confirmed it; what the page shows is still read for the page's own purpose.
        scope = current_scope()
        purpose = getattr(resumable, "read_purpose", None)
        if scope is not None and purpose:
            scope.purpose = purpose
        return guarded(request, *args, **kwargs)

    return cast(_View, resumable)
