"""Signed notes: Go's sumdb/note test vectors, strict parsing, key formats, fuzzing."""

from __future__ import annotations

import base64
import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.ledger import (
    Ed25519Signer,
    InvalidSignatureError,
    KeyFormatError,
    MalformedNoteError,
    NoteError,
    NoteSignature,
    UnsupportedKeyError,
    UnverifiedNoteError,
    generate_skey,
    key_id,
    open_note,
    parse_note,
    parse_vkey,
    sign_note,
    signer_from_skey,
    verifier_from_vkey,
)
from tocsin.ledger._note import MAX_SIGNATURES

# Vectors typed from golang/mod, sumdb/note/note_test.go (TestSign, TestOpen, TestNewVerifier).
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgK"
    "vqfqdngotpRZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTG"
    "wnWLox33WWd1RvMc+QQ=\n"
)

# A real sum.golang.org checkpoint, typed from sigsum/sigsum,
# proposals/2026-01-22-tags-releases-non-releases.md; the key is the Go toolchain's
# (golang/go src/cmd/go/internal/modfetch/key.go; also in transparency-dev/incubator
# vindex/cmd/sumdbverify/README.md).
SUMDB_VKEY = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"
SUMDB_NOTE = (
    "go.sum database tree\n49189689\nftjbAOzaupaIvaPo/G+Dk63nxOZ2s1OPOKIaPtXs7S4=\n\n"
    "— sum.golang.org Az3grlKZssqRoMNPpZfKt0TphbbcF+pzXqElURJKRNFKfaUAgqeI5k2AORH0QAhg/ebR"
    "wyIqD/OqP4oLtLnNumvOBAM=\n"
)


def test_signing_reproduces_gos_expected_note() -> None:
    signer = signer_from_skey(PETER_SKEY)
    assert signer.name == "PeterNeumann"
    assert signer.key_id == 0xC74F20A3
    assert sign_note(TEXT, [signer]) == TEXT + "\n" + PETER_SIG


def test_signing_replaces_an_old_signature_by_the_same_key() -> None:
    signer = signer_from_skey(PETER_SKEY)
    stale = (
        *parse_note(TEXT + "\n" + ENOCH_SIG).unverified,
        NoteSignature(signer.name, signer.key_id, b"old"),
    )
    assert sign_note(TEXT, [signer], stale) == TEXT + "\n" + ENOCH_SIG + PETER_SIG


def test_signed_by_generated_key_matches_go_vkey() -> None:
    signer = signer_from_skey(PETER_SKEY)
    assert isinstance(signer, Ed25519Signer)
    assert signer.vkey == PETER_VKEY


def test_open_one_verified_one_unknown() -> None:
    note = open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, [verifier_from_vkey(PETER_VKEY)])
    assert note.text == TEXT
    assert [(s.name, s.key_id) for s in note.signatures] == [("PeterNeumann", 0xC74F20A3)]
    assert [(s.name, s.key_id) for s in note.unverified] == [("EnochRoot", 0xAF0CFE78)]


def test_open_both_verified() -> None:
    verifiers = [verifier_from_vkey(PETER_VKEY), verifier_from_vkey(ENOCH_VKEY)]
    note = open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, verifiers)
    assert [s.name for s in note.signatures] == ["PeterNeumann", "EnochRoot"]
    assert note.unverified == ()


def test_open_with_no_known_key_is_unverified_and_keeps_the_note() -> None:
    with pytest.raises(UnverifiedNoteError) as caught:
        open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, [])
    assert [s.name for s in caught.value.note.unverified] == ["PeterNeumann", "EnochRoot"]


def test_a_known_key_with_a_bad_signature_rejects_the_note() -> None:
    tampered = PETER_SIG[:60] + "ABCD" + PETER_SIG[60:]
    with pytest.raises(InvalidSignatureError, match="PeterNeumann\\+c74f20a3"):
        open_note(TEXT + "\n" + tampered, [verifier_from_vkey(PETER_VKEY)])


def test_a_changed_text_fails_the_known_signature() -> None:
    with pytest.raises(InvalidSignatureError):
        open_note(
            TEXT.replace("problem", "answer") + "\n" + PETER_SIG, [verifier_from_vkey(PETER_VKEY)]
        )


def test_duplicate_signatures_are_dropped() -> None:
    enoch_abcd = ENOCH_SIG[:60] + "ABCD" + ENOCH_SIG[60:]
    message = TEXT + "\n" + PETER_SIG + PETER_SIG + ENOCH_SIG + ENOCH_SIG + enoch_abcd
    note = open_note(message, [verifier_from_vkey(PETER_VKEY)])
    assert len(note.signatures) == 1
    assert len(note.unverified) == 2


def test_same_name_other_id_is_an_unknown_key() -> None:
    other_id = PETER_SIG.replace("x08go", "xxxxx")
    with pytest.raises(UnverifiedNoteError):
        open_note(TEXT + "\n" + other_id, [verifier_from_vkey(PETER_VKEY)])


@pytest.mark.parametrize(
    "message",
    [
        TEXT,
        TEXT + "\n",
        TEXT + "\n" + PETER_SIG[:-1],
        "\x01" + TEXT + "\n" + PETER_SIG,
        TEXT + "\n" + "— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZ"
        "SNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
        TEXT + "\n" + PETER_SIG + "Unexpected line.\n",
        TEXT + "\n" + PETER_SIG.replace("PeterNeumann", "Peter+Neumann"),
        TEXT + "\n" + "— PeterNeumann \n",
        TEXT + "\n" + "— PeterNeumann AAAA\n",
        TEXT + "\n" + PETER_SIG.replace("=", ""),
        TEXT + "\n" + PETER_SIG.replace("\n", "\r\n"),
        TEXT + "\n" + "-" + PETER_SIG[1:],
    ],
)
def test_malformed_notes_are_rejected(message: str) -> None:
    with pytest.raises(MalformedNoteError):
        open_note(message, [verifier_from_vkey(PETER_VKEY)])


def test_invalid_utf8_is_malformed() -> None:
    with pytest.raises(MalformedNoteError, match="UTF-8"):
        open_note(b"\xff" + (TEXT + "\n" + PETER_SIG).encode(), [verifier_from_vkey(PETER_VKEY)])


def test_signature_count_is_limited() -> None:
    verifier = verifier_from_vkey(PETER_VKEY)
    assert open_note(TEXT + "\n" + PETER_SIG * 16, [verifier]).signatures
    with pytest.raises(MalformedNoteError, match="more than"):
        open_note(TEXT + "\n" + PETER_SIG * (MAX_SIGNATURES + 1), [verifier])


def test_long_lines_are_refused() -> None:
    with pytest.raises(MalformedNoteError, match="longer than"):
        open_note("x" * 20_000 + "\n\n" + PETER_SIG, [verifier_from_vkey(PETER_VKEY)])


def test_go_verifier_key_vector_and_its_manglings() -> None:
    parsed = parse_vkey(PETER_VKEY)
    assert (parsed.name, parsed.key_id, parsed.signature_type) == ("PeterNeumann", 0xC74F20A3, 1)
    assert parsed.vkey == PETER_VKEY
    raw = PETER_VKEY.encode()
    for i in range(len(raw)):
        for j in range(i + 1, len(raw) + 1):
            if (i, j) != (0, len(raw)):
                with pytest.raises(KeyFormatError):
                    verifier_from_vkey(raw[i:j].decode())
    for i in range(len(raw)):
        mangled = bytearray(raw)
        mangled[i] += 1
        with pytest.raises(KeyFormatError):
            verifier_from_vkey(mangled.decode())
    # Wrong-length key and unknown algorithm, each with an adjusted key hash (from note_test.go).
    with pytest.raises(KeyFormatError):
        verifier_from_vkey(
            "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="
        )
    with pytest.raises(UnsupportedKeyError):
        verifier_from_vkey("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")


def test_go_signer_key_manglings_are_refused() -> None:
    raw = PETER_SKEY.encode()
    for i in range(0, len(raw), 3):
        for j in range(i + 1, len(raw) + 1, 2):
            if (i, j) != (0, len(raw)):
                with pytest.raises(KeyFormatError):
                    signer_from_skey(raw[i:j].decode())
    for i in range(len(raw)):
        mangled = bytearray(raw)
        mangled[i] += 1
        with pytest.raises(KeyFormatError):
            signer_from_skey(mangled.decode())


def test_generated_keys_round_trip() -> None:
    skey, vkey = generate_skey("tocsin.test/log")
    signer, verifier = signer_from_skey(skey), verifier_from_vkey(vkey)
    assert (signer.name, signer.key_id) == (verifier.name, verifier.key_id)
    note = open_note(sign_note("hello\n", [signer]), [verifier])
    assert note.text == "hello\n"
    with pytest.raises(KeyFormatError):
        generate_skey("a name with spaces")


def test_key_id_is_sha256_of_name_newline_type_key() -> None:
    parsed = parse_vkey(PETER_VKEY)
    assert key_id("PeterNeumann", 1, parsed.public_key) == 0xC74F20A3


def test_mldsa_keys_are_unsupported_not_a_crash() -> None:
    public = bytes(1312)
    name = "witness.example/pq"
    encoded = base64.b64encode(b"\x06" + public).decode()
    vkey = f"{name}+{key_id(name, 6, public):08x}+{encoded}"
    assert parse_vkey(vkey).signature_type == 6
    with pytest.raises(UnsupportedKeyError, match="ML-DSA-44"):
        verifier_from_vkey(vkey)


def test_real_sumdb_checkpoint_verifies() -> None:
    note = open_note(SUMDB_NOTE, [verifier_from_vkey(SUMDB_VKEY)])
    assert note.text.startswith("go.sum database tree\n49189689\n")


# --- fuzzing: whatever the bytes, only a NoteError (a ValueError) comes out -----------------

_VALID = (TEXT + "\n" + PETER_SIG + ENOCH_SIG).encode()


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_fuzz_random_bytes_only_raise_note_errors(data: bytes) -> None:
    with contextlib.suppress(NoteError):
        open_note(data, [verifier_from_vkey(PETER_VKEY)])


@settings(max_examples=300, deadline=None)
@given(
    st.integers(0, len(_VALID) - 1),
    st.integers(0, 16),
    st.binary(max_size=8) | st.sampled_from([b"\n", b"\n\n", "— ".encode(), b"+", b" ", b"="]),
)
def test_fuzz_mutated_notes_only_raise_note_errors(start: int, cut: int, insert: bytes) -> None:
    mutated = _VALID[:start] + insert + _VALID[start + cut :]
    try:
        note = open_note(mutated, [verifier_from_vkey(PETER_VKEY)])
    except NoteError:
        return
    # Anything that opens was signed by Peter over exactly the text it reports.
    assert note.signatures[0].name == "PeterNeumann"
    assert note.text == TEXT
