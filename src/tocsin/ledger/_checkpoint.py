"""C2SP ``tlog-checkpoint``: the log's origin, tree size and root hash as a signed note.

The body is three lines, each ending in a newline: the origin, the size in decimal (no
leading zeroes) and the root in base64, then optional non-empty extension lines (not
recommended; Tocsin never writes them but accepts them when opening).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass

from tocsin.ledger._merkle import HASH_SIZE
from tocsin.ledger._note import (
    MAX_LINE_BYTES,
    NoteError,
    Signer,
    Verifier,
    decode_base64,
    open_note,
    sign_note,
)

__all__ = [
    "MAX_TREE_SIZE",
    "Checkpoint",
    "CheckpointError",
    "OpenedCheckpoint",
    "open_checkpoint",
    "parse_checkpoint",
    "parse_decimal",
    "sign_checkpoint",
]

MAX_TREE_SIZE = 2**64 - 1


class CheckpointError(ValueError):
    """A checkpoint body is malformed, or is not the checkpoint the caller expected."""


def parse_decimal(text: str, what: str, maximum: int = MAX_TREE_SIZE) -> int:
    """A non-negative ASCII decimal with no leading zeroes (``0`` itself allowed)."""
    if not text or not text.isascii() or not text.isdigit():
        raise CheckpointError(f"{what} must be a decimal number, not {text[:40]!r}")
    if len(text) > 1 and text[0] == "0":
        raise CheckpointError(f"{what} must not have leading zeroes")
    if len(text) > 20 or int(text) > maximum:
        raise CheckpointError(f"{what} is larger than {maximum}")
    return int(text)


@dataclass(frozen=True)
class Checkpoint:
    """A tree head: which log (origin), how many leaves (size) and the root hash."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.origin or "\n" in self.origin:
            raise CheckpointError("a checkpoint origin must be one non-empty line")
        if not 0 <= self.size <= MAX_TREE_SIZE:
            raise CheckpointError(f"a tree size must be between 0 and 2^64-1, not {self.size}")
        if len(self.root) != HASH_SIZE:
            raise CheckpointError(f"a checkpoint root is {HASH_SIZE} bytes, not {len(self.root)}")
        if any(not line or "\n" in line for line in self.extensions):
            raise CheckpointError("checkpoint extension lines must be non-empty single lines")

    def body(self) -> str:
        """The note text: origin, size, base64 root and any extension lines, newline-ended."""
        lines = [
            self.origin,
            str(self.size),
            base64.b64encode(self.root).decode(),
            *self.extensions,
        ]
        return "".join(line + "\n" for line in lines)


def parse_checkpoint(body: str) -> Checkpoint:
    """Parse a checkpoint note text strictly (the text only, without the signatures)."""
    if not body.endswith("\n"):
        raise CheckpointError("a checkpoint body must end with a newline")
    lines = body[:-1].split("\n")
    if len(lines) < 3:
        raise CheckpointError("a checkpoint body has at least three lines: origin, size, root")
    origin, size_text, root_text, *extensions = lines
    if not origin:
        raise CheckpointError("the checkpoint origin line is empty")
    if len(origin.encode()) > MAX_LINE_BYTES:
        raise CheckpointError("the checkpoint origin line is too long")
    size = parse_decimal(size_text, "the checkpoint tree size")
    try:
        root = decode_base64(root_text, "the checkpoint root hash")
    except NoteError as exc:
        raise CheckpointError(str(exc)) from None
    if len(root) != HASH_SIZE:
        raise CheckpointError(f"the checkpoint root hash is {len(root)} bytes, not {HASH_SIZE}")
    if any(not line for line in extensions):
        raise CheckpointError("a checkpoint extension line is empty")
    return Checkpoint(origin, size, root, tuple(extensions))


def sign_checkpoint(checkpoint: Checkpoint, signers: Signer | Sequence[Signer]) -> str:
    """The checkpoint as a signed note (the log's key name SHOULD equal the origin)."""
    signer_list = [signers] if not isinstance(signers, Sequence) else list(signers)
    return sign_note(checkpoint.body(), signer_list)


@dataclass(frozen=True)
class OpenedCheckpoint:
    """A checkpoint whose log signature verified, with the note it came in."""

    checkpoint: Checkpoint
    note_text: str
    """The whole signed note as given (log signature, cosignatures and any others)."""


def open_checkpoint(
    signed: str | bytes,
    log_verifiers: Verifier | Sequence[Verifier],
    *,
    origin: str | None = None,
) -> OpenedCheckpoint:
    """Verify a signed checkpoint with the log's key(s) and parse its body strictly.

    Raises a :class:`tocsin.ledger.NoteError` if the note is malformed or not validly signed
    by a log key, and :class:`CheckpointError` if the body is malformed or its origin is not
    ``origin``. Cosignatures are left for :func:`tocsin.ledger.verify_cosignatures`.
    """
    verifiers = list(log_verifiers) if isinstance(log_verifiers, Sequence) else [log_verifiers]
    note = open_note(signed, verifiers)
    checkpoint = parse_checkpoint(note.text)
    if origin is not None and checkpoint.origin != origin:
        raise CheckpointError(
            f"the checkpoint is for log {checkpoint.origin!r}, not the expected {origin!r}"
        )
    text = signed.decode("utf-8") if isinstance(signed, bytes) else signed
    return OpenedCheckpoint(checkpoint, text)
