"""References people can read out, and follow-up codes for anonymous reporters."""

from __future__ import annotations

import hashlib
import secrets

__all__ = ["follow_up_code_hash", "new_follow_up_code", "new_reference"]

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: a reference read over the phone must not be misheard.
_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"


def new_reference() -> str:
    """A concern's reference, e.g. ``TOC-7K3M-PQ4X`` (about 37 bits: unique in practice; the
    recording action still checks)."""
    body = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"TOC-{body[:4]}-{body[4:]}"


def new_follow_up_code() -> str:
    """A random 16-character code (about 74 bits) an anonymous reporter keeps to add
    information later without an account. Only its hash is stored."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(16))


def follow_up_code_hash(code: str) -> str:
    """What Tocsin keeps of a follow-up code; spaces, dashes and case are ignored."""
    normalised = "".join(code.split()).replace("-", "").upper()
    return hashlib.sha256(f"tocsin-follow-up:{normalised}".encode()).hexdigest()
