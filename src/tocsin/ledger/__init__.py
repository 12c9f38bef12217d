"""The tamper-evident ledger: canonical JSON, event envelopes, the RFC 9162 Merkle tree and its
proofs, and the storage port. Plain Python; imports nothing from Django.

Errors raised here::

    ValueError
    ├── CanonicalJSONError   a value cannot be (or was not) written as RFC 8785 JSON
    ├── EnvelopeError        a leaf is not a well-formed event envelope
    └── ProofError           a proof, hash or size is malformed or does not verify
    RuntimeError
    └── StoreConflict        a write did not continue from the store's current size
"""

from tocsin.ledger._canonical import CanonicalJSONError, canonical_json, parse_canonical_json
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
from tocsin.ledger._store import Entry, LedgerStore, MemoryStore, StoreConflict

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "SALT_SIZE",
    "CanonicalJSONError",
    "ConsistencyProof",
    "Coordinate",
    "Entry",
    "Envelope",
    "EnvelopeError",
    "Frontier",
    "InclusionProof",
    "Ledger",
    "LedgerStore",
    "MemoryStore",
    "NewEvent",
    "NodeReader",
    "ProofError",
    "SealedPayload",
    "StoreConflict",
    "canonical_json",
    "consistency_proof",
    "consistency_proof_ranges",
    "format_event_time",
    "inclusion_proof",
    "inclusion_proof_ranges",
    "leaf_hash",
    "node_hash",
    "parse_canonical_json",
    "range_coordinates",
    "reference_root",
    "root_from_leaf_hashes",
    "seal_payload",
    "verify_consistency",
    "verify_inclusion",
]
