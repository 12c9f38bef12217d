"""The tree audit: rebuild the Merkle tree from a store's leaves and compare it with everything
the store keeps (every complete-subtree hash and the head), naming each difference.

Every leaf is hashed; the tree is rebuilt level by level, a whole level at a time, and every
stored subtree hash is compared with the rebuilt one; the root at the stored size is compared
with the head. A gap, a duplicate, an extra or a changed leaf or subtree hash shows here. The
audit reads only through the :class:`LedgerStore` port's streaming reads, so it runs the same
on every adapter.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from tocsin.ledger._merkle import EMPTY_ROOT, node_hash, range_coordinates
from tocsin.ledger._store import LedgerStore, StoreConflict

__all__ = ["AuditProblem", "StoreTables", "TreeAudit", "audit_tree"]

Progress = Callable[[str, int, int], None]
"""Called as ``progress(phase, done, total)`` while an audit runs."""


@dataclass(frozen=True)
class AuditProblem:
    """One thing found wrong: which check, where (table, row, sequence number) and what."""

    check: str
    table: str
    row: str | None
    seq: int | None
    detail: str

    def __str__(self) -> str:
        where = self.table + (f" row {self.row}" if self.row is not None else "")
        at = f" (seq {self.seq})" if self.seq is not None else ""
        return f"[{self.check}] {where}{at}: {self.detail}"


class StoreTables(NamedTuple):
    """What the store calls its leaves, subtree hashes and head, for naming where a problem
    lies (a database store's table names)."""

    leaf: str = "leaf"
    node: str = "node"
    head: str = "head"


@dataclass
class TreeAudit:
    """What the tree audit found, and the tree it rebuilt (for checking signed roots)."""

    head: tuple[int, bytes] | None
    levels: list[list[bytes]]
    problems: list[AuditProblem] = field(default_factory=list)

    @property
    def size(self) -> int:
        return self.head[0] if self.head else 0

    def root_at(self, size: int) -> bytes | None:
        """The rebuilt tree's root at ``size``; None if a missing leaf lies below it."""
        levels = self.levels
        frontier = [
            levels[lv][ix] if lv < len(levels) and ix < len(levels[lv]) else b""
            for lv, ix in range_coordinates(0, size)
        ]
        if any(not h for h in frontier):
            return None
        if not frontier:
            return EMPTY_ROOT
        root = frontier[-1]
        for left in reversed(frontier[:-1]):
            root = node_hash(left, root)
        return root


def audit_tree(
    store: LedgerStore,
    *,
    tables: StoreTables = StoreTables(),  # noqa: B008 - an immutable tuple
    progress: Progress | None = None,
) -> TreeAudit:
    """Rebuild the tree from ``store``'s leaves and compare it with what the store keeps."""
    return _TreeAuditor(store, tables, progress or (lambda phase, done, total: None)).run()


class _TreeAuditor:
    def __init__(self, store: LedgerStore, tables: StoreTables, progress: Progress) -> None:
        self.store = store
        self.tables = tables
        self.progress = progress
        self.problems: list[AuditProblem] = []

    def problem(self, table: str, row: str, seq: int | None, detail: str) -> None:
        self.problems.append(AuditProblem("tree", table, row, seq, detail))

    def run(self) -> TreeAudit:
        tables = self.tables
        try:
            head: tuple[int, bytes] | None = self.store.head()
        except StoreConflict:
            head = None
            self.problems.append(
                AuditProblem("head", tables.head, None, None, "expected one head row, found 0")
            )
        size = head[0] if head else 0
        level_hashes = self.leaf_hashes(size)
        # Leaf hashes are computed from the leaves, never stored: any stored at level 0 is
        # foreign.
        for index, _ in self.store.read_level(0):
            self.problem(
                tables.node,
                f"(0, {index})",
                int(index),
                f"a leaf hash is stored, but leaf hashes are computed from {tables.leaf}, "
                "never stored",
            )

        # Level by level: the stored complete subtrees against the rebuilt ones. A missing
        # leaf (b"") poisons every hash above it, so only the lowest difference is reported.
        levels: list[list[bytes]] = [level_hashes]
        level = 0
        sha256 = hashlib.sha256
        while len(level_hashes) >= 2:
            level_hashes = [
                sha256(b"\x01" + left + right).digest() if left and right else b""
                for left, right in zip(level_hashes[0::2], level_hashes[1::2], strict=False)
            ]
            level += 1
            levels.append(level_hashes)
            self.compare_level(level, level_hashes, self.store.read_level(level))
        for stray_level, stray_index in self.store.coordinates_above(level):
            self.problem(
                tables.node,
                f"({stray_level}, {stray_index})",
                None,
                "subtree hash stored above the top of the tree",
            )

        audit = TreeAudit(head, levels, self.problems)
        if head is None:
            return audit
        recomputed = audit.root_at(size)
        if recomputed is not None and recomputed != head[1]:
            detail = f"stored root differs from the root recomputed at size {size}"
            if size % 2:
                # The last leaf of an odd-sized tree is under no stored subtree: only the root
                # covers it, so a change to it and a change to the root look the same here.
                detail += f" (the root, or the last leaf, seq {size - 1}, was changed)"
            self.problem(tables.head, "1", None, detail)
        self.progress("tree", size, size)
        return audit

    def leaf_hashes(self, size: int) -> list[bytes]:
        """Every leaf's hash, in order; b"" where a leaf is missing (each one reported)."""
        leaf_table = self.tables.leaf
        sha256 = hashlib.sha256
        hashes: list[bytes] = []
        expected_seq = 0
        for batch in self.store.stream_leaves():
            first, last = batch[0][0], batch[-1][0]
            if first == expected_seq and last == expected_seq + len(batch) - 1 and last < size:
                # The common case: a dense run (seq is the primary key, so no duplicates).
                hashes += [sha256(b"\x00" + data).digest() for _, data in batch]
                expected_seq = last + 1
            else:
                for seq, data in batch:
                    if seq >= size:
                        self.problem(leaf_table, str(seq), seq, f"leaf beyond the head size {size}")
                        continue
                    for missing in range(expected_seq, seq):
                        self.problem(leaf_table, str(missing), missing, "leaf is missing")
                        hashes.append(b"")
                    hashes.append(sha256(b"\x00" + data).digest())
                    expected_seq = seq + 1
            self.progress("tree", expected_seq, size)
        for missing in range(expected_seq, size):
            self.problem(leaf_table, str(missing), missing, "leaf is missing")
            hashes.append(b"")
        return hashes

    def compare_level(
        self, level: int, recomputed: list[bytes], stored: list[tuple[int, bytes]]
    ) -> None:
        node_table = self.tables.node
        # (level, index) is the primary key, so the indexes are unique and sorted: the first
        # being 0 and the last len-1 means they are exactly 0..len-1.
        dense = not stored or (stored[0][0] == 0 and stored[-1][0] == len(stored) - 1)
        if dense and [value for _, value in stored] == recomputed:
            return  # the whole level matches
        by_index = dict(stored)
        for index, value in by_index.items():
            if index >= len(recomputed):
                self.problem(
                    node_table,
                    f"({level}, {index})",
                    index << level,
                    "subtree hash stored beyond the tree",
                )
            elif recomputed[index] and recomputed[index] != value and level == 1:
                self.blame_level_one(index, by_index)
            elif recomputed[index] and recomputed[index] != value:
                self.problem(
                    node_table,
                    f"({level}, {index})",
                    index << level,
                    "stored subtree hash differs from the recomputed one",
                )
        for index in range(len(recomputed)):
            if index not in by_index:
                self.problem(
                    node_table, f"({level}, {index})", index << level, "subtree hash is missing"
                )

    def blame_level_one(self, index: int, stored: dict[int, bytes]) -> None:
        """Two leaves do not hash to their stored parent: say which was changed, the leaves or
        the parent. If the stored parent still agrees with the stored tree above it (its
        sibling and their own parent), the leaves were changed; otherwise the hash was."""
        leaf_table, node_table = self.tables.leaf, self.tables.node
        first = index * 2
        left, right = stored.get(index & ~1), stored.get(index | 1)
        grandparent = self.store.read_nodes([(2, index >> 1)]).get((2, index >> 1))
        if left and right and grandparent and node_hash(left, right) == grandparent:
            self.problem(
                leaf_table,
                f"{first}, {first + 1}",
                first,
                f"leaves {first} and {first + 1} do not hash to {node_table} (1, {index}), "
                "which agrees with the tree above it: one of the leaves was changed",
            )
        elif grandparent is None:
            self.problem(
                leaf_table,
                f"{first}, {first + 1}",
                first,
                f"leaves {first} and {first + 1} do not hash to {node_table} (1, {index}): one "
                "of them or that hash was changed",
            )
        else:
            self.problem(
                node_table,
                f"(1, {index})",
                first,
                "stored subtree hash differs from the one recomputed from leaves "
                f"{first} and {first + 1}, and from the tree above it: the hash was changed",
            )
