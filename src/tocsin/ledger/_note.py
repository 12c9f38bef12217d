"""C2SP signed notes (c2sp.org/signed-note), Ed25519 keys and their text formats.

A signed note is a text ending in a newline, a blank line, then one or more lines
``— <key name> base64(key ID ‖ signature)``. Parsing is strict in the way Go's
``golang.org/x/mod/sumdb/note`` is: valid UTF-8, no control characters but newline, a final
newline, at most :data:`MAX_SIGNATURES` signature lines, key names without spaces or ``+``.
Signatures from unknown keys are kept but ignored; a known key (name *and* key ID match) whose
signature fails rejects the whole note; a note with no verified signature is rejected.

Key text formats follow Go's ``note`` package: a verifier key (vkey) is
``<name>+<hex key ID>+base64(type ‖ public key)`` and a signer key (skey) is
``PRIVATE+KEY+<name>+<hex key ID>+base64(type ‖ Ed25519 seed)``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = [
    "MAX_LINE_BYTES",
    "MAX_NOTE_BYTES",
    "MAX_SIGNATURES",
    "SIGNATURE_TYPE_COSIGNATURE_V1",
    "SIGNATURE_TYPE_ED25519",
    "SIGNATURE_TYPE_MLDSA44_COSIGNATURE",
    "Ed25519Signer",
    "Ed25519Verifier",
    "InvalidSignatureError",
    "KeyFormatError",
    "MalformedNoteError",
    "Note",
    "NoteError",
    "NoteSignature",
    "Signer",
    "UnsupportedKeyError",
    "UnverifiedNoteError",
    "Verifier",
    "VerifierKey",
    "decode_base64",
    "ed25519_vkey",
    "generate_skey",
    "is_valid_key_name",
    "key_id",
    "open_note",
    "parse_note",
    "parse_vkey",
    "sign_note",
    "signer_from_skey",
    "verifier_from_vkey",
]

SIGNATURE_TYPE_ED25519 = 0x01
SIGNATURE_TYPE_COSIGNATURE_V1 = 0x04
SIGNATURE_TYPE_MLDSA44_COSIGNATURE = 0x06

MAX_SIGNATURES = 100
"""Go's limit; the spec requires at least 16 to be accepted."""
MAX_LINE_BYTES = 16 * 1024
"""Longest line accepted: room for an ML-DSA-44 cosignature line (about 3.3 KB) and more."""
MAX_NOTE_BYTES = 1024 * 1024
"""Largest note accepted, so a hostile note cannot make a verifier spend without bound."""

_SIGNATURE_PREFIX = "\u2014 "
_ED25519_KEY_SIZE = 32
_ED25519_SIGNATURE_SIZE = 64
_TYPE_NAMES = {
    SIGNATURE_TYPE_ED25519: "Ed25519",
    0x02: "ECDSA",
    SIGNATURE_TYPE_COSIGNATURE_V1: "Ed25519 cosignature/v1",
    0x05: "RFC 6962 tree head signature",
    SIGNATURE_TYPE_MLDSA44_COSIGNATURE: "ML-DSA-44 cosignature",
}


class NoteError(ValueError):
    """A signed note, a key or a signature is malformed or does not verify."""


class MalformedNoteError(NoteError):
    """The text is not a well-formed signed note; the message says what is wrong."""


class KeyFormatError(NoteError):
    """A vkey or skey string is malformed or its key ID does not match its key."""


class UnsupportedKeyError(KeyFormatError):
    """A well-formed key of a signature type this code cannot verify or sign with."""


class UnverifiedNoteError(NoteError):
    """The note is well formed but no signature in it is from a key the caller trusts."""

    def __init__(self, note: Note) -> None:
        names = ", ".join(sorted({s.name for s in note.unverified})) or "none"
        super().__init__(
            f"the note has no signature from a trusted key (it is signed by: {names}); "
            "check that you were given the right verifier key"
        )
        self.note = note


class InvalidSignatureError(NoteError):
    """A key the caller trusts signed the note, but the signature does not verify."""

    def __init__(self, name: str, key_id_value: int) -> None:
        super().__init__(
            f"the signature by trusted key {name}+{key_id_value:08x} does not verify: "
            "the note was altered or forged"
        )
        self.name = name
        self.key_id = key_id_value


def decode_base64(text: str, what: str) -> bytes:
    """Strict standard base64 (RFC 4648 §4): alphabet, padding and trailing bits checked."""
    try:
        raw = binascii.a2b_base64(text.encode("ascii"), strict_mode=True)
    except (UnicodeEncodeError, binascii.Error, ValueError):
        raise NoteError(f"{what} is not valid base64") from None
    if base64.b64encode(raw).decode("ascii") != text:
        raise NoteError(f"{what} is not canonical base64")
    return raw


def is_valid_key_name(name: str) -> bool:
    """Non-empty, and no Unicode space or plus sign (the C2SP and Go rule for key names)."""
    return bool(name) and "+" not in name and not any(c.isspace() for c in name)


def key_id(name: str, signature_type: int, public_key: bytes) -> int:
    """``SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4]`` as a big-endian integer."""
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([signature_type]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


class Verifier(Protocol):
    """Checks signatures by one key, identified by its name and key ID."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> int: ...

    def verify(self, text: bytes, signature: bytes) -> bool:
        """True if ``signature`` (without the key ID) is this key's signature on ``text``."""
        ...


class Signer(Protocol):
    """Signs note texts with one key."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> int: ...

    def sign(self, text: bytes) -> bytes:
        """The signature on ``text`` (without the key ID)."""
        ...


@dataclass(frozen=True)
class VerifierKey:
    """A parsed vkey: name, key ID, signature type and public key bytes (any type)."""

    name: str
    key_id: int
    signature_type: int
    public_key: bytes

    @property
    def vkey(self) -> str:
        """The key in vkey text form."""
        encoded = base64.b64encode(bytes([self.signature_type]) + self.public_key).decode()
        return f"{self.name}+{self.key_id:08x}+{encoded}"


def parse_vkey(vkey: str) -> VerifierKey:
    """Parse ``name+hexid+base64(type ‖ key)``, checking the name and the key ID."""
    parts = vkey.split("+", 2)
    if len(parts) != 3:
        raise KeyFormatError("a verifier key has the form NAME+KEYID+KEY (three parts joined by +)")
    name, hex_id, encoded = parts
    if not is_valid_key_name(name):
        raise KeyFormatError(f"the key name {name!r} is empty or contains a space")
    if len(hex_id) != 8 or any(c not in "0123456789abcdefABCDEF" for c in hex_id):
        raise KeyFormatError("the key ID in a verifier key must be 8 hexadecimal digits")
    try:
        raw = decode_base64(encoded, "the verifier key's key material")
    except NoteError as exc:
        raise KeyFormatError(str(exc)) from None
    if len(raw) < 2:
        raise KeyFormatError("the verifier key has no key material")
    signature_type, public_key = raw[0], raw[1:]
    if int(hex_id, 16) != key_id(name, signature_type, public_key):
        raise KeyFormatError(f"the key ID {hex_id} does not match the key named {name}")
    if signature_type in (SIGNATURE_TYPE_ED25519, SIGNATURE_TYPE_COSIGNATURE_V1) and (
        len(public_key) != _ED25519_KEY_SIZE
    ):
        raise KeyFormatError(f"an Ed25519 public key is 32 bytes, not {len(public_key)}")
    return VerifierKey(name, int(hex_id, 16), signature_type, public_key)


def _type_name(signature_type: int) -> str:
    return _TYPE_NAMES.get(signature_type, f"type 0x{signature_type:02x}")


@dataclass(frozen=True)
class Ed25519Verifier:
    """Verifies plain Ed25519 note signatures (type 0x01) over the note text."""

    name: str
    public_key: bytes
    key_id: int = field(init=False)

    def __post_init__(self) -> None:
        if not is_valid_key_name(self.name):
            raise KeyFormatError(f"the key name {self.name!r} is empty or contains a space")
        if len(self.public_key) != _ED25519_KEY_SIZE:
            raise KeyFormatError(f"an Ed25519 public key is 32 bytes, not {len(self.public_key)}")
        object.__setattr__(
            self, "key_id", key_id(self.name, SIGNATURE_TYPE_ED25519, self.public_key)
        )

    @property
    def vkey(self) -> str:
        return ed25519_vkey(self.name, self.public_key)

    def verify(self, text: bytes, signature: bytes) -> bool:
        if len(signature) != _ED25519_SIGNATURE_SIZE:
            return False
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, text)
        except InvalidSignature:
            return False
        return True


class Ed25519Signer:
    """Signs note texts with an Ed25519 key (signature type 0x01)."""

    def __init__(self, name: str, seed: bytes) -> None:
        if not is_valid_key_name(name):
            raise KeyFormatError(f"the key name {name!r} is empty or contains a space")
        if len(seed) != _ED25519_KEY_SIZE:
            raise KeyFormatError(f"an Ed25519 private key seed is 32 bytes, not {len(seed)}")
        self._private = Ed25519PrivateKey.from_private_bytes(seed)
        self.name = name
        self.public_key = self._private.public_key().public_bytes_raw()
        self.key_id = key_id(name, SIGNATURE_TYPE_ED25519, self.public_key)

    @property
    def vkey(self) -> str:
        """The matching verifier key, to give to verifiers."""
        return ed25519_vkey(self.name, self.public_key)

    def verifier(self) -> Ed25519Verifier:
        return Ed25519Verifier(self.name, self.public_key)

    def sign(self, text: bytes) -> bytes:
        return self._private.sign(text)


def ed25519_vkey(name: str, public_key: bytes, signature_type: int = SIGNATURE_TYPE_ED25519) -> str:
    """The vkey text for an Ed25519 public key (type 0x01, or 0x04 for a cosigner)."""
    if not is_valid_key_name(name):
        raise KeyFormatError(f"the key name {name!r} is empty or contains a space")
    if len(public_key) != _ED25519_KEY_SIZE:
        raise KeyFormatError(f"an Ed25519 public key is 32 bytes, not {len(public_key)}")
    return VerifierKey(
        name, key_id(name, signature_type, public_key), signature_type, public_key
    ).vkey


def generate_skey(name: str, signature_type: int = SIGNATURE_TYPE_ED25519) -> tuple[str, str]:
    """A new Ed25519 key as ``(skey, vkey)``; the skey is secret, the vkey is for verifiers.

    ``signature_type`` is 0x01 for a log's note signatures or 0x04 for a witness (cosigner).
    """
    if signature_type not in (SIGNATURE_TYPE_ED25519, SIGNATURE_TYPE_COSIGNATURE_V1):
        raise UnsupportedKeyError(f"cannot generate keys of {_type_name(signature_type)}")
    if not is_valid_key_name(name):
        raise KeyFormatError(f"the key name {name!r} is empty or contains a space")
    private = Ed25519PrivateKey.generate()
    seed = private.private_bytes_raw()
    public = private.public_key().public_bytes_raw()
    kid = key_id(name, signature_type, public)
    encoded = base64.b64encode(bytes([signature_type]) + seed).decode()
    return f"PRIVATE+KEY+{name}+{kid:08x}+{encoded}", ed25519_vkey(name, public, signature_type)


def _parse_skey(skey: str) -> tuple[str, int, bytes]:
    parts = skey.split("+", 4)
    if len(parts) != 5 or parts[0] != "PRIVATE" or parts[1] != "KEY":
        raise KeyFormatError("a signer key has the form PRIVATE+KEY+NAME+KEYID+KEY")
    name, hex_id, encoded = parts[2:]
    if not is_valid_key_name(name):
        raise KeyFormatError(f"the key name {name!r} is empty or contains a space")
    if len(hex_id) != 8 or any(c not in "0123456789abcdefABCDEF" for c in hex_id):
        raise KeyFormatError("the key ID in a signer key must be 8 hexadecimal digits")
    try:
        raw = decode_base64(encoded, "the signer key's key material")
    except NoteError as exc:
        raise KeyFormatError(str(exc)) from None
    if len(raw) != 1 + _ED25519_KEY_SIZE:
        raise KeyFormatError("the signer key's key material is not a type byte and a 32-byte seed")
    signature_type, seed = raw[0], raw[1:]
    if signature_type not in (SIGNATURE_TYPE_ED25519, SIGNATURE_TYPE_COSIGNATURE_V1):
        raise UnsupportedKeyError(f"cannot sign with {_type_name(signature_type)} keys")
    public = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()
    if int(hex_id, 16) != key_id(name, signature_type, public):
        raise KeyFormatError(f"the key ID {hex_id} does not match the signer key named {name}")
    return name, signature_type, seed


def signer_from_skey(skey: str) -> Signer:
    """A signer for a ``PRIVATE+KEY+...`` string: Ed25519 (0x01) or cosignature/v1 (0x04)."""
    name, signature_type, seed = _parse_skey(skey)
    if signature_type == SIGNATURE_TYPE_COSIGNATURE_V1:
        from tocsin.ledger._cosignature import CosignatureSigner

        return CosignatureSigner(name, seed)
    return Ed25519Signer(name, seed)


def verifier_from_vkey(vkey: str) -> Verifier:
    """A verifier for a vkey string: Ed25519 (0x01) or cosignature/v1 (0x04).

    Other types (such as ML-DSA-44 cosignatures, 0x06) raise :class:`UnsupportedKeyError`;
    signatures of those types in a note are simply signatures from unknown keys.
    """
    parsed = parse_vkey(vkey)
    if parsed.signature_type == SIGNATURE_TYPE_ED25519:
        return Ed25519Verifier(parsed.name, parsed.public_key)
    if parsed.signature_type == SIGNATURE_TYPE_COSIGNATURE_V1:
        from tocsin.ledger._cosignature import CosignatureVerifier

        return CosignatureVerifier(parsed.name, parsed.public_key)
    raise UnsupportedKeyError(
        f"the key {parsed.name} is an {_type_name(parsed.signature_type)} key, "
        "which this version of Tocsin cannot verify"
    )


@dataclass(frozen=True)
class NoteSignature:
    """One signature line: key name, key ID and the signature bytes after the key ID."""

    name: str
    key_id: int
    signature: bytes

    @property
    def line(self) -> str:
        """The signature line, ending in a newline."""
        encoded = base64.b64encode(self.key_id.to_bytes(4, "big") + self.signature).decode()
        return f"{_SIGNATURE_PREFIX}{self.name} {encoded}\n"


@dataclass(frozen=True)
class Note:
    """A note's text (with its final newline) and its signatures, verified or not."""

    text: str
    signatures: tuple[NoteSignature, ...] = ()
    unverified: tuple[NoteSignature, ...] = ()

    def signed_by(self, verifier: Verifier) -> bool:
        """True if a verified signature in this note is by ``verifier``'s key."""
        return any(s.name == verifier.name and s.key_id == verifier.key_id for s in self.signatures)

    def render(self) -> str:
        """The note as text: text, blank line, verified then unverified signature lines."""
        lines = "".join(s.line for s in (*self.signatures, *self.unverified))
        return f"{self.text}\n{lines}"


def _check_characters(message: bytes) -> str:
    if len(message) > MAX_NOTE_BYTES:
        raise MalformedNoteError(f"the note is larger than {MAX_NOTE_BYTES} bytes")
    try:
        decoded = message.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedNoteError("the note is not valid UTF-8") from None
    for position, char in enumerate(decoded):
        if char < " " and char != "\n":
            raise MalformedNoteError(
                f"the note contains control character U+{ord(char):04X} at position {position}"
            )
    return decoded


def _parse_signature_line(line: str) -> NoteSignature:
    if len(line.encode()) > MAX_LINE_BYTES:
        raise MalformedNoteError(f"a signature line is longer than {MAX_LINE_BYTES} bytes")
    if not line.startswith(_SIGNATURE_PREFIX):
        raise MalformedNoteError("a line after the blank line does not start with '— '")
    name, _, encoded = line[len(_SIGNATURE_PREFIX) :].partition(" ")
    if not is_valid_key_name(name):
        raise MalformedNoteError(f"the signature key name {name!r} is empty or has a space or +")
    if not encoded:
        raise MalformedNoteError(f"the signature by {name} is empty")
    try:
        raw = decode_base64(encoded, f"the signature by {name}")
    except NoteError as exc:
        raise MalformedNoteError(str(exc)) from None
    if len(raw) < 5:
        raise MalformedNoteError(f"the signature by {name} is too short to hold a key ID")
    return NoteSignature(name, int.from_bytes(raw[:4], "big"), raw[4:])


def _split(message: bytes | str) -> tuple[str, list[NoteSignature]]:
    raw = message.encode("utf-8") if isinstance(message, str) else bytes(message)
    decoded = _check_characters(raw)
    split = decoded.rfind("\n\n")
    if split < 0:
        raise MalformedNoteError("the note has no blank line before its signatures")
    text, block = decoded[: split + 1], decoded[split + 2 :]
    if not block or not block.endswith("\n"):
        raise MalformedNoteError("the note's signature block is empty or lacks its final newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedNoteError(f"the note has more than {MAX_SIGNATURES} signatures")
    for line in text[:-1].split("\n"):
        if len(line.encode()) > MAX_LINE_BYTES:
            raise MalformedNoteError(
                f"a line of the note text is longer than {MAX_LINE_BYTES} bytes"
            )
    return text, [_parse_signature_line(line) for line in lines]


def parse_note(message: bytes | str) -> Note:
    """Parse a signed note without verifying anything: every signature is unverified.

    Use this only to read the text before choosing keys (a witness reads the origin line);
    the text must not be trusted until :func:`open_note` has verified it.
    """
    text, signatures = _split(message)
    unverified: list[NoteSignature] = []
    for signature in signatures:
        if signature not in unverified:
            unverified.append(signature)
    return Note(text, (), tuple(unverified))


def open_note(message: bytes | str, verifiers: Iterable[Verifier]) -> Note:
    """Parse and verify a signed note against the trusted ``verifiers``.

    Raises :class:`MalformedNoteError` for bad syntax, :class:`InvalidSignatureError` when a
    trusted key's signature fails, and :class:`UnverifiedNoteError` when no trusted key signed.
    """
    text, signatures = _split(message)
    known: dict[tuple[str, int], list[Verifier]] = {}
    for verifier in verifiers:
        same = known.setdefault((verifier.name, verifier.key_id), [])
        if verifier not in same:
            same.append(verifier)
    encoded_text = text.encode("utf-8")
    verified: list[NoteSignature] = []
    unverified: list[NoteSignature] = []
    seen: set[tuple[str, int]] = set()
    for signature in signatures:
        candidates = known.get((signature.name, signature.key_id))
        if not candidates:
            if signature not in unverified:
                unverified.append(signature)
            continue
        if len(candidates) > 1:
            raise KeyFormatError(
                f"two different trusted keys share the name and ID "
                f"{signature.name}+{signature.key_id:08x}"
            )
        if (signature.name, signature.key_id) in seen:
            continue
        seen.add((signature.name, signature.key_id))
        if not candidates[0].verify(encoded_text, signature.signature):
            raise InvalidSignatureError(signature.name, signature.key_id)
        verified.append(signature)
    note = Note(text, tuple(verified), tuple(unverified))
    if not verified:
        raise UnverifiedNoteError(note)
    return note


def sign_note(text: str, signers: Sequence[Signer], existing: Sequence[NoteSignature] = ()) -> str:
    """Sign ``text`` (which must end in a newline) and return the signed note.

    ``existing`` signatures are kept, before the new ones, except those by a key that is
    signing now (its old signature is replaced, as Go's ``note.Sign`` does).
    """
    if not text.endswith("\n"):
        raise MalformedNoteError("a note text must end with a newline")
    _check_characters(text.encode("utf-8"))
    encoded = text.encode("utf-8")
    signing_now = {(s.name, s.key_id) for s in signers}
    lines: list[NoteSignature] = [s for s in existing if (s.name, s.key_id) not in signing_now]
    for signer in signers:
        if not is_valid_key_name(signer.name):
            raise KeyFormatError(f"the signer name {signer.name!r} is empty or contains a space")
        lines.append(NoteSignature(signer.name, signer.key_id, signer.sign(encoded)))
    if not lines:
        raise MalformedNoteError("a signed note needs at least one signature")
    return text + "\n" + "".join(s.line for s in lines)
