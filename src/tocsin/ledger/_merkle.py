"""The RFC 9162 §2.1 (= RFC 6962 §2.1) Merkle tree: hashing, proofs and strict verification.

Coordinates: the node ``(level, index)`` is the root of the complete subtree over leaves
``[index * 2**level, (index + 1) * 2**level)``; level 0 holds leaf hashes. Only complete
subtrees are ever stored, so a stored hash never changes once written. Every other hash the
tree needs (the root at a size that is not a power of two, the right edge of a proof) is folded
from the complete subtrees that cover its range.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterable, Sequence

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "Coordinate",
    "Frontier",
    "NodeReader",
    "ProofError",
    "consistency_proof",
    "consistency_proof_ranges",
    "inclusion_proof",
    "inclusion_proof_ranges",
    "leaf_hash",
    "node_hash",
    "range_coordinates",
    "reference_root",
    "root_from_leaf_hashes",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"

Coordinate = tuple[int, int]
NodeReader = Callable[[Collection[Coordinate]], dict[Coordinate, bytes]]
"""Reads stored complete-subtree hashes in one batch: coordinates in, hashes out."""


class ProofError(ValueError):
    """A proof, a hash or a tree size is malformed or does not verify; the message says which."""


def leaf_hash(leaf_data: bytes) -> bytes:
    """``SHA-256(0x00 ‖ leaf)``."""
    return hashlib.sha256(_LEAF_PREFIX + leaf_data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 ‖ left ‖ right)``."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def _largest_power_of_two_below(n: int) -> int:
    """The largest power of two strictly less than ``n`` (n >= 2): RFC 9162's split point k."""
    return 1 << ((n - 1).bit_length() - 1)


def reference_root(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) exactly as RFC 9162 §2.1.1 defines it; slow, for tests and cross-checks."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaf_hash(leaves[0])
    k = _largest_power_of_two_below(len(leaves))
    return node_hash(reference_root(leaves[:k]), reference_root(leaves[k:]))


def range_coordinates(start: int, end: int) -> list[Coordinate]:
    """The complete subtrees covering ``[start, end)``, left to right, largest first.

    For every range RFC 9162's recursion produces (``start`` aligned to a power of two no
    smaller than ``end - start``), folding these hashes from the right gives MTH(D[start:end]).
    """
    coordinates: list[Coordinate] = []
    while start < end:
        level = (start & -start).bit_length() - 1 if start else (end - start).bit_length() - 1
        while (1 << level) > end - start:
            level -= 1
        coordinates.append((level, start >> level))
        start += 1 << level
    return coordinates


def _fold(hashes: Sequence[bytes]) -> bytes:
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def _range_hash(start: int, end: int, nodes: dict[Coordinate, bytes]) -> bytes:
    return _fold([nodes[c] for c in range_coordinates(start, end)])


def root_from_leaf_hashes(hashes: Iterable[bytes]) -> tuple[int, bytes]:
    """Size and root of the tree whose leaf hashes are ``hashes``, in one streaming pass."""
    frontier = Frontier()
    for value in hashes:
        frontier.append(value)
    return frontier.size, frontier.root()


class Frontier:
    """The compact range ``[0, size)``: one hash per set bit of ``size``.

    Appending a leaf hash returns the complete subtrees it finishes, which is exactly what a
    store must persist; the root at the current size is a fold of at most log2(size) hashes.
    """

    __slots__ = ("_hashes", "size")

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        expected = len(range_coordinates(0, size))
        if len(hashes) != expected:
            raise ProofError(f"a frontier of size {size} has {expected} hashes, not {len(hashes)}")
        self.size = size
        self._hashes = list(hashes)

    @classmethod
    def load(cls, size: int, read_nodes: NodeReader) -> Frontier:
        """Rebuild the frontier of a stored tree from its complete-subtree hashes."""
        coordinates = range_coordinates(0, size)
        found = read_nodes(coordinates)
        missing = [c for c in coordinates if c not in found]
        if missing:
            raise ProofError(f"the store lacks subtree hashes {missing} for size {size}")
        return cls(size, [found[c] for c in coordinates])

    def append(self, leaf_hash_value: bytes) -> list[tuple[int, int, bytes]]:
        """Add one leaf hash; return ``(level, index, hash)`` for every subtree it completes."""
        index = self.size
        completed = [(0, index, leaf_hash_value)]
        current = leaf_hash_value
        level = 0
        while index & 1:
            current = node_hash(self._hashes.pop(), current)
            index >>= 1
            level += 1
            completed.append((level, index, current))
        self._hashes.append(current)
        self.size += 1
        return completed

    def root(self) -> bytes:
        """MTH of the leaves so far."""
        return _fold(self._hashes) if self._hashes else EMPTY_ROOT

    def copy(self) -> Frontier:
        twin = Frontier.__new__(Frontier)  # already valid: skip the check in __init__
        twin.size, twin._hashes = self.size, list(self._hashes)
        return twin


# ---------------------------------------------------------------------------------------------
# Proof generation: first list the ranges each proof element covers (so a store can fetch all
# the hashes in one batch), then fold.


def inclusion_proof_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """PATH(index, D[0:size]) of RFC 9162 §2.1.3.1 as ``[start, end)`` ranges, leaf first."""
    _check_index(index, size)
    ranges: list[tuple[int, int]] = []
    start, end = 0, size
    while end - start > 1:
        k = _largest_power_of_two_below(end - start)
        if index < start + k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
    ranges.reverse()
    return ranges


def consistency_proof_ranges(old_size: int, size: int) -> list[tuple[int, int]]:
    """PROOF(old_size, D[0:size]) of RFC 9162 §2.1.4.1 as ``[start, end)`` ranges."""
    if old_size < 0 or size < 0:
        raise ProofError("tree sizes cannot be negative")
    if old_size > size:
        raise ProofError(f"old size {old_size} is larger than the new size {size}")
    if old_size in (0, size):
        return []
    ranges: list[tuple[int, int]] = []
    start, end, m, whole = 0, size, old_size, True
    # SUBPROOF(m, D[start:end], whole), unrolled; elements collected outermost first.
    while m != end - start:
        k = _largest_power_of_two_below(end - start)
        if m <= k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
            m -= k
            whole = False
    if not whole:
        ranges.append((start, end))
    ranges.reverse()
    return ranges


def _proof_from_ranges(ranges: list[tuple[int, int]], read_nodes: NodeReader) -> list[bytes]:
    needed = {c for start, end in ranges for c in range_coordinates(start, end)}
    nodes = read_nodes(needed)
    missing = needed - nodes.keys()
    if missing:
        raise ProofError(f"the store lacks subtree hashes {sorted(missing)}")
    return [_range_hash(start, end, nodes) for start, end in ranges]


def inclusion_proof(index: int, size: int, read_nodes: NodeReader) -> list[bytes]:
    """The audit path for leaf ``index`` in the tree of ``size`` leaves."""
    return _proof_from_ranges(inclusion_proof_ranges(index, size), read_nodes)


def consistency_proof(old_size: int, size: int, read_nodes: NodeReader) -> list[bytes]:
    """The proof that the tree of ``old_size`` leaves is a prefix of the tree of ``size``."""
    return _proof_from_ranges(consistency_proof_ranges(old_size, size), read_nodes)


# ---------------------------------------------------------------------------------------------
# Strict verification (RFC 9162 §2.1.3.2 and §2.1.4.2).


def _check_hash(value: bytes, what: str) -> None:
    if not isinstance(value, bytes | bytearray) or len(value) != HASH_SIZE:
        size = len(value) if isinstance(value, bytes | bytearray) else type(value).__name__
        raise ProofError(f"{what} must be a {HASH_SIZE}-byte hash, not {size}")


def _check_index(index: int, size: int) -> None:
    if index < 0 or size < 0:
        raise ProofError("a leaf index and a tree size cannot be negative")
    if index >= size:
        raise ProofError(f"leaf index {index} is not below the tree size {size}")


def verify_inclusion(
    index: int, size: int, leaf_hash_value: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Raise :class:`ProofError` unless ``proof`` shows leaf ``index`` under ``root``."""
    _check_index(index, size)
    _check_hash(leaf_hash_value, "the leaf hash")
    _check_hash(root, "the root")
    for position, element in enumerate(proof):
        _check_hash(element, f"proof element {position}")
    fn, sn = index, size - 1
    result = leaf_hash_value
    for element in proof:
        if sn == 0:
            raise ProofError("the inclusion proof has more elements than the tree needs")
        if fn & 1 or fn == sn:
            result = node_hash(element, result)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            result = node_hash(result, element)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the inclusion proof is missing elements")
    if result != root:
        raise ProofError("the inclusion proof does not lead to the given root")


def verify_consistency(
    old_size: int, size: int, old_root: bytes, root: bytes, proof: Sequence[bytes]
) -> None:
    """Raise :class:`ProofError` unless ``proof`` shows the old tree is a prefix of the new."""
    if old_size < 0 or size < 0:
        raise ProofError("tree sizes cannot be negative")
    if old_size > size:
        raise ProofError(f"old size {old_size} is larger than the new size {size}")
    _check_hash(old_root, "the old root")
    _check_hash(root, "the new root")
    for position, element in enumerate(proof):
        _check_hash(element, f"proof element {position}")
    if old_size == size:
        if proof:
            raise ProofError("a proof between equal sizes must be empty")
        if old_root != root:
            raise ProofError("two trees of the same size have different roots")
        return
    if old_size == 0:
        # C2SP tlog-witness: the empty tree is consistent with everything, proved by nothing.
        if proof:
            raise ProofError("a proof from the empty tree must be empty")
        if old_root != EMPTY_ROOT:
            raise ProofError("the old root of an empty tree must be SHA-256 of nothing")
        return
    if not proof:
        raise ProofError("the consistency proof is empty")
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    old_result = new_result = path[0]
    for element in path[1:]:
        if sn == 0:
            raise ProofError("the consistency proof has more elements than the trees need")
        if fn & 1 or fn == sn:
            old_result = node_hash(element, old_result)
            new_result = node_hash(element, new_result)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            new_result = node_hash(new_result, element)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the consistency proof is missing elements")
    if old_result != old_root:
        raise ProofError("the consistency proof does not lead to the old root")
    if new_result != root:
        raise ProofError("the consistency proof does not lead to the new root")
