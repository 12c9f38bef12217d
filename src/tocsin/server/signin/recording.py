"""Failed and locked-out sign-ins, appended to the ledger as they happen.

django-axes counts failures per account and per client (in its own tables) and decides when to
lock out; this module only records. Its receiver runs after axes's (the ``axes`` app comes
first in ``INSTALLED_APPS``), so it can see whether axes has locked the attempt out.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import time
import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.dispatch import receiver
from django.http import HttpRequest

from tocsin.domain.signin import SignInFailed, SignInLockedOut
from tocsin.server.ledger.recording import record_event
from tocsin.server.web._ratelimit import client_address as connecting_address

__all__ = ["REFUSALS_RECORDED_EVERY", "SIGN_IN_ACTOR", "client_address"]

#: The ledger's actor for sign-in events: nobody is signed in when they happen.
SIGN_IN_ACTOR = "system:sign-in"
#: While a lockout lasts, one refused attempt per account and client is recorded in this many
#: seconds (per server process), so that a flood of attempts cannot fill the ledger.
REFUSALS_RECORDED_EVERY = 60


def client_address(request: HttpRequest) -> str:
    """A stand-in for the client's address that groups its attempts without revealing it: a
    keyed digest of the address, written as an IPv6 address in the private fd00::/8 range so
    that axes can keep it where it would keep the address itself (AXES_CLIENT_IP_CALLABLE)."""
    # The public pages' reading of the address (TOCSIN_TRUSTED_PROXIES), so one setting
    # says which proxies to believe.
    address = connecting_address(request)
    digest = hmac.new(
        settings.SECRET_KEY.encode(), b"tocsin-client:" + address.encode(), hashlib.sha256
    ).digest()
    return str(ipaddress.IPv6Address(b"\xfd" + digest[:15]))


@receiver(user_login_failed, dispatch_uid="tocsin-sign-in-failed")
def record_failed_sign_in(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """Append ``sign_in.failed``, or ``sign_in.locked_out`` when axes has locked it out."""
    if request is None:  # authenticate() called outside a request: nothing to attribute
        return
    from tocsin.server.directory.models import User

    username = credentials.get("username") or credentials.get("login")
    user_id = None
    if isinstance(username, str) and username:
        found = User.objects.filter(username=username).values_list("pk", flat=True).first()
        user_id = str(found) if found is not None else None
    locked = bool(getattr(request, "axes_locked_out", False))
    client = client_address(request)
    failures = int(getattr(request, "axes_failures_since_start", 0) or 0)
    # axes counts attempts made during a lockout too (each one restarts it): past the limit,
    # the lockout was already in force.
    refused_while_locked = locked and failures > settings.AXES_FAILURE_LIMIT
    if refused_while_locked and not cache.add(
        f"tocsin-sign-in-refused:{user_id}:{client}", True, timeout=REFUSALS_RECORDED_EVERY
    ):
        return
    kind = SignInLockedOut if locked else SignInFailed
    event = kind(
        attempt_id=str(uuid.uuid4()),
        user_id=user_id,
        client=client,
        failures=failures,
    )
    record_event(event, actor_id=SIGN_IN_ACTOR)


@receiver(user_logged_in, dispatch_uid="tocsin-session-clocks")
def start_session_clocks(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    """A sign-in starts the session's absolute and idle clocks (``middleware``)."""
    if request is None or not hasattr(request, "session"):
        return
    from tocsin.server.signin.middleware import LAST_SEEN_AT, SIGNED_IN_AT

    now = time.time()
    request.session[SIGNED_IN_AT] = request.session[LAST_SEEN_AT] = now
