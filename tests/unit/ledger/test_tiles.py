"""tlog-tiles hash tiles: path encoding, tile contents, and roots and proofs rebuilt from tiles
by an independent reader (tlog-scales)."""

from __future__ import annotations

import pytest
from tlog_scales import tiles as independent_tiles
from tlog_scales.reader import TilesReader

from tests.factories.transparency import ToyLog
from tocsin.ledger import (
    Ledger,
    MemoryStore,
    NewEvent,
    TileError,
    hash_tile,
    leaf_hash,
    parse_tile_path,
    root_from_leaf_hashes,
    tile_path,
    tile_width,
    verify_consistency,
    verify_inclusion,
)


class _TileServer:
    """A tlog-scales backend answering tile paths from a Tocsin log at one tree size."""

    def __init__(self, log: ToyLog, size: int) -> None:
        self.log, self.size = log, size

    def get(self, *path: str) -> bytes | None:
        try:
            level, index, width = parse_tile_path("/".join(path))
            return hash_tile(level, index, self.size, self.log.read_nodes, width)
        except TileError:
            return None


def test_spec_example_path() -> None:
    # C2SP tlog-tiles.md: "index 1234067 will be encoded as x001/x234/067".
    assert tile_path(0, 1234067) == "tile/0/x001/x234/067"
    assert tile_path(2, 0, 7) == "tile/2/000.p/7"
    assert tile_path(1, 1000) == "tile/1/x001/000"


@pytest.mark.parametrize("index", [0, 1, 999, 1000, 1001, 999_999, 1_000_000, 1234067, 10**12])
@pytest.mark.parametrize("width", [1, 17, 255, 256])
def test_paths_agree_with_tlog_scales_and_parse_back(index: int, width: int) -> None:
    path = tile_path(3, index, width)
    partial = 0 if width == 256 else width
    assert path == "/".join(independent_tiles.tile_path(3, index, partial))
    assert parse_tile_path(path) == (3, index, width)


@pytest.mark.parametrize(
    "path",
    [
        "tile/0/1",
        "tile/0/0001",
        "tile/00/000",
        "tile/64/000",
        "tile/0/x000/001",
        "tile/0/001/002",
        "tile/0/000.p/0",
        "tile/0/000.p/256",
        "tile/0/000.p/007",
        "tile/entries/000",
        "/tile/0/000",
        "tile/0/x1/000",
    ],
)
def test_non_canonical_paths_are_refused(path: str) -> None:
    with pytest.raises(TileError):
        parse_tile_path(path)


def test_widths_for_the_spec_example_of_size_70000() -> None:
    # C2SP tlog-tiles.md: 273 full level-0 tiles, a partial of width 112, one full level-1
    # tile, a partial level-1 tile of width 17 and a partial level-2 tile of width 1.
    assert tile_width(0, 272, 70000) == 256
    assert tile_width(0, 273, 70000) == 112
    assert tile_width(0, 274, 70000) == 0
    assert tile_width(1, 0, 70000) == 256
    assert tile_width(1, 1, 70000) == 17
    assert tile_width(2, 0, 70000) == 1
    assert tile_width(0, 1, 256) == 0
    assert tile_width(1, 0, 256) == 1


def test_level_zero_tile_holds_leaf_hashes() -> None:
    log = ToyLog().grow(300)
    tile = hash_tile(0, 1, 300, log.read_nodes)
    assert len(tile) == 44 * 32
    assert tile[:32] == log.nodes[(0, 256)]
    assert hash_tile(0, 0, 300, log.read_nodes) == b"".join(log.nodes[(0, i)] for i in range(256))
    assert hash_tile(0, 1, 300, log.read_nodes, width=10) == tile[: 10 * 32]
    with pytest.raises(TileError):
        hash_tile(0, 1, 300, log.read_nodes, width=45)
    with pytest.raises(TileError):
        hash_tile(0, 2, 300, log.read_nodes)


@pytest.mark.parametrize("size", [1, 255, 256, 257, 511, 65536, 70000])
def test_independent_reader_rebuilds_roots_and_proofs_from_tiles(size: int) -> None:
    log = ToyLog().grow(size)
    reader = TilesReader(_TileServer(log, size))
    reader.set_size(size)
    assert reader.calculate_root_hash() == log.roots[size]
    for old in {1, size // 3, size - 1} - {0}:
        proof = reader.get_consistency_proof(old, size)
        verify_consistency(old, size, log.roots[old], log.roots[size], proof.node_hashes)
    index = size // 2
    inclusion = reader.get_inclusion_proof(index, size)
    verify_inclusion(index, size, log.nodes[(0, index)], inclusion.node_hashes, log.roots[size])


def test_tiles_from_a_real_ledger_store() -> None:
    ledger = Ledger(MemoryStore())
    event = NewEvent("test.recorded", 1, "2026-01-01T00:00:00.000000Z", "system:test", (), {"n": 1})
    ledger.append([event] * 600)
    level0 = b"".join(hash_tile(0, n, 600, ledger.store.read_nodes) for n in range(3))
    leaves = ledger.store.read_leaves(0, 600)
    assert [level0[i : i + 32] for i in range(0, len(level0), 32)] == [leaf_hash(x) for x in leaves]
    assert hash_tile(1, 0, 600, ledger.store.read_nodes) == (
        ledger.store.read_nodes([(8, 0)])[(8, 0)] + ledger.store.read_nodes([(8, 1)])[(8, 1)]
    )
    assert root_from_leaf_hashes(leaf_hash(x) for x in leaves)[1] == ledger.root()
