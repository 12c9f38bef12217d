"""The event envelope: what a leaf of the tree holds, and the salted commitment to its payload.

The leaf is the canonical JSON of ``{v, seq, time, kind, actor, subjects, commitment}``. The
payload is not in the leaf: ``commitment = SHA-256(salt ‖ canonical payload)`` binds it, and the
32-byte random salt stops anyone confirming a guessed payload from the hash. Payload and salt are
kept apart from the leaf so that, at the end of retention, both can be erased while the leaf, and
so every proof, stays valid.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tocsin.ledger._canonical import canonical_json, parse_canonical_json

__all__ = [
    "SALT_SIZE",
    "Envelope",
    "EnvelopeError",
    "SealedPayload",
    "format_event_time",
    "seal_payload",
]

SALT_SIZE = 32
_KIND = re.compile(r"^[a-z][a-z_]*(\.[a-z][a-z_]*)+$")
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
_COMMITMENT = re.compile(r"^[0-9a-f]{64}$")
_MAX_EXACT = 2**53  # beyond this a JSON number is not read back exactly by every verifier
_KEYS = frozenset({"v", "seq", "time", "kind", "actor", "subjects", "commitment"})


class EnvelopeError(ValueError):
    """A leaf is not a well-formed event envelope; the message says what is wrong."""


def format_event_time(moment: datetime) -> str:
    """RFC 3339 in UTC with microseconds, the one time format a leaf may carry."""
    if moment.tzinfo is None:
        raise EnvelopeError("event times must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class SealedPayload:
    """A payload in canonical form with the salt that hides it and the resulting commitment."""

    salt: bytes
    body: bytes

    @property
    def commitment(self) -> str:
        return hashlib.sha256(self.salt + self.body).hexdigest()

    def decode(self) -> dict[str, Any]:
        value = parse_canonical_json(self.body)
        if not isinstance(value, dict):
            raise EnvelopeError("a payload must be a JSON object")
        return value


def seal_payload(payload: dict[str, Any], salt: bytes | None = None) -> SealedPayload:
    """Canonicalise ``payload`` and pair it with a fresh random salt (or the one given)."""
    if not isinstance(payload, dict):
        raise EnvelopeError("a payload must be a dict")
    chosen = secrets.token_bytes(SALT_SIZE) if salt is None else salt
    if len(chosen) != SALT_SIZE:
        raise EnvelopeError(f"a salt must be {SALT_SIZE} bytes")
    return SealedPayload(salt=chosen, body=canonical_json(payload))


@dataclass(frozen=True)
class Envelope:
    """One event as the tree sees it. ``v`` is the version of the event kind's payload schema."""

    v: int
    seq: int
    time: str
    kind: str
    actor: str
    subjects: tuple[str, ...]
    commitment: str

    def __post_init__(self) -> None:
        problems = []
        if type(self.v) is not int or not 1 <= self.v <= _MAX_EXACT:
            problems.append("v must be a positive integer")
        if type(self.seq) is not int or not 0 <= self.seq <= _MAX_EXACT:
            problems.append("seq must be a non-negative integer")
        if not isinstance(self.time, str) or not _TIME.match(self.time):
            problems.append("time must be UTC with microseconds, like 2026-01-31T09:00:00.000000Z")
        if not isinstance(self.kind, str) or not _KIND.match(self.kind):
            problems.append("kind must be a dotted lower-case name such as agency.registered")
        if not isinstance(self.actor, str) or not self.actor:
            problems.append("actor must be a non-empty string")
        if not isinstance(self.subjects, tuple) or not all(
            isinstance(s, str) and s for s in self.subjects
        ):
            problems.append("subjects must be a list of non-empty strings")
        if not isinstance(self.commitment, str) or not _COMMITMENT.match(self.commitment):
            problems.append("commitment must be 64 lower-case hex digits")
        if problems:
            raise EnvelopeError("; ".join(problems))

    def leaf(self) -> bytes:
        """The leaf data: canonical JSON bytes (the tree hashes ``0x00 ‖ leaf``).

        ``__post_init__`` has checked every member's type: ASCII keys, integers within the
        exact range of a double, strings and a list of strings. For such a document Python's
        C encoder with sorted keys writes exactly the RFC 8785 bytes; a test holds the two
        to each other.
        """
        return json.dumps(
            {
                "v": self.v,
                "seq": self.seq,
                "time": self.time,
                "kind": self.kind,
                "actor": self.actor,
                "subjects": list(self.subjects),
                "commitment": self.commitment,
            },
            ensure_ascii=False,
            separators=(",", ":"),
            sort_keys=True,
        ).encode("utf-8", "surrogatepass")

    @classmethod
    def parse(cls, leaf: bytes) -> Envelope:
        """Read a leaf, insisting on canonical form and on exactly the envelope's members."""
        try:
            value = json.loads(leaf.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise EnvelopeError(f"a leaf must be UTF-8 JSON: {exc}") from None
        if not isinstance(value, dict):
            raise EnvelopeError("a leaf must be a JSON object")
        if set(value) != _KEYS:
            extra = sorted(set(value) - _KEYS)
            missing = sorted(_KEYS - set(value))
            raise EnvelopeError(f"leaf members differ: extra {extra}, missing {missing}")
        subjects = value["subjects"]
        if not isinstance(subjects, list):
            raise EnvelopeError("subjects must be a list")
        envelope = cls(
            v=value["v"],
            seq=value["seq"],
            time=value["time"],
            kind=value["kind"],
            actor=value["actor"],
            subjects=tuple(subjects),
            commitment=value["commitment"],
        )
        if envelope.leaf() != leaf:
            raise EnvelopeError("the leaf is valid JSON but not in RFC 8785 canonical form")
        return envelope
