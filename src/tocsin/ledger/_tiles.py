"""C2SP ``tlog-tiles`` hash tiles: paths and contents, read from stored subtree hashes.

The tile ``tile/<L>/<N>`` holds up to 256 hashes of tree level ``8 * L``: hash ``i`` is
MTH(D[(N*256 + i) * 256**L : (N*256 + i + 1) * 256**L]), which is exactly the stored complete
subtree ``(8 * L, N*256 + i)``. So a tile is a batch read of the store, never a computation.
A partial tile (``.p/<W>``) holds the first W hashes of a tile the tree has not yet filled.
Entry bundles are not built here: Tocsin's entries are confidential.
"""

from __future__ import annotations

import re

from tocsin.ledger._merkle import HASH_SIZE, NodeReader

__all__ = [
    "MAX_TILE_LEVEL",
    "TILE_HEIGHT",
    "TILE_WIDTH",
    "TileError",
    "hash_tile",
    "parse_tile_path",
    "tile_path",
    "tile_width",
]

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
MAX_TILE_LEVEL = 63

_PATH = re.compile(r"tile/(0|[1-9][0-9]?)/((?:x[0-9]{3}/)*[0-9]{3})(?:\.p/([1-9][0-9]{0,2}))?")


class TileError(ValueError):
    """A tile path is malformed, or the tile does not exist at the given tree size."""


def _check_coordinates(level: int, index: int, width: int) -> None:
    if not 0 <= level <= MAX_TILE_LEVEL:
        raise TileError(f"a tile level is between 0 and {MAX_TILE_LEVEL}, not {level}")
    if index < 0:
        raise TileError("a tile index cannot be negative")
    if not 1 <= width <= TILE_WIDTH:
        raise TileError(f"a tile holds between 1 and {TILE_WIDTH} hashes, not {width}")


def tile_path(level: int, index: int, width: int = TILE_WIDTH) -> str:
    """``tile/<L>/<N>[.p/<W>]``, with N in zero-padded groups of three: ``x001/x234/067``."""
    _check_coordinates(level, index, width)
    groups = [f"{index % 1000:03d}"]
    index //= 1000
    while index:
        groups.append(f"x{index % 1000:03d}")
        index //= 1000
    path = f"tile/{level}/" + "/".join(reversed(groups))
    return path if width == TILE_WIDTH else f"{path}.p/{width}"


def parse_tile_path(path: str) -> tuple[int, int, int]:
    """``(level, index, width)`` from a tile path, rejecting every non-canonical spelling."""
    match = _PATH.fullmatch(path)
    if match is None:
        raise TileError(f"{path[:80]!r} is not a tile path like tile/0/x001/234 or tile/1/000.p/7")
    level = int(match.group(1))
    groups = match.group(2).split("/")
    if len(groups) > 1 and groups[0] == "x000":
        raise TileError("a tile index must not start with a zero group")
    index = int("".join(group.lstrip("x") for group in groups))
    width = int(match.group(3)) if match.group(3) else TILE_WIDTH
    if width == TILE_WIDTH and match.group(3):
        raise TileError("a full tile is written without .p/256")
    _check_coordinates(level, index, width)
    return level, index, width


def tile_width(level: int, index: int, size: int) -> int:
    """How many hashes the tile holds in a tree of ``size`` leaves (0 if it does not exist)."""
    _check_coordinates(level, index, TILE_WIDTH)
    if size < 0:
        raise TileError("a tree size cannot be negative")
    available = (size >> (TILE_HEIGHT * level)) - index * TILE_WIDTH
    return max(0, min(TILE_WIDTH, available))


def hash_tile(
    level: int, index: int, size: int, read_nodes: NodeReader, width: int | None = None
) -> bytes:
    """The bytes of hash tile ``(level, index)`` as of tree ``size``: ``width`` hashes.

    ``width`` defaults to all the hashes the tree has for this tile; a smaller width gives the
    partial tile an earlier checkpoint needed. Raises :class:`TileError` when the tree of
    ``size`` leaves does not have that many hashes there, or the store lacks one.
    """
    available = tile_width(level, index, size)
    wanted = available if width is None else width
    if available == 0:
        raise TileError(f"the tree of size {size} has no tile {level}/{index}")
    _check_coordinates(level, index, wanted)
    if wanted > available:
        raise TileError(
            f"tile {level}/{index} has {available} hashes at tree size {size}, not {wanted}"
        )
    tree_level = TILE_HEIGHT * level
    first = index * TILE_WIDTH
    coordinates = [(tree_level, first + i) for i in range(wanted)]
    found = read_nodes(coordinates)
    missing = [c for c in coordinates if c not in found]
    if missing:
        raise TileError(f"the store lacks subtree hashes {missing[:3]} for tile {level}/{index}")
    hashes = [found[c] for c in coordinates]
    if any(len(h) != HASH_SIZE for h in hashes):
        raise TileError(f"the store returned a hash of the wrong size for tile {level}/{index}")
    return b"".join(hashes)
