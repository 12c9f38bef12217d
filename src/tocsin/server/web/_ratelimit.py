"""Rate limits for the public pages, in the database, without any IP address.

Every count is a row of ``web_rate_count`` (:class:`~tocsin.server.web.models.RateCount`),
raised by one ``INSERT … ON CONFLICT … DO UPDATE … RETURNING`` statement, which is atomic on
SQLite and PostgreSQL alike: every server process sees the same counts, and a restart forgets
nothing. Windows are fixed (an hour for limits, ten minutes for spotting a flood).

Who made an attempt is a keyed hash (``salted_hmac`` with the server's secret) of either the
client's address or the session key, so the table never holds either; a row is deleted once
its window is over.

Two kinds of attempt are counted apart, so that junk can never use up what genuine reporters
need (docs/web.md, "Rate limits"):

- **accepted attempts** (a report that passed validation, a follow-up or progress look) count
  against :class:`Limit` per session and per client, and over either limit are refused;
- **invalid attempts** (form errors, empty posts, a missing or failed challenge) are never
  refused for being many: they are counted per session, per client and for the whole service,
  and enough of them make the page ask for a proof of work (``_challenge``), from that client
  or, in a flood, from everyone.

Nothing is counted for the whole service against a limit that refuses, so no flood can switch
the route off for people it did not come from.
"""

from __future__ import annotations

import ipaddress
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

__all__ = [
    "FLOOD",
    "FOLLOW_UP",
    "REPORT",
    "SUSPECT",
    "Limit",
    "allow",
    "challenge_due",
    "client_address",
    "count",
    "note_invalid",
]


@dataclass(frozen=True)
class Limit:
    """At most ``per_session`` accepted attempts from one session and ``per_client`` from one
    client address in ``window`` seconds."""

    action: str
    per_session: int
    per_client: int
    window: int = 3600


#: A shared address (a school, a library, a phone network) may carry several reporters.
REPORT = Limit("public-report", per_session=5, per_client=30)
FOLLOW_UP = Limit("public-follow-up", per_session=10, per_client=30)


@dataclass(frozen=True)
class Threshold:
    """Invalid attempts in ``window`` seconds from one session or client (``per_session``,
    ``per_client``), or from everyone (``overall``), from which the page asks for a proof of
    work."""

    per_session: int
    per_client: int
    overall: int
    window: int


#: The invalid attempts at which a challenge is asked: from that session or client after a few
#: more mistakes than a person makes, and from everyone during a flood.
SUSPECT = Threshold(per_session=8, per_client=12, overall=60, window=3600)
#: The window in which the whole service's invalid attempts are watched for a flood.
FLOOD = 600

_COUNTED = "tocsin-public-counted"
#: One in this many counts also deletes the rows whose window is over.
_PRUNE_ONE_IN = 200


def client_address(request: HttpRequest) -> str:
    """The client's address: the connecting one, or, when that is a trusted proxy
    (``TOCSIN_TRUSTED_PROXIES``), the nearest ``X-Forwarded-For`` entry that is not. An IPv6
    client is its /64, which one household or phone usually holds whole."""
    trusted = set(getattr(settings, "TOCSIN_TRUSTED_PROXIES", ()))
    address = request.META.get("REMOTE_ADDR", "")
    if address in trusted:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        for hop in reversed([part.strip() for part in forwarded.split(",") if part.strip()]):
            address = hop
            if hop not in trusted:
                break
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _subject(kind: str, value: str) -> str:
    return salted_hmac("tocsin.public.rate", f"{kind}:{value}").hexdigest()[:32]


def _bucket(action: str, subject: str, window: int, now: float) -> tuple[str, int]:
    start = int(now // window) * window
    return f"{action}:{subject}:{start}", start + window


def count(bucket: str, expires_at: int) -> int:
    """Add one to ``bucket`` (creating it at 1) and return its new count, atomically."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO web_rate_count (bucket, count, expires_at) VALUES (%s, 1, %s) "
            "ON CONFLICT (bucket) DO UPDATE SET count = web_rate_count.count + 1 "
            "RETURNING count",
            [bucket, expires_at],
        )
        (value,) = cursor.fetchone()
        if secrets.randbelow(_PRUNE_ONE_IN) == 0:
            cursor.execute("DELETE FROM web_rate_count WHERE expires_at < %s", [int(time.time())])
    return int(value)


def _peek(bucket: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count FROM web_rate_count WHERE bucket = %s", [bucket])
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def _session_subject(request: HttpRequest, *, create: bool) -> str | None:
    key = request.session.session_key
    if key is None and create:
        # An empty session gets no cookie, so it needs something in it to be seen again.
        request.session[_COUNTED] = True
        request.session.save()
        key = request.session.session_key
    return _subject("session", key) if key else None


def allow(request: HttpRequest, limit: Limit) -> bool:
    """Count one accepted attempt at ``limit.action`` for this session and this client; False
    when either is over its limit (refused attempts count too, so hammering does not help)."""
    now = time.time()
    session = _session_subject(request, create=True)
    assert session is not None  # created above
    bucket, expires = _bucket(limit.action, session, limit.window, now)
    if count(bucket, expires) > limit.per_session:
        return False
    client = _subject("client", client_address(request))
    bucket, expires = _bucket(limit.action, client, limit.window, now)
    return count(bucket, expires) <= limit.per_client


def note_invalid(request: HttpRequest, action: str) -> None:
    """Count one invalid attempt at ``action``: for the session (if the visitor has one; a
    fresh cookie jar does not get one made for it), the client and the whole service."""
    now = time.time()
    invalid = f"{action}-invalid"
    session = _session_subject(request, create=False)
    if session is not None:
        count(*_bucket(invalid, session, SUSPECT.window, now))
    count(*_bucket(invalid, _subject("client", client_address(request)), SUSPECT.window, now))
    count(*_bucket(invalid, "everyone", FLOOD, now))


def challenge_due(request: HttpRequest, action: str) -> bool:
    """True when the next attempt at ``action`` must come with a proof of work: this session or
    client has made too many invalid attempts, or the whole service is being flooded with them
    (in this flood window or the one before)."""
    now = time.time()
    invalid = f"{action}-invalid"
    if _peek(_bucket(invalid, "everyone", FLOOD, now)[0]) >= SUSPECT.overall:
        return True
    if _peek(_bucket(invalid, "everyone", FLOOD, now - FLOOD)[0]) >= SUSPECT.overall:
        return True
    client = _subject("client", client_address(request))
    if _peek(_bucket(invalid, client, SUSPECT.window, now)[0]) >= SUSPECT.per_client:
        return True
    session = _session_subject(request, create=False)
    if session is None:
        return False
    return _peek(_bucket(invalid, session, SUSPECT.window, now)[0]) >= SUSPECT.per_session
