"""The light challenge the public form asks for under attack: a proof of work done by the page,
or, without JavaScript, a short wait.

A challenge is a token signed with the server's secret (``django.core.signing``) holding a
random nonce, when it was issued and how hard it is. The page's own script
(``static/tocsin/proof-of-work.js``) looks for a number ``n`` such that
``SHA-256(token + ":" + n)`` begins with ``bits`` zero bits, while the reporter types, and sends
it with the form. A browser without JavaScript sends the token alone, and that is accepted
once ``WAIT_SECONDS`` have passed since it was issued: a person writing a report takes longer
than that, a script throwing junk does not want to. Either way a token is good for one
submission (its nonce is counted in the rate table, and a second use is refused) and for
``LIFETIME`` seconds. Nothing here involves a third party or stores anything about the visitor.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
import time
from dataclasses import dataclass

from django.core import signing
from django.http import QueryDict

from tocsin.server.web import _ratelimit

__all__ = [
    "ANSWER_FIELD",
    "BITS",
    "LIFETIME",
    "TOKEN_FIELD",
    "WAIT_SECONDS",
    "Challenge",
    "Outcome",
    "check",
    "issue",
    "leading_zero_bits",
]

#: Zero bits the hash must start with: about 65,000 hashes on average, a second or two for
#: the page's script on a phone, done while the reporter types.
BITS = 16
#: How long a reporter without JavaScript waits after the page was given them.
WAIT_SECONDS = 20
#: How long a challenge stays good: long enough to write a report.
LIFETIME = 2 * 3600
TOKEN_FIELD = "tocsin_challenge"  # noqa: S105 (a form field's name, not a secret)
ANSWER_FIELD = "tocsin_answer"
_SALT = "tocsin.public.challenge"
_MAX_ANSWER_DIGITS = 12


@dataclass(frozen=True)
class Challenge:
    """What the form carries: the token, and how many zero bits its answer needs."""

    token: str
    bits: int


class Outcome(enum.Enum):
    """What :func:`check` made of a submission's challenge."""

    SOLVED = "solved"
    WAITED = "waited"
    TOO_SOON = "too-soon"
    FAILED = "failed"


def issue(*, now: float | None = None) -> Challenge:
    """A fresh challenge for one form."""
    issued = int(time.time() if now is None else now)
    payload = {"n": secrets.token_hex(12), "t": issued, "b": BITS}
    return Challenge(signing.dumps(payload, salt=_SALT), BITS)


def leading_zero_bits(digest: bytes) -> int:
    """How many zero bits ``digest`` starts with."""
    bits = 0
    for byte in digest:
        if byte:
            return bits + 8 - byte.bit_length()
        bits += 8
    return bits


def _solved(token: str, answer: str, bits: int) -> bool:
    if not answer.isdigit() or not answer.isascii() or len(answer) > _MAX_ANSWER_DIGITS:
        return False
    digest = hashlib.sha256(f"{token}:{answer}".encode("ascii")).digest()
    return leading_zero_bits(digest) >= bits


def check(form: QueryDict, *, now: float | None = None) -> tuple[Outcome, int]:
    """Judge the challenge sent with ``form``: the outcome, and for ``TOO_SOON`` the seconds
    still to wait. A solved or waited-out challenge is used up by this call."""
    moment = time.time() if now is None else now
    token = form.get(TOKEN_FIELD, "")
    try:
        payload = signing.loads(token, salt=_SALT, max_age=LIFETIME)
        nonce, issued, bits = str(payload["n"]), int(payload["t"]), int(payload["b"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return Outcome.FAILED, 0
    if not 0 <= moment - issued <= LIFETIME:
        return Outcome.FAILED, 0
    answer = form.get(ANSWER_FIELD, "").strip()
    if answer:
        if not _solved(token, answer, bits):
            return Outcome.FAILED, 0
        outcome = Outcome.SOLVED
    else:
        waited = int(moment) - issued
        if waited < WAIT_SECONDS:
            return Outcome.TOO_SOON, WAIT_SECONDS - waited
        outcome = Outcome.WAITED
    # One submission per challenge, whichever way it was met.
    if _ratelimit.count(f"challenge-used:{nonce}", issued + LIFETIME + 60) > 1:
        return Outcome.FAILED, 0
    return outcome, 0
