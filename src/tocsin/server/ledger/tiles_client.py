"""Checking a receipt against a server's ledger as published, over HTTP, as an outsider can.

The server publishes its newest signed checkpoint and its hash tiles (C2SP tlog-tiles) at
``/ledger/tlog/`` (``tocsin.server.web.tlog``). From them this module proves that the server's
current tree extends the tree a receipt was issued under (a Merkle consistency proof built from
the tiles and checked against both signed roots), so the receipt's event is still there. It
needs no database and no account: only the server's URL and the log's verifier key.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Collection

from tocsin.ledger import (
    TILE_WIDTH,
    Checkpoint,
    NoteError,
    ProofError,
    TileError,
    consistency_proof,
    leaf_hash,
    node_hash,
    open_checkpoint,
    tile_path,
    tile_width,
    verifier_from_vkey,
    verify_consistency,
)

__all__ = ["receipt_is_on_server"]

_TILE_HEIGHT = TILE_WIDTH.bit_length() - 1
_HASH = 32
_TIMEOUT_SECONDS = 20


class _Unavailable(Exception):
    """The server did not give what was asked for; the message says what."""


def _get(url: str) -> bytes:
    if not url.startswith(("http://", "https://")):
        raise _Unavailable(f"{url} is not an http(s) address")
    request = urllib.request.Request(url)  # noqa: S310 - http(s) only, checked above
    try:
        # The URL is http(s) only, checked above: urlopen's file: and other schemes never run.
        with urllib.request.urlopen(request, timeout=_TIMEOUT_SECONDS) as response:  # noqa: S310  # nosec B310
            return bytes(response.read())
    except urllib.error.HTTPError as exc:
        raise _Unavailable(f"{url} answered {exc.code}") from None
    except OSError as exc:
        raise _Unavailable(f"{url} is unreachable: {exc}") from None


class _TileReader:
    """Complete-subtree hashes of the server's tree of ``size`` leaves, read from its tiles."""

    def __init__(self, base: str, size: int) -> None:
        self.base = base
        self.size = size
        self.tiles: dict[tuple[int, int], list[bytes]] = {}

    def _tile(self, level: int, index: int) -> list[bytes]:
        if (level, index) not in self.tiles:
            width = tile_width(level, index, self.size)
            hashes: list[bytes] = []
            if width:
                body = _get(f"{self.base}/ledger/tlog/{tile_path(level, index, width)}")
                if len(body) != width * _HASH:
                    raise _Unavailable(f"tile {level}/{index} is not {width} hashes long")
                hashes = [body[i : i + _HASH] for i in range(0, len(body), _HASH)]
            self.tiles[(level, index)] = hashes
        return self.tiles[(level, index)]

    def __call__(self, coordinates: Collection[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        found = {}
        for level, index in coordinates:
            tile_level, below = divmod(level, _TILE_HEIGHT)
            first, count = index << below, 1 << below
            tile = self._tile(tile_level, first // TILE_WIDTH)
            hashes = tile[first % TILE_WIDTH : first % TILE_WIDTH + count]
            if len(hashes) != count:
                continue
            while len(hashes) > 1:
                hashes = [node_hash(hashes[i], hashes[i + 1]) for i in range(0, len(hashes), 2)]
            found[(level, index)] = hashes[0]
        return found


def receipt_is_on_server(
    url: str, log_vkey: str, seq: int, leaf: bytes, checkpoint: Checkpoint
) -> list[str]:
    """What the server's published ledger at ``url`` lacks of a receipt's proof (empty if it
    still holds it): its newest checkpoint, signed by ``log_vkey``, must cover the receipt's
    checkpoint and extend it, and its tree must still have the receipt's event at ``seq``."""
    base = url.rstrip("/")
    if not base.startswith(("http://", "https://")):
        return [f"the ledger's address must be an http(s) URL, not {url!r}"]
    try:
        note = _get(f"{base}/ledger/tlog/checkpoint").decode("utf-8", "replace")
        current = open_checkpoint(
            note, verifier_from_vkey(log_vkey), origin=checkpoint.origin
        ).checkpoint
    except _Unavailable as exc:
        return [f"cannot read the server's newest checkpoint: {exc}"]
    except (NoteError, ValueError) as exc:
        return [f"the server's newest checkpoint is not signed by the log's key: {exc}"]
    found = []
    if seq >= current.size:
        found.append(
            f"event {seq} is no longer in the ledger: the server's newest checkpoint covers "
            f"{current.size} events (events were removed, or the database was restored from "
            "an older backup)"
        )
    if current.size < checkpoint.size:
        found.append(
            f"the receipt's checkpoint covers {checkpoint.size} events, but the server's newest "
            f"covers only {current.size}"
        )
        return found
    reader = _TileReader(base, current.size)
    try:
        proof = consistency_proof(checkpoint.size, current.size, reader)
        verify_consistency(checkpoint.size, current.size, checkpoint.root, current.root, proof)
        if reader([(0, seq)]).get((0, seq)) != leaf_hash(leaf):
            found.append(f"the server's event {seq} is not the one the receipt is for")
    except _Unavailable as exc:
        found.append(f"cannot read the server's tiles: {exc}")
    except (ProofError, TileError) as exc:
        found.append(
            "the server's ledger does not extend the history the receipt was issued under "
            f"(its history was rewritten): {exc}"
        )
    return found
