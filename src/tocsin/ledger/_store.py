"""The ledger's storage port and its in-memory adapter.

A store keeps four things: the leaves (dense from sequence number 0), the hashes of every
complete subtree, the payloads with their salts, and the head (size and root). It does no
hashing of its own; :class:`tocsin.ledger.Ledger` decides what to write. Every adapter passes
the one contract suite in ``tests/unit/ledger/store_contract.py``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from tocsin.ledger._envelope import Envelope, SealedPayload
from tocsin.ledger._merkle import EMPTY_ROOT, Coordinate

__all__ = ["Entry", "LedgerStore", "MemoryStore", "StoreConflict"]


class StoreConflict(RuntimeError):
    """A write did not start at the store's current size: another writer got there first."""


@dataclass(frozen=True)
class Entry:
    """One appended event as stored: its envelope, the leaf bytes and the sealed payload."""

    envelope: Envelope
    leaf: bytes
    payload: SealedPayload

    @property
    def seq(self) -> int:
        return self.envelope.seq


class LedgerStore(ABC):
    """Where a ledger keeps its leaves, subtree hashes, payloads and head."""

    @abstractmethod
    def head(self) -> tuple[int, bytes]:
        """The stored size and the root at that size."""

    @abstractmethod
    def write(
        self,
        entries: Sequence[Entry],
        nodes: Sequence[tuple[int, int, bytes]],
        old_head: tuple[int, bytes],
        new_head: tuple[int, bytes],
    ) -> None:
        """Store ``entries``, the subtree hashes they complete, and the new head, but only if
        the stored head is still ``old_head``; otherwise write nothing and raise
        :class:`StoreConflict` (another writer got there first)."""

    @abstractmethod
    def read_leaves(self, start: int, end: int) -> list[bytes]:
        """Leaves ``[start, end)`` in order; fewer if the store has fewer."""

    @abstractmethod
    def read_nodes(self, coordinates: Collection[Coordinate]) -> dict[Coordinate, bytes]:
        """Complete-subtree hashes; coordinates not stored are left out. A store may compute
        leaf hashes (level 0) from its leaves rather than keep them."""

    @abstractmethod
    def read_payloads(self, seqs: Collection[int]) -> dict[int, SealedPayload]:
        """Stored payloads; erased or unknown sequence numbers are left out."""

    @abstractmethod
    def erase_payloads(self, seqs: Collection[int]) -> None:
        """Remove payloads and their salts for good; the leaves stay."""

    def size(self) -> int:
        return self.head()[0]


class MemoryStore(LedgerStore):
    """A store in Python lists and dicts, for tests, benchmarks and offline tools."""

    def __init__(self) -> None:
        self._leaves: list[bytes] = []
        self._nodes: dict[Coordinate, bytes] = {}
        self._payloads: dict[int, SealedPayload] = {}
        self._root = EMPTY_ROOT

    def head(self) -> tuple[int, bytes]:
        return len(self._leaves), self._root

    def write(
        self,
        entries: Sequence[Entry],
        nodes: Sequence[tuple[int, int, bytes]],
        old_head: tuple[int, bytes],
        new_head: tuple[int, bytes],
    ) -> None:
        if old_head != self.head():
            raise StoreConflict(f"the store's head is no longer at size {old_head[0]}")
        current = len(self._leaves)
        expected = list(range(current, current + len(entries)))
        if [entry.seq for entry in entries] != expected or new_head[0] != current + len(entries):
            raise StoreConflict(f"the store holds {current} leaves; the write did not follow on")
        for entry in entries:
            self._leaves.append(entry.leaf)
            self._payloads[entry.seq] = entry.payload
        for level, index, value in nodes:
            self._nodes[(level, index)] = value
        self._root = new_head[1]

    def read_leaves(self, start: int, end: int) -> list[bytes]:
        return self._leaves[max(start, 0) : max(end, 0)]

    def read_nodes(self, coordinates: Collection[Coordinate]) -> dict[Coordinate, bytes]:
        return {c: self._nodes[c] for c in coordinates if c in self._nodes}

    def read_payloads(self, seqs: Collection[int]) -> dict[int, SealedPayload]:
        return {s: self._payloads[s] for s in seqs if s in self._payloads}

    def erase_payloads(self, seqs: Collection[int]) -> None:
        for seq in seqs:
            self._payloads.pop(seq, None)
