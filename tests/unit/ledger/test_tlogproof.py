"""tlog-proof receipts: format, strict parsing, offline verification, independent check."""

from __future__ import annotations

import base64

import pytest
from tlog_scales.tlog import InclusionProof as IndependentInclusionProof

from tests.factories.transparency import WITNESS_SEED, ToyLog
from tocsin.ledger import (
    CosignatureSigner,
    Ed25519Signer,
    TlogProofError,
    cosign,
    format_tlog_proof,
    leaf_hash,
    parse_tlog_proof,
    verify_tlog_proof,
)

# The header of the example in C2SP tlog-proof.md (C2SP/C2SP); its signatures are elided
# there ("[...]"), so only the parts before the checkpoint are checked.
C2SP_EXAMPLE_HEAD = """c2sp.org/tlog-proof@v1
extra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6kYXJ3aW4tYXJ
index 73894
gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=
B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=
EKNzoDWG8LGC0Yp9o+sv3qllpMP9uHQ9B20KNL+Q1zs=
RoopEkOdqkYqMB4MJXrbt/hMjOxsVn0IrWjpz1ZMMes=
AHCioX9nLjsrse6YhjRRmk1WUEirVOLLRoOQ6vfO5vk=

"""


def _receipt(log: ToyLog, index: int, witnesses: list[CosignatureSigner]) -> str:
    cosigned = log.signed() + "".join(
        cosign(log.checkpoint().body(), w, timestamp=1_700_000_000).line for w in witnesses
    )
    return format_tlog_proof(index, log.inclusion(index), cosigned)


def test_c2sp_example_header_parses() -> None:
    proof = parse_tlog_proof(C2SP_EXAMPLE_HEAD + "example.com/fancylog\n109482\n")
    assert proof.index == 73894
    assert len(proof.hashes) == 5
    assert proof.extra is not None
    assert proof.hashes[0] == base64.b64decode("gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=")


@pytest.mark.parametrize("size", [1, 2, 7, 100, 257])
def test_every_entry_has_a_verifying_receipt(size: int) -> None:
    log = ToyLog().grow(size)
    witness = CosignatureSigner("witness.test/w1", WITNESS_SEED)
    for index in {0, size // 2, size - 1}:
        text = _receipt(log, index, [witness])
        assert text.startswith("c2sp.org/tlog-proof@v1\nindex ")
        result = verify_tlog_proof(text, log.signer.vkey, [witness.vkey], leaf=log.leaves[index])
        assert (result.index, result.checkpoint.size) == (index, size)
        assert [c.name for c in result.cosignatures] == ["witness.test/w1"]
        # tlog-scales' own RFC 9162 walk agrees.
        proof = parse_tlog_proof(text)
        IndependentInclusionProof(index, size, list(proof.hashes)).check(
            leaf_hash(log.leaves[index]), log.roots[size]
        )


def test_receipt_round_trips_with_extra_data() -> None:
    log = ToyLog().grow(9)
    text = format_tlog_proof(3, log.inclusion(3), log.signed(), extra=b"context")
    proof = parse_tlog_proof(text)
    assert (proof.index, proof.extra, proof.signed_checkpoint) == (3, b"context", log.signed())
    assert (
        format_tlog_proof(proof.index, proof.hashes, proof.signed_checkpoint, proof.extra) == text
    )


def test_wrong_leaf_wrong_key_missing_cosignature_and_tampering_fail() -> None:
    log = ToyLog().grow(20)
    witness = CosignatureSigner("witness.test/w1", WITNESS_SEED)
    other = CosignatureSigner("witness.test/w2", bytes(32))
    text = _receipt(log, 4, [witness])
    vkey = log.signer.vkey
    with pytest.raises(TlogProofError, match="not proved"):
        verify_tlog_proof(text, vkey, [witness.vkey], leaf=log.leaves[5])
    stranger = Ed25519Signer(log.origin, bytes(32)).vkey
    with pytest.raises(TlogProofError, match="checkpoint is not valid"):
        verify_tlog_proof(text, stranger, leaf_hash=leaf_hash(log.leaves[4]))
    with pytest.raises(TlogProofError, match="cosignatures"):
        verify_tlog_proof(text, vkey, [witness.vkey, other.vkey], leaf=log.leaves[4])
    assert verify_tlog_proof(
        text, vkey, [witness.vkey, other.vkey], required_cosignatures=1, leaf=log.leaves[4]
    )
    swapped = text.replace("index 4\n", "index 5\n")
    with pytest.raises(TlogProofError):
        verify_tlog_proof(swapped, vkey, leaf=log.leaves[5])
    with pytest.raises(TlogProofError, match="exactly one"):
        verify_tlog_proof(text, vkey)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "c2sp.org/tlog-proof@v2\nindex 0\n\nx\n",
        "c2sp.org/tlog-proof@v1\n\nx\n",
        "c2sp.org/tlog-proof@v1\nindex 01\n\nx\n",
        "c2sp.org/tlog-proof@v1\nindex 0\nnot base64\n\nx\n",
        "c2sp.org/tlog-proof@v1\nindex 0\nAAAA\n\nx\n",
        "c2sp.org/tlog-proof@v1\nextra !!\nindex 0\n\nx\n",
        "c2sp.org/tlog-proof@v1\nindex 0\n\n",
        "c2sp.org/tlog-proof@v1\nindex 0\n" + ("A" * 43 + "=\n") * 65 + "\nx\n",
    ],
)
def test_malformed_receipts_are_refused(text: str) -> None:
    with pytest.raises(TlogProofError):
        parse_tlog_proof(text)
