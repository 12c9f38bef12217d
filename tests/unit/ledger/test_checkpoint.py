"""Checkpoints: body format, strict parsing, signing and opening, independent verification."""

from __future__ import annotations

import base64

import nacl.signing
import pytest
from tlog_scales.tlog import Checkpoint as IndependentCheckpoint

from tests.factories.transparency import ToyLog
from tocsin.ledger import (
    EMPTY_ROOT,
    Checkpoint,
    CheckpointError,
    Ed25519Signer,
    InvalidSignatureError,
    UnverifiedNoteError,
    key_id,
    open_checkpoint,
    parse_checkpoint,
    sign_checkpoint,
)

# The example body of C2SP tlog-checkpoint.md (C2SP/C2SP).
C2SP_BODY = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"


def test_c2sp_example_body_parses_and_round_trips() -> None:
    checkpoint = parse_checkpoint(C2SP_BODY)
    assert checkpoint.origin == "example.com/behind-the-sofa"
    assert checkpoint.size == 20852163
    assert checkpoint.body() == C2SP_BODY


def test_empty_tree_and_extension_lines() -> None:
    empty = Checkpoint("tocsin.test/log", 0, EMPTY_ROOT)
    assert parse_checkpoint(empty.body()) == empty
    extended = parse_checkpoint(C2SP_BODY + "extra line\n")
    assert extended.extensions == ("extra line",)
    assert extended.body() == C2SP_BODY + "extra line\n"


@pytest.mark.parametrize(
    "body",
    [
        C2SP_BODY[:-1],
        "example.com/log\n20852163\n",
        "\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        C2SP_BODY.replace("20852163", "020852163"),
        C2SP_BODY.replace("20852163", "-1"),
        C2SP_BODY.replace("20852163", "+1"),
        C2SP_BODY.replace("20852163", "1 "),
        C2SP_BODY.replace("20852163", "٣"),
        C2SP_BODY.replace("20852163", str(2**64)),
        C2SP_BODY.replace("q2I=", "q2"),
        C2SP_BODY.replace(
            "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=", base64.b64encode(bytes(31)).decode()
        ),
        C2SP_BODY + "\n",
        C2SP_BODY + "ext\n\n",
    ],
)
def test_malformed_bodies_are_refused(body: str) -> None:
    with pytest.raises(CheckpointError):
        parse_checkpoint(body)


def test_sign_and_open() -> None:
    log = ToyLog().grow(5)
    opened = open_checkpoint(log.signed(), log.signer.verifier(), origin=log.origin)
    assert opened.checkpoint == log.checkpoint()
    assert opened.note_text == log.signed()


def test_open_refuses_another_origin_key_or_tampering() -> None:
    log = ToyLog().grow(5)
    with pytest.raises(CheckpointError, match="expected"):
        open_checkpoint(log.signed(), log.signer.verifier(), origin="tocsin.test/other")
    stranger = Ed25519Signer(log.origin, bytes(32))
    with pytest.raises(UnverifiedNoteError):
        open_checkpoint(log.signed(), stranger.verifier())
    with pytest.raises(InvalidSignatureError):
        open_checkpoint(log.signed().replace("\n5\n", "\n6\n"), log.signer.verifier())


def test_independent_parser_and_libsodium_accept_our_checkpoints() -> None:
    # tlog-scales parses the note; PyNaCl (libsodium) checks the Ed25519 signature over the
    # body; the key ID is recomputed here from the spec's formula.
    log = ToyLog().grow(300)
    signed = sign_checkpoint(log.checkpoint(), log.signer)
    independent = IndependentCheckpoint.from_text(signed)
    assert (independent.origin, independent.size, independent.root_hash) == (
        log.origin,
        300,
        log.roots[300],
    )
    [signature] = independent.signatures
    assert signature.name == log.origin
    assert signature.key_id == key_id(log.origin, 1, log.signer.public_key)
    root = base64.b64encode(independent.root_hash).decode()
    body = f"{independent.origin}\n{independent.size}\n{root}\n"
    nacl.signing.VerifyKey(log.signer.public_key).verify(body.encode(), signature.payload)
