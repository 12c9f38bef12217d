"""Small signed logs for testing checkpoints, receipts, tiles and witnesses.

A :class:`ToyLog` keeps its complete-subtree hashes in a dict (the same shape Tocsin's stores
keep), signs checkpoints with a fixed Ed25519 key and builds tlog-witness request bodies.
Two ToyLogs with the same key and origin but different ``history`` tags are a forked log.
"""

from __future__ import annotations

import base64
from collections.abc import Collection

from tocsin.ledger import (
    Checkpoint,
    Coordinate,
    Ed25519Signer,
    Frontier,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    sign_checkpoint,
)

LOG_ORIGIN = "tocsin.test/ledger"
# Fixed seeds so failures reproduce; never used outside tests.
LOG_SEED = bytes(range(32))
WITNESS_SEED = bytes(range(32, 64))


class ToyLog:
    """An append-only log in memory whose checkpoints are signed by ``signer``."""

    def __init__(
        self, origin: str = LOG_ORIGIN, signer: Ed25519Signer | None = None, history: str = "main"
    ) -> None:
        self.origin = origin
        self.signer = signer or Ed25519Signer(origin, LOG_SEED)
        self.history = history
        self.frontier = Frontier()
        self.nodes: dict[Coordinate, bytes] = {}
        self.leaves: list[bytes] = []
        self.roots: dict[int, bytes] = {0: self.frontier.root()}
        self._signed: dict[int, str] = {}

    def leaf(self, index: int) -> bytes:
        return f"{self.history} entry {index}".encode()

    def grow(self, count: int) -> ToyLog:
        for _ in range(count):
            data = self.leaf(self.frontier.size)
            self.leaves.append(data)
            for level, index, value in self.frontier.append(leaf_hash(data)):
                self.nodes[(level, index)] = value
            self.roots[self.frontier.size] = self.frontier.root()
        return self

    @property
    def size(self) -> int:
        return self.frontier.size

    def read_nodes(self, coordinates: Collection[Coordinate]) -> dict[Coordinate, bytes]:
        return {c: self.nodes[c] for c in coordinates if c in self.nodes}

    def checkpoint(self, size: int | None = None) -> Checkpoint:
        size = self.size if size is None else size
        return Checkpoint(self.origin, size, self.roots[size])

    def signed(self, size: int | None = None) -> str:
        size = self.size if size is None else size
        if size not in self._signed:
            self._signed[size] = sign_checkpoint(self.checkpoint(size), self.signer)
        return self._signed[size]

    def consistency(self, old: int, new: int) -> list[bytes]:
        return consistency_proof(old, new, self.read_nodes)

    def inclusion(self, index: int, size: int | None = None) -> list[bytes]:
        return inclusion_proof(index, self.size if size is None else size, self.read_nodes)

    def add_request(self, old: int, new: int, proof: list[bytes] | None = None) -> bytes:
        """A tlog-witness add-checkpoint body moving a witness from ``old`` to ``new``."""
        hashes = self.consistency(old, new) if proof is None else proof
        lines = [f"old {old}", *(base64.b64encode(h).decode() for h in hashes)]
        return ("\n".join(lines) + "\n\n" + self.signed(new)).encode()
