"""Witness cosignatures, C2SP ``tlog-cosignature`` type ``cosignature/v1`` (Ed25519, 0x04).

A cosignature is a note signature line whose bytes are
``key ID ‖ u64 big-endian timestamp ‖ Ed25519 signature`` over
``"cosignature/v1\\ntime <t>\\n" ‖ checkpoint body``. It states: at time t, this is the largest
tree consistent with everything the witness has seen for the log. ML-DSA-44 cosignatures
(type 0x06) are not verified here; in a note they are signatures from unknown keys.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from tocsin.ledger._note import (
    SIGNATURE_TYPE_COSIGNATURE_V1,
    KeyFormatError,
    NoteError,
    NoteSignature,
    Verifier,
    ed25519_vkey,
    is_valid_key_name,
    key_id,
    parse_note,
)

__all__ = [
    "COSIGNATURE_V1_HEADER",
    "MAX_TIMESTAMP",
    "Cosignature",
    "CosignatureError",
    "CosignatureSigner",
    "CosignatureVerifier",
    "cosign",
    "cosignature_message",
    "verify_cosignatures",
]

COSIGNATURE_V1_HEADER = "cosignature/v1"
MAX_TIMESTAMP = 2**63 - 1
_SIGNATURE_SIZE = 64


class CosignatureError(NoteError):
    """A cosignature is malformed, does not verify, or there are too few of them."""


def cosignature_message(body: str, timestamp: int) -> bytes:
    """The bytes a ``cosignature/v1`` signs: header, time line, then the checkpoint body."""
    if not 0 <= timestamp <= MAX_TIMESTAMP:
        raise CosignatureError(
            f"a cosignature timestamp must be between 0 and 2^63-1, not {timestamp}"
        )
    if not body.endswith("\n"):
        raise CosignatureError("a checkpoint body must end with a newline")
    return f"{COSIGNATURE_V1_HEADER}\ntime {timestamp}\n{body}".encode()


@dataclass(frozen=True)
class Cosignature:
    """A decoded ``cosignature/v1`` line: who, when, and the raw Ed25519 signature."""

    name: str
    key_id: int
    timestamp: int
    signature: bytes

    @classmethod
    def from_note_signature(cls, note_signature: NoteSignature) -> Cosignature:
        """Split a note signature into timestamp and Ed25519 signature, checking sizes."""
        raw = note_signature.signature
        if len(raw) != 8 + _SIGNATURE_SIZE:
            raise CosignatureError(
                f"the cosignature by {note_signature.name} is {len(raw)} bytes, not 72 "
                "(an 8-byte time and a 64-byte Ed25519 signature)"
            )
        timestamp = int.from_bytes(raw[:8], "big")
        if timestamp > MAX_TIMESTAMP:
            raise CosignatureError(
                f"the cosignature by {note_signature.name} has a time above 2^63-1"
            )
        return cls(note_signature.name, note_signature.key_id, timestamp, raw[8:])

    @property
    def note_signature(self) -> NoteSignature:
        return NoteSignature(
            self.name, self.key_id, self.timestamp.to_bytes(8, "big") + self.signature
        )

    @property
    def line(self) -> str:
        """The signature line (``— name base64...``), ending in a newline."""
        return self.note_signature.line


@dataclass(frozen=True)
class CosignatureVerifier:
    """Verifies ``cosignature/v1`` signatures by one witness key (a note :class:`Verifier`)."""

    name: str
    public_key: bytes
    key_id: int = field(init=False)

    def __post_init__(self) -> None:
        if not is_valid_key_name(self.name):
            raise KeyFormatError(f"the key name {self.name!r} is empty or contains a space")
        if len(self.public_key) != 32:
            raise KeyFormatError(f"an Ed25519 public key is 32 bytes, not {len(self.public_key)}")
        object.__setattr__(
            self, "key_id", key_id(self.name, SIGNATURE_TYPE_COSIGNATURE_V1, self.public_key)
        )

    @property
    def vkey(self) -> str:
        return ed25519_vkey(self.name, self.public_key, SIGNATURE_TYPE_COSIGNATURE_V1)

    def verify(self, text: bytes, signature: bytes) -> bool:
        if len(signature) != 8 + _SIGNATURE_SIZE:
            return False
        timestamp = int.from_bytes(signature[:8], "big")
        if timestamp > MAX_TIMESTAMP:
            return False
        try:
            body = text.decode("utf-8")
            message = cosignature_message(body, timestamp)
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature[8:], message)
        except (UnicodeDecodeError, CosignatureError, InvalidSignature):
            return False
        return True


class CosignatureSigner:
    """A witness key that makes ``cosignature/v1`` signatures (a note :class:`Signer`)."""

    def __init__(self, name: str, seed: bytes, clock: Callable[[], float] = time.time) -> None:
        if not is_valid_key_name(name):
            raise KeyFormatError(f"the key name {name!r} is empty or contains a space")
        if len(seed) != 32:
            raise KeyFormatError(f"an Ed25519 private key seed is 32 bytes, not {len(seed)}")
        self._private = Ed25519PrivateKey.from_private_bytes(seed)
        self._clock = clock
        self.name = name
        self.public_key = self._private.public_key().public_bytes_raw()
        self.key_id = key_id(name, SIGNATURE_TYPE_COSIGNATURE_V1, self.public_key)

    @property
    def vkey(self) -> str:
        """The witness's verifier key (type 0x04), to give to logs and relying parties."""
        return ed25519_vkey(self.name, self.public_key, SIGNATURE_TYPE_COSIGNATURE_V1)

    def verifier(self) -> CosignatureVerifier:
        return CosignatureVerifier(self.name, self.public_key)

    def cosign_at(self, body: str, timestamp: int) -> Cosignature:
        """Cosign a checkpoint body at the given POSIX time."""
        signature = self._private.sign(cosignature_message(body, timestamp))
        return Cosignature(self.name, self.key_id, timestamp, signature)

    def sign(self, text: bytes) -> bytes:
        """Note-signer interface: ``u64 time ‖ signature`` over the body at the current time."""
        return self.cosign_at(text.decode("utf-8"), int(self._clock())).note_signature.signature


def cosign(body: str, signer: CosignatureSigner, timestamp: int | None = None) -> Cosignature:
    """Cosign the checkpoint ``body`` now (or at ``timestamp``)."""
    return signer.cosign_at(body, int(time.time()) if timestamp is None else timestamp)


def verify_cosignatures(
    signed_checkpoint: str | bytes,
    witnesses: Iterable[Verifier],
    *,
    required: int | None = None,
) -> list[Cosignature]:
    """The verified cosignatures in a checkpoint note by the given witness keys.

    Signatures by other keys are ignored; a trusted witness's cosignature that fails to
    verify raises :class:`CosignatureError`. ``required`` (default: every witness given) is
    how many distinct witnesses must have cosigned. This checks cosignatures only; open the
    checkpoint with the log's key too (:func:`tocsin.ledger.open_checkpoint`).
    """
    witness_list = list(witnesses)
    needed = len(witness_list) if required is None else required
    if needed < 0 or needed > len(witness_list):
        raise CosignatureError(
            f"cannot require {needed} cosignatures from {len(witness_list)} trusted witnesses"
        )
    note = parse_note(signed_checkpoint)
    text = note.text.encode("utf-8")
    by_key = {(w.name, w.key_id): w for w in witness_list}
    verified: dict[tuple[str, int], Cosignature] = {}
    for signature in note.unverified:
        witness = by_key.get((signature.name, signature.key_id))
        if witness is None:
            continue
        if not witness.verify(text, signature.signature):
            raise CosignatureError(
                f"the cosignature by trusted witness {signature.name}+{signature.key_id:08x} "
                "does not verify: the checkpoint or the cosignature was altered"
            )
        verified.setdefault(
            (signature.name, signature.key_id), Cosignature.from_note_signature(signature)
        )
    if len(verified) < needed:
        raise CosignatureError(
            f"the checkpoint has {len(verified)} valid cosignatures from trusted witnesses; "
            f"{needed} are required"
        )
    return list(verified.values())
