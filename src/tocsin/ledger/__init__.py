"""The tamper-evident ledger: canonical JSON, event envelopes, the RFC 9162 Merkle tree and its
proofs, the storage port and the audit of a store's tree, and the C2SP formats that let
outsiders check it (signed notes, checkpoints, cosignatures, tlog-proof receipts, hash tiles).
Plain Python; imports nothing from Django.

Errors raised here::

    ValueError
    ├── CanonicalJSONError   a value cannot be (or was not) written as RFC 8785 JSON
    ├── EnvelopeError        a leaf is not a well-formed event envelope
    ├── ProofError           a proof, hash or size is malformed or does not verify
    ├── NoteError            a signed note, key or signature is malformed or does not verify
    │   ├── MalformedNoteError     the text is not a well-formed signed note
    │   ├── KeyFormatError         a vkey or skey is malformed
    │   │   └── UnsupportedKeyError    a well-formed key of a type Tocsin cannot use
    │   ├── UnverifiedNoteError    no signature from a trusted key
    │   ├── InvalidSignatureError  a trusted key's signature fails
    │   └── CosignatureError       a cosignature is malformed, fails, or too few
    ├── CheckpointError      a checkpoint body is malformed or for another log
    ├── TlogProofError       a tlog-proof receipt is malformed or does not verify
    └── TileError            a tile path is malformed or the tile does not exist
    RuntimeError
    └── StoreConflict        a write did not continue from the store's current size
"""

from tocsin.ledger._audit import AuditProblem, StoreTables, TreeAudit, audit_tree
from tocsin.ledger._canonical import CanonicalJSONError, canonical_json, parse_canonical_json
from tocsin.ledger._checkpoint import (
    Checkpoint,
    CheckpointError,
    OpenedCheckpoint,
    open_checkpoint,
    parse_checkpoint,
    sign_checkpoint,
)
from tocsin.ledger._cosignature import (
    Cosignature,
    CosignatureError,
    CosignatureSigner,
    CosignatureVerifier,
    cosign,
    cosignature_message,
    verify_cosignatures,
)
from tocsin.ledger._envelope import (
    SALT_SIZE,
    Envelope,
    EnvelopeError,
    SealedPayload,
    format_event_time,
    seal_payload,
)
from tocsin.ledger._ledger import ConsistencyProof, InclusionProof, Ledger, NewEvent
from tocsin.ledger._merkle import (
    EMPTY_ROOT,
    HASH_SIZE,
    Coordinate,
    Frontier,
    NodeReader,
    ProofError,
    consistency_proof,
    consistency_proof_ranges,
    inclusion_proof,
    inclusion_proof_ranges,
    leaf_hash,
    node_hash,
    range_coordinates,
    reference_root,
    root_from_leaf_hashes,
    verify_consistency,
    verify_inclusion,
)
from tocsin.ledger._note import (
    SIGNATURE_TYPE_COSIGNATURE_V1,
    SIGNATURE_TYPE_ED25519,
    SIGNATURE_TYPE_MLDSA44_COSIGNATURE,
    Ed25519Signer,
    Ed25519Verifier,
    InvalidSignatureError,
    KeyFormatError,
    MalformedNoteError,
    Note,
    NoteError,
    NoteSignature,
    Signer,
    UnsupportedKeyError,
    UnverifiedNoteError,
    Verifier,
    VerifierKey,
    ed25519_vkey,
    generate_skey,
    key_id,
    open_note,
    parse_note,
    parse_vkey,
    sign_note,
    signer_from_skey,
    verifier_from_vkey,
)
from tocsin.ledger._store import Entry, LedgerStore, MemoryStore, StoreConflict, StoredEvent
from tocsin.ledger._tiles import (
    TILE_WIDTH,
    TileError,
    hash_tile,
    parse_tile_path,
    tile_path,
    tile_width,
)
from tocsin.ledger._tlogproof import (
    TlogProof,
    TlogProofError,
    VerifiedTlogProof,
    format_tlog_proof,
    parse_tlog_proof,
    verify_tlog_proof,
)

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "SALT_SIZE",
    "SIGNATURE_TYPE_COSIGNATURE_V1",
    "SIGNATURE_TYPE_ED25519",
    "SIGNATURE_TYPE_MLDSA44_COSIGNATURE",
    "TILE_WIDTH",
    "AuditProblem",
    "CanonicalJSONError",
    "Checkpoint",
    "CheckpointError",
    "ConsistencyProof",
    "Coordinate",
    "Cosignature",
    "CosignatureError",
    "CosignatureSigner",
    "CosignatureVerifier",
    "Ed25519Signer",
    "Ed25519Verifier",
    "Entry",
    "Envelope",
    "EnvelopeError",
    "Frontier",
    "InclusionProof",
    "InvalidSignatureError",
    "KeyFormatError",
    "Ledger",
    "LedgerStore",
    "MalformedNoteError",
    "MemoryStore",
    "NewEvent",
    "NodeReader",
    "Note",
    "NoteError",
    "NoteSignature",
    "OpenedCheckpoint",
    "ProofError",
    "SealedPayload",
    "Signer",
    "StoreConflict",
    "StoreTables",
    "StoredEvent",
    "TileError",
    "TlogProof",
    "TlogProofError",
    "TreeAudit",
    "UnsupportedKeyError",
    "UnverifiedNoteError",
    "VerifiedTlogProof",
    "Verifier",
    "VerifierKey",
    "audit_tree",
    "canonical_json",
    "consistency_proof",
    "consistency_proof_ranges",
    "cosign",
    "cosignature_message",
    "ed25519_vkey",
    "format_event_time",
    "format_tlog_proof",
    "generate_skey",
    "hash_tile",
    "inclusion_proof",
    "inclusion_proof_ranges",
    "key_id",
    "leaf_hash",
    "node_hash",
    "open_checkpoint",
    "open_note",
    "parse_canonical_json",
    "parse_checkpoint",
    "parse_note",
    "parse_tile_path",
    "parse_tlog_proof",
    "parse_vkey",
    "range_coordinates",
    "reference_root",
    "root_from_leaf_hashes",
    "seal_payload",
    "sign_checkpoint",
    "sign_note",
    "signer_from_skey",
    "tile_path",
    "tile_width",
    "verifier_from_vkey",
    "verify_consistency",
    "verify_cosignatures",
    "verify_inclusion",
    "verify_tlog_proof",
]
