"""The ledger: append events to a store and prove things about the tree it holds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tocsin.ledger._envelope import Envelope, SealedPayload, seal_payload
from tocsin.ledger._merkle import (
    Frontier,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
)
from tocsin.ledger._store import Entry, LedgerStore, StoreConflict

__all__ = ["ConsistencyProof", "InclusionProof", "Ledger", "NewEvent"]


@dataclass(frozen=True)
class NewEvent:
    """An event about to be appended; the ledger assigns its sequence number."""

    kind: str
    v: int
    time: str
    actor: str
    subjects: tuple[str, ...]
    payload: dict[str, Any]
    #: the payload already sealed (canonical bytes and salt), when the caller needs the bytes
    #: too; otherwise the ledger seals ``payload`` itself.
    sealed: SealedPayload | None = None


@dataclass(frozen=True)
class InclusionProof:
    index: int
    size: int
    leaf_hash: bytes
    hashes: list[bytes]
    root: bytes


@dataclass(frozen=True)
class ConsistencyProof:
    old_size: int
    size: int
    old_root: bytes
    root: bytes
    hashes: list[bytes]


class Ledger:
    """Appends to and reads from one :class:`LedgerStore`.

    Appending is only safe while the caller holds the store's write lock (the server holds it
    for the whole projection transaction). The ledger caches the frontier between appends and
    reuses it only while the stored head still matches it, so a rolled-back transaction or
    another process's append can never leave it hashing onto a stale tree.
    """

    def __init__(self, store: LedgerStore) -> None:
        self.store = store
        self._frontier: Frontier | None = None
        self._frontier_root: bytes | None = None

    def _load_frontier(self) -> Frontier:
        size, root = self.store.head()
        frontier = Frontier.load(size, self.store.read_nodes)
        if frontier.root() != root:
            raise ProofError(f"the stored root at size {size} does not match its subtrees")
        return frontier

    def append(self, events: Sequence[NewEvent]) -> list[Envelope]:
        """Append ``events`` in order; return their envelopes (with sequence numbers).

        The write succeeds only if the stored head is still the one the cached frontier was
        built on; if another writer (or a rolled-back transaction) moved it, the frontier is
        reloaded from the store and the events are sealed again on top of it.
        """
        if self._frontier is not None and self._frontier_root is not None:
            base, base_root = self._frontier, self._frontier_root
        else:
            base = self._load_frontier()
            base_root = base.root()
        for attempt in range(2):
            old_head = (base.size, base_root)
            frontier = base.copy()
            entries: list[Entry] = []
            nodes: list[tuple[int, int, bytes]] = []
            envelopes: list[Envelope] = []
            for event in events:
                sealed = event.sealed or seal_payload(event.payload)
                envelope = Envelope(
                    v=event.v,
                    seq=frontier.size,
                    time=event.time,
                    kind=event.kind,
                    actor=event.actor,
                    subjects=tuple(event.subjects),
                    commitment=sealed.commitment,
                )
                leaf = envelope.leaf()
                nodes.extend(frontier.append(leaf_hash(leaf)))
                entries.append(Entry(envelope=envelope, leaf=leaf, payload=sealed))
                envelopes.append(envelope)
            new_root = frontier.root()
            try:
                self.store.write(entries, nodes, old_head, (frontier.size, new_root))
            except StoreConflict:
                self._frontier = self._frontier_root = None
                if attempt:
                    raise
                base = self._load_frontier()
                base_root = base.root()
                continue
            self._frontier, self._frontier_root = frontier, new_root
            return envelopes
        raise AssertionError("unreachable")

    def size(self) -> int:
        return self.store.size()

    def root(self, size: int | None = None) -> bytes:
        """The root at ``size`` (default: the head), from stored complete subtrees."""
        head_size, head_root = self.store.head()
        if size is None or size == head_size:
            return head_root
        self._check_size(size, head_size)
        return Frontier.load(size, self.store.read_nodes).root()

    def inclusion_proof(self, index: int, size: int | None = None) -> InclusionProof:
        head_size = self.store.size()
        size = head_size if size is None else size
        self._check_size(size, head_size)
        hashes = inclusion_proof(index, size, self.store.read_nodes)
        leaf = self.store.read_nodes([(0, index)])[(0, index)]
        return InclusionProof(index, size, leaf, hashes, self.root(size))

    def consistency_proof(self, old_size: int, size: int | None = None) -> ConsistencyProof:
        head_size = self.store.size()
        size = head_size if size is None else size
        self._check_size(size, head_size)
        hashes = consistency_proof(old_size, size, self.store.read_nodes)
        return ConsistencyProof(old_size, size, self.root(old_size), self.root(size), hashes)

    @staticmethod
    def _check_size(size: int, head_size: int) -> None:
        if size < 0:
            raise ProofError("a tree size cannot be negative")
        if size > head_size:
            raise ProofError(f"the ledger holds {head_size} events, fewer than {size}")
