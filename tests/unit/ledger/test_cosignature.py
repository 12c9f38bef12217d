"""cosignature/v1: making, verifying, the C2SP example, independent verification."""

from __future__ import annotations

import base64

import nacl.exceptions
import nacl.signing
import pytest

from tests.factories.transparency import WITNESS_SEED, ToyLog
from tocsin.ledger import (
    CosignatureError,
    CosignatureSigner,
    NoteSignature,
    cosign,
    cosignature_message,
    key_id,
    open_checkpoint,
    parse_note,
    verifier_from_vkey,
    verify_cosignatures,
)
from tocsin.ledger._cosignature import Cosignature

WITNESS = "witness.test/w1"
# The cosigned checkpoint example of C2SP tlog-cosignature.md (C2SP/C2SP).
C2SP_COSIGNED = (
    "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n"
    "— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/"
    "Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
    "— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJs"
    "X3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n"
)


def test_signed_message_matches_the_spec_layout() -> None:
    # The example message in C2SP tlog-cosignature.md, "Ed25519 signed message".
    body = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    assert cosignature_message(body, 1679315147) == (
        b"cosignature/v1\ntime 1679315147\n" + body.encode()
    )


def test_c2sp_example_cosignature_decodes_to_its_timestamp() -> None:
    note = parse_note(C2SP_COSIGNED)
    witness_line = next(s for s in note.unverified if s.name == "witness.example.com/w1")
    cosignature = Cosignature.from_note_signature(witness_line)
    assert cosignature.timestamp == 1679315147
    assert len(cosignature.signature) == 64
    assert cosignature.line == C2SP_COSIGNED.splitlines(keepends=True)[-1]


def test_cosign_and_verify() -> None:
    log = ToyLog().grow(10)
    witness = CosignatureSigner(WITNESS, WITNESS_SEED)
    line = cosign(log.checkpoint().body(), witness, timestamp=1_700_000_000).line
    cosigned = log.signed() + line
    assert open_checkpoint(cosigned, log.signer.verifier()).checkpoint.size == 10
    [found] = verify_cosignatures(cosigned, [verifier_from_vkey(witness.vkey)])
    assert (found.name, found.timestamp) == (WITNESS, 1_700_000_000)
    assert witness.vkey.split("+")[1] == f"{key_id(WITNESS, 4, witness.public_key):08x}"


def test_a_tampered_cosignature_is_an_error_and_missing_ones_count() -> None:
    log = ToyLog().grow(10)
    witness = CosignatureSigner(WITNESS, WITNESS_SEED)
    good = cosign(log.checkpoint().body(), witness, timestamp=5)
    later = Cosignature(good.name, good.key_id, 6, good.signature)
    with pytest.raises(CosignatureError, match="does not verify"):
        verify_cosignatures(log.signed() + later.line, [witness.verifier()])
    with pytest.raises(CosignatureError, match="0 valid cosignatures"):
        verify_cosignatures(log.signed(), [witness.verifier()])
    assert verify_cosignatures(log.signed(), [witness.verifier()], required=0) == []


def test_unknown_and_mldsa_cosignatures_are_ignored() -> None:
    log = ToyLog().grow(3)
    witness = CosignatureSigner(WITNESS, WITNESS_SEED)
    other = CosignatureSigner("witness.test/other", bytes(32))
    mldsa_line = NoteSignature("witness.test/pq", 0x01020304, bytes(8 + 2420)).line
    cosigned = (
        log.signed()
        + mldsa_line
        + cosign(log.checkpoint().body(), other).line
        + cosign(log.checkpoint().body(), witness).line
    )
    assert [c.name for c in verify_cosignatures(cosigned, [witness.verifier()])] == [WITNESS]


def test_a_log_key_signature_is_not_a_cosignature() -> None:
    # Same name and seed but type 0x01: a different key ID, so never mistaken for the witness.
    log = ToyLog().grow(3)
    witness = CosignatureSigner(log.origin, bytes(range(32)))
    with pytest.raises(CosignatureError):
        verify_cosignatures(log.signed(), [witness.verifier()])


def test_libsodium_verifies_our_cosignature_over_the_spec_message() -> None:
    log = ToyLog().grow(42)
    witness = CosignatureSigner(WITNESS, WITNESS_SEED)
    line = cosign(log.checkpoint().body(), witness, timestamp=1_234_567_890).line
    raw = base64.b64decode(line.split(" ")[2])
    assert int.from_bytes(raw[:4], "big") == key_id(WITNESS, 4, witness.public_key)
    timestamp = int.from_bytes(raw[4:12], "big")
    message = f"cosignature/v1\ntime {timestamp}\n".encode() + log.checkpoint().body().encode()
    key = nacl.signing.VerifyKey(witness.public_key)
    key.verify(message, raw[12:])
    with pytest.raises(nacl.exceptions.BadSignatureError):
        key.verify(message.replace(b"\n42\n", b"\n43\n"), raw[12:])
