"""Session expiry and the second factor, checked on every request after authentication."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse

#: Session keys: when this session signed in, and when it last made a request (epoch seconds).
SIGNED_IN_AT = "tocsin_signed_in_at"
LAST_SEEN_AT = "tocsin_last_seen_at"
#: How stale the last-seen time may be before it is written again (saves a write a request).
_SEEN_GRANULARITY = 30


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


class SessionExpiryMiddleware:
    """Sign out a session idle for ``TOCSIN_IDLE_TIMEOUT`` seconds, and any session
    ``TOCSIN_SESSION_LIMIT`` seconds after it signed in, however active."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            expired = self._expired(request)
            if expired:
                logout(request)
                if _wants_json(request):
                    message = "Your session has ended; sign in again."
                    return JsonResponse({"errors": [{"field": "", "message": message}]}, status=401)
                query = urlencode({"expired": expired, "next": request.get_full_path()})
                return HttpResponseRedirect(f"{reverse(settings.LOGIN_URL)}?{query}")
        return self.get_response(request)

    def _expired(self, request: HttpRequest) -> str:
        """``"idle"``, ``"limit"``, or "" when the session may go on (noting it was seen)."""
        session = request.session
        now = time.time()
        signed_in = session.get(SIGNED_IN_AT)
        last_seen = session.get(LAST_SEEN_AT)
        if signed_in is None:
            # A session from before this check (or a test's force_login): start its clocks.
            session[SIGNED_IN_AT] = session[LAST_SEEN_AT] = now
            return ""
        if now - float(signed_in) > settings.TOCSIN_SESSION_LIMIT:
            return "limit"
        if last_seen is not None and now - float(last_seen) > settings.TOCSIN_IDLE_TIMEOUT:
            return "idle"
        if last_seen is None or now - float(last_seen) >= _SEEN_GRANULARITY:
            session[LAST_SEEN_AT] = now
        return ""


#: Paths a signed-in person without a second factor may still reach: setting one up, signing
#: out, and the static files those pages use.
_OPEN_WITHOUT_MFA = ("/accounts/2fa/", "/accounts/reauthenticate/", "/accounts/logout/")


class RequireMFAMiddleware:
    """With ``TOCSIN_MFA_REQUIRED``, a signed-in person who has not set up a second factor
    reaches no page but the one that sets it up (and the API answers 403)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.TOCSIN_MFA_REQUIRED
            and request.user.is_authenticated
            and not self._open(request.path)
        ):
            from allauth.mfa.utils import is_mfa_enabled

            if not is_mfa_enabled(request.user):
                if _wants_json(request):
                    message = "Set up a second factor (Account, Two-step sign-in) first."
                    return JsonResponse({"errors": [{"field": "", "message": message}]}, status=403)
                return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    @staticmethod
    def _open(path: str) -> bool:
        static = "/" + settings.STATIC_URL.lstrip("/")
        return (
            path.startswith(_OPEN_WITHOUT_MFA)
            or path.startswith(static)
            or path == reverse("web:sign-out")
        )
