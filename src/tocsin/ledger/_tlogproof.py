"""C2SP ``tlog-proof`` receipts: an offline-checkable proof that an entry is in the log.

    c2sp.org/tlog-proof@v1
    [extra <base64>]
    index <decimal>
    <base64 inclusion proof hash, one per line, leaf's sibling first>

    <the cosigned checkpoint, verbatim>

Verifying one needs only the log's vkey and the witnesses' vkeys: the log's signature, enough
witness cosignatures, and the inclusion of the entry at ``index`` under the checkpoint root.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass

from tocsin.ledger._checkpoint import Checkpoint, CheckpointError, open_checkpoint, parse_decimal
from tocsin.ledger._cosignature import Cosignature, verify_cosignatures
from tocsin.ledger._merkle import HASH_SIZE, ProofError, verify_inclusion
from tocsin.ledger._merkle import leaf_hash as _leaf_hash
from tocsin.ledger._note import NoteError, decode_base64, verifier_from_vkey

__all__ = [
    "TLOG_PROOF_HEADER",
    "TlogProof",
    "TlogProofError",
    "VerifiedTlogProof",
    "format_tlog_proof",
    "parse_tlog_proof",
    "verify_tlog_proof",
]

TLOG_PROOF_HEADER = "c2sp.org/tlog-proof@v1"
_MAX_PROOF_HASHES = 64
_MAX_PROOF_BYTES = 1024 * 1024


class TlogProofError(ValueError):
    """A receipt is malformed or does not prove what it claims; the message says which."""


@dataclass(frozen=True)
class TlogProof:
    """A parsed receipt: entry index, inclusion path, the signed checkpoint and extra data."""

    index: int
    hashes: tuple[bytes, ...]
    signed_checkpoint: str
    extra: bytes | None = None


def format_tlog_proof(
    index: int, hashes: Sequence[bytes], signed_checkpoint: str, extra: bytes | None = None
) -> str:
    """Write a receipt (``.tlog-proof`` text) from its parts."""
    if index < 0:
        raise TlogProofError("an entry index cannot be negative")
    if any(len(h) != HASH_SIZE for h in hashes):
        raise TlogProofError(f"every inclusion proof hash must be {HASH_SIZE} bytes")
    if not signed_checkpoint.endswith("\n"):
        raise TlogProofError("the signed checkpoint must end with a newline")
    lines = [TLOG_PROOF_HEADER]
    if extra is not None:
        lines.append("extra " + base64.b64encode(extra).decode())
    lines.append(f"index {index}")
    lines.extend(base64.b64encode(h).decode() for h in hashes)
    return "\n".join(lines) + "\n\n" + signed_checkpoint


def parse_tlog_proof(text: str | bytes) -> TlogProof:
    """Parse a receipt strictly; the checkpoint is split off but not yet verified."""
    if isinstance(text, bytes):
        if len(text) > _MAX_PROOF_BYTES:
            raise TlogProofError("the receipt is larger than 1 MiB")
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise TlogProofError("the receipt is not UTF-8 text") from None
    if len(text) > _MAX_PROOF_BYTES:
        raise TlogProofError("the receipt is larger than 1 MiB")
    head, separator, signed_checkpoint = text.partition("\n\n")
    if not separator:
        raise TlogProofError("the receipt has no blank line before its checkpoint")
    lines = head.split("\n")
    if lines[0] != TLOG_PROOF_HEADER:
        raise TlogProofError(f"the receipt's first line must be {TLOG_PROOF_HEADER!r}")
    position = 1
    extra = None
    try:
        if position < len(lines) and lines[position].startswith("extra "):
            extra = decode_base64(lines[position][len("extra ") :], "the receipt's extra data")
            position += 1
        if position >= len(lines) or not lines[position].startswith("index "):
            raise TlogProofError("the receipt has no 'index N' line")
        index = parse_decimal(lines[position][len("index ") :], "the receipt's entry index")
        hash_lines = lines[position + 1 :]
        if len(hash_lines) > _MAX_PROOF_HASHES:
            raise TlogProofError(f"the inclusion proof has more than {_MAX_PROOF_HASHES} hashes")
        hashes = tuple(
            decode_base64(line, f"inclusion proof line {n + 1}")
            for n, line in enumerate(hash_lines)
        )
    except (NoteError, CheckpointError) as exc:
        raise TlogProofError(str(exc)) from None
    for n, value in enumerate(hashes):
        if len(value) != HASH_SIZE:
            raise TlogProofError(f"inclusion proof line {n + 1} is {len(value)} bytes, not 32")
    if not signed_checkpoint:
        raise TlogProofError("the receipt has no checkpoint after the blank line")
    return TlogProof(index, hashes, signed_checkpoint, extra)


@dataclass(frozen=True)
class VerifiedTlogProof:
    """What a receipt proved: the entry index, the checkpoint and who cosigned it."""

    index: int
    leaf_hash: bytes
    checkpoint: Checkpoint
    cosignatures: tuple[Cosignature, ...]
    extra: bytes | None


def verify_tlog_proof(
    text: str | bytes,
    log_vkey: str,
    witness_vkeys: Sequence[str] = (),
    required_cosignatures: int | None = None,
    *,
    leaf: bytes | None = None,
    leaf_hash: bytes | None = None,
    origin: str | None = None,
) -> VerifiedTlogProof:
    """Check a receipt offline; raise :class:`TlogProofError` saying what failed.

    Give the entry either as ``leaf`` (its bytes, hashed as an RFC 9162 leaf) or as
    ``leaf_hash``. ``required_cosignatures`` defaults to every witness in
    ``witness_vkeys``. ``origin`` defaults to the log key's name.
    """
    if leaf is not None and leaf_hash is None:
        expected_hash = _leaf_hash(leaf)
    elif leaf_hash is not None and leaf is None:
        expected_hash = leaf_hash
    else:
        raise TlogProofError("give exactly one of the leaf bytes or the leaf hash to check")
    try:
        log_verifier = verifier_from_vkey(log_vkey)
        witnesses = [verifier_from_vkey(vkey) for vkey in witness_vkeys]
    except NoteError as exc:
        raise TlogProofError(f"a key given to check the receipt is not usable: {exc}") from None
    proof = parse_tlog_proof(text)
    try:
        opened = open_checkpoint(
            proof.signed_checkpoint,
            log_verifier,
            origin=origin if origin is not None else log_verifier.name,
        )
    except (NoteError, CheckpointError) as exc:
        raise TlogProofError(f"the receipt's checkpoint is not valid: {exc}") from None
    try:
        cosignatures = verify_cosignatures(
            proof.signed_checkpoint, witnesses, required=required_cosignatures
        )
    except NoteError as exc:
        raise TlogProofError(f"the receipt's cosignatures are not enough: {exc}") from None
    checkpoint = opened.checkpoint
    try:
        verify_inclusion(proof.index, checkpoint.size, expected_hash, proof.hashes, checkpoint.root)
    except ProofError as exc:
        raise TlogProofError(f"the entry is not proved to be in the log: {exc}") from None
    return VerifiedTlogProof(
        proof.index, expected_hash, checkpoint, tuple(cosignatures), proof.extra
    )
