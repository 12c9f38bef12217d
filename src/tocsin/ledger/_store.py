"""The ledger's storage port and its in-memory adapter.

A store keeps four things: the leaves (dense from sequence number 0), the hashes of every
complete subtree, the payloads with their salts, and the head (size and root). It does no
hashing of its own; :class:`tocsin.ledger.Ledger` decides what to write. Every adapter passes
the one contract suite in ``tests/unit/ledger/store_contract.py``.

Besides the reads a ledger needs to append and prove, a store streams what verification reads
in bulk (every leaf, a whole level of the tree, the leaves with their payloads), returning what
is stored as it is, so that a gap, a stray row or a changed column can be found and named.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from tocsin.ledger._envelope import Envelope, SealedPayload
from tocsin.ledger._merkle import EMPTY_ROOT, Coordinate, leaf_hash

__all__ = ["Entry", "LedgerStore", "MemoryStore", "StoreConflict", "StoredEvent"]

#: How many rows a streaming read returns at a time, unless told otherwise.
BATCH = 20_000


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


class StoredEvent(NamedTuple):
    """One leaf as stored, with the copies of its kind and first subject kept beside it (for
    looking events up without parsing them) and its payload; None where the payload is gone."""

    seq: int
    kind: str
    subject: str
    leaf: bytes
    payload: SealedPayload | None


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

    # Streaming reads for verification: everything stored, in order, in batches, so that a
    # million events never sit in memory at once as rows.

    @abstractmethod
    def stream_leaves(
        self, end: int | None = None, *, batch: int = BATCH
    ) -> Iterator[list[tuple[int, bytes]]]:
        """Every stored leaf below sequence number ``end`` (all of them if None) as
        ``(seq, leaf)``, in order of seq, in lists of at most ``batch``."""

    @abstractmethod
    def read_level(self, level: int) -> list[tuple[int, bytes]]:
        """Every subtree hash stored at ``level`` as ``(index, hash)``, in order of index. A
        store that computes leaf hashes rather than keeping them returns none for level 0."""

    @abstractmethod
    def coordinates_above(self, level: int) -> list[Coordinate]:
        """The coordinates of every subtree hash stored above ``level``, in order."""

    @abstractmethod
    def stream_events(
        self, end: int, *, start: int = 0, batch: int = BATCH
    ) -> Iterator[list[StoredEvent]]:
        """Every stored leaf from ``start`` up to (not including) ``end`` with its payload, in
        order of seq, in lists of at most ``batch``."""

    @abstractmethod
    def events_of_kind(self, kind: str) -> Iterator[StoredEvent]:
        """The stored leaves whose kind column is ``kind``, with their payloads, in order
        (the ``record.expunged`` events, say, which name the payloads they erased)."""

    @abstractmethod
    def orphan_payloads(self) -> list[int]:
        """The sequence numbers of stored payloads that have no leaf, in order."""


class MemoryStore(LedgerStore):
    """A store in Python lists and dicts, for tests, benchmarks and offline tools."""

    def __init__(self) -> None:
        self._leaves: list[bytes] = []
        self._columns: list[tuple[str, str]] = []  # each leaf's kind and first subject
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
            subjects = entry.envelope.subjects
            self._columns.append((entry.envelope.kind, subjects[0] if subjects else ""))
            self._payloads[entry.seq] = entry.payload
        for level, index, value in nodes:
            if level > 0:  # leaf hashes are computed from the leaves, as the database does
                self._nodes[(level, index)] = value
        self._root = new_head[1]

    def read_leaves(self, start: int, end: int) -> list[bytes]:
        return self._leaves[max(start, 0) : max(end, 0)]

    def read_nodes(self, coordinates: Collection[Coordinate]) -> dict[Coordinate, bytes]:
        found = {c: self._nodes[c] for c in coordinates if c in self._nodes}
        for level, index in coordinates:
            if level == 0 and 0 <= index < len(self._leaves):
                found[(0, index)] = leaf_hash(self._leaves[index])
        return found

    def read_payloads(self, seqs: Collection[int]) -> dict[int, SealedPayload]:
        return {s: self._payloads[s] for s in seqs if s in self._payloads}

    def erase_payloads(self, seqs: Collection[int]) -> None:
        for seq in seqs:
            self._payloads.pop(seq, None)

    def stream_leaves(
        self, end: int | None = None, *, batch: int = BATCH
    ) -> Iterator[list[tuple[int, bytes]]]:
        stop = len(self._leaves) if end is None else min(max(end, 0), len(self._leaves))
        for start in range(0, stop, batch):
            yield list(enumerate(self._leaves[start : min(start + batch, stop)], start))

    def read_level(self, level: int) -> list[tuple[int, bytes]]:
        return sorted((i, value) for (lv, i), value in self._nodes.items() if lv == level)

    def coordinates_above(self, level: int) -> list[Coordinate]:
        return sorted(c for c in self._nodes if c[0] > level)

    def _event(self, seq: int) -> StoredEvent:
        kind, subject = self._columns[seq]
        return StoredEvent(seq, kind, subject, self._leaves[seq], self._payloads.get(seq))

    def stream_events(
        self, end: int, *, start: int = 0, batch: int = BATCH
    ) -> Iterator[list[StoredEvent]]:
        stop = min(max(end, 0), len(self._leaves))
        for first in range(max(start, 0), stop, batch):
            yield [self._event(seq) for seq in range(first, min(first + batch, stop))]

    def events_of_kind(self, kind: str) -> Iterator[StoredEvent]:
        for seq, (stored_kind, _) in enumerate(self._columns):
            if stored_kind == kind:
                yield self._event(seq)

    def orphan_payloads(self) -> list[int]:
        return sorted(seq for seq in self._payloads if seq >= len(self._leaves))
