"""The Merkle tree against the RFC 6962 reference data, and properties of its proofs.

Vectors typed from transparency-dev/merkle `testonly/constants.go` (leaf inputs, node hashes,
root hashes) and `testonly/reference_test.go` (inclusion and consistency proofs).
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.ledger import (
    EMPTY_ROOT,
    Frontier,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    reference_root,
    verify_consistency,
    verify_inclusion,
)

LEAVES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
NODE_HASHES = {
    (0, 0): "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    (0, 1): "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    (0, 2): "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
    (0, 3): "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
    (0, 4): "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    (0, 5): "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
    (0, 6): "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
    (0, 7): "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    (1, 0): "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    (1, 1): "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    (1, 2): "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
    (1, 3): "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    (2, 0): "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    (2, 1): "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    (3, 0): "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
INCLUSION = [
    (0, 1, []),
    (0, 2, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"]),
    (1, 2, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]
CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]


def build(leaves: list[bytes]) -> tuple[Frontier, dict[tuple[int, int], bytes]]:
    frontier = Frontier()
    nodes: dict[tuple[int, int], bytes] = {}
    for leaf in leaves:
        for level, index, value in frontier.append(leaf_hash(leaf)):
            nodes[(level, index)] = value
    return frontier, nodes


def reader(nodes: dict[tuple[int, int], bytes]):  # type: ignore[no-untyped-def]
    return lambda coordinates: {c: nodes[c] for c in coordinates if c in nodes}


def test_empty_root_is_sha256_of_nothing() -> None:
    assert hashlib.sha256(b"").digest() == EMPTY_ROOT
    assert Frontier().root() == EMPTY_ROOT


def test_stored_subtree_hashes_match_the_reference_tree() -> None:
    _, nodes = build(LEAVES)
    assert {k: v.hex() for k, v in nodes.items()} == NODE_HASHES


@pytest.mark.parametrize("size", range(9))
def test_root_at_every_size_matches_the_reference(size: int) -> None:
    _, nodes = build(LEAVES)
    assert Frontier.load(size, reader(nodes)).root().hex() == ROOTS[size]
    assert reference_root(LEAVES[:size]).hex() == ROOTS[size]


@pytest.mark.parametrize(("index", "size", "expected"), INCLUSION)
def test_inclusion_proofs_match_the_reference(index: int, size: int, expected: list[str]) -> None:
    _, nodes = build(LEAVES)
    proof = inclusion_proof(index, size, reader(nodes))
    assert [h.hex() for h in proof] == expected
    verify_inclusion(index, size, leaf_hash(LEAVES[index]), proof, bytes.fromhex(ROOTS[size]))


@pytest.mark.parametrize(("old", "new", "expected"), CONSISTENCY)
def test_consistency_proofs_match_the_reference(old: int, new: int, expected: list[str]) -> None:
    _, nodes = build(LEAVES)
    proof = consistency_proof(old, new, reader(nodes))
    assert [h.hex() for h in proof] == expected
    verify_consistency(old, new, bytes.fromhex(ROOTS[old]), bytes.fromhex(ROOTS[new]), proof)


# --- strictness -------------------------------------------------------------------------------

GOOD_INDEX, GOOD_SIZE = 5, 8


def _good_inclusion() -> tuple[bytes, list[bytes], bytes]:
    _, nodes = build(LEAVES)
    proof = inclusion_proof(GOOD_INDEX, GOOD_SIZE, reader(nodes))
    return leaf_hash(LEAVES[GOOD_INDEX]), proof, bytes.fromhex(ROOTS[GOOD_SIZE])


def test_inclusion_rejects_an_index_not_below_the_size() -> None:
    leaf, proof, root = _good_inclusion()
    with pytest.raises(ProofError, match="not below the tree size"):
        verify_inclusion(8, 8, leaf, proof, root)


def test_inclusion_rejects_a_negative_leaf_index() -> None:
    # Shifting -1 right stays -1, so without the check index -1 walks the path of the last
    # leaf: the last leaf's proof would "prove" a leaf at index -1.
    _, nodes = build(LEAVES)
    last = GOOD_SIZE - 1
    proof = inclusion_proof(last, GOOD_SIZE, reader(nodes))
    root = bytes.fromhex(ROOTS[GOOD_SIZE])
    verify_inclusion(last, GOOD_SIZE, leaf_hash(LEAVES[last]), proof, root)
    with pytest.raises(ProofError, match="cannot be negative"):
        verify_inclusion(-1, GOOD_SIZE, leaf_hash(LEAVES[last]), proof, root)


@pytest.mark.parametrize("length", [0, 31, 33, 64])
def test_inclusion_rejects_hashes_that_are_not_32_bytes(length: int) -> None:
    leaf, proof, root = _good_inclusion()
    with pytest.raises(ProofError, match="32-byte"):
        verify_inclusion(GOOD_INDEX, GOOD_SIZE, leaf, [*proof[:-1], b"\x00" * length], root)
    with pytest.raises(ProofError, match="32-byte"):
        verify_inclusion(GOOD_INDEX, GOOD_SIZE, b"\x00" * length, proof, root)
    with pytest.raises(ProofError, match="32-byte"):
        verify_inclusion(GOOD_INDEX, GOOD_SIZE, leaf, proof, b"\x00" * length)


def test_inclusion_rejects_trailing_and_missing_elements() -> None:
    leaf, proof, root = _good_inclusion()
    with pytest.raises(ProofError, match="more elements"):
        verify_inclusion(GOOD_INDEX, GOOD_SIZE, leaf, [*proof, proof[0]], root)
    with pytest.raises(ProofError, match="missing elements"):
        verify_inclusion(GOOD_INDEX, GOOD_SIZE, leaf, proof[:-1], root)


def test_consistency_rejects_an_old_size_above_the_new() -> None:
    root = bytes.fromhex(ROOTS[8])
    with pytest.raises(ProofError, match="larger than the new size"):
        verify_consistency(8, 6, root, root, [])


def test_consistency_rejects_trailing_and_missing_elements() -> None:
    _, nodes = build(LEAVES)
    proof = consistency_proof(6, 8, reader(nodes))
    old, new = bytes.fromhex(ROOTS[6]), bytes.fromhex(ROOTS[8])
    with pytest.raises(ProofError, match="more elements"):
        verify_consistency(6, 8, old, new, [*proof, proof[0]])
    with pytest.raises(ProofError, match=r"missing elements|does not lead"):
        verify_consistency(6, 8, old, new, proof[:-1])
    with pytest.raises(ProofError, match="empty"):
        verify_consistency(6, 8, old, new, [])


def test_consistency_between_equal_sizes_needs_an_empty_proof_and_equal_roots() -> None:
    root = bytes.fromhex(ROOTS[8])
    verify_consistency(8, 8, root, root, [])
    with pytest.raises(ProofError, match="must be empty"):
        verify_consistency(8, 8, root, root, [root])
    with pytest.raises(ProofError, match="different roots"):
        verify_consistency(8, 8, root, bytes.fromhex(ROOTS[7]), [])


def test_consistency_from_the_empty_tree_follows_c2sp() -> None:
    new = bytes.fromhex(ROOTS[8])
    verify_consistency(0, 8, EMPTY_ROOT, new, [])
    with pytest.raises(ProofError):
        verify_consistency(0, 8, new, new, [])
    with pytest.raises(ProofError):
        verify_consistency(0, 8, EMPTY_ROOT, new, [new])


# --- properties over random trees --------------------------------------------------------------

sizes = st.integers(min_value=1, max_value=300)


@settings(max_examples=60, deadline=None)
@given(size=sizes, data=st.data())
def test_every_inclusion_proof_verifies_and_any_flipped_bit_is_rejected(
    size: int, data: st.DataObject
) -> None:
    leaves = [i.to_bytes(4, "big") for i in range(size)]
    frontier, nodes = build(leaves)
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    proof = inclusion_proof(index, size, reader(nodes))
    root = frontier.root()
    assert root == reference_root(leaves)
    verify_inclusion(index, size, leaf_hash(leaves[index]), proof, root)
    # Flip one bit in one of: the leaf hash, the root, or a proof element.
    target = data.draw(st.integers(min_value=0, max_value=len(proof) + 1))
    bit = data.draw(st.integers(min_value=0, max_value=255))
    parts = [leaf_hash(leaves[index]), root, *proof]
    flipped = bytearray(parts[target])
    flipped[bit // 8] ^= 1 << (bit % 8)
    parts[target] = bytes(flipped)
    with pytest.raises(ProofError):
        verify_inclusion(index, size, parts[0], parts[2:], parts[1])


@settings(max_examples=60, deadline=None)
@given(size=sizes, data=st.data())
def test_every_consistency_proof_verifies_and_any_flipped_bit_is_rejected(
    size: int, data: st.DataObject
) -> None:
    leaves = [i.to_bytes(4, "big") for i in range(size)]
    _, nodes = build(leaves)
    old = data.draw(st.integers(min_value=1, max_value=size))
    proof = consistency_proof(old, size, reader(nodes))
    old_root, new_root = reference_root(leaves[:old]), reference_root(leaves)
    verify_consistency(old, size, old_root, new_root, proof)
    if old == size:
        return
    target = data.draw(st.integers(min_value=0, max_value=len(proof) + 1))
    byte = data.draw(st.integers(min_value=0, max_value=31))
    parts = [old_root, new_root, *proof]
    changed = bytearray(parts[target])
    changed[byte] ^= data.draw(st.integers(min_value=1, max_value=255))
    parts[target] = bytes(changed)
    with pytest.raises(ProofError):
        verify_consistency(old, size, parts[0], parts[1], parts[2:])


@settings(max_examples=40, deadline=None)
@given(size=sizes, data=st.data())
def test_proofs_for_the_wrong_index_or_size_are_rejected(size: int, data: st.DataObject) -> None:
    leaves = [i.to_bytes(4, "big") for i in range(size + 1)]
    frontier, nodes = build(leaves)
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    proof = inclusion_proof(index, size, reader(nodes))
    root = reference_root(leaves[:size])
    other = data.draw(st.integers(min_value=0, max_value=size - 1).filter(lambda i: i != index))
    with pytest.raises(ProofError):
        verify_inclusion(other, size, leaf_hash(leaves[other]), proof, root)
    with pytest.raises(ProofError):
        verify_inclusion(index, size + 1, leaf_hash(leaves[index]), proof, frontier.root())
