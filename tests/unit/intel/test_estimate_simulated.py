"""The simulator's truth as the capture table the coverage benchmark estimates from
(``truth_capture_table`` in benchmarks/bench_estimate.py): one list per sector, as the server's
per-sector grouping draws them up, and the true number including the hidden children."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from tocsin.intel.estimate import EstimationInputError
from tocsin.simulate import SECTORS, Table, simulate

BENCH = Path(__file__).resolve().parents[3] / "benchmarks" / "bench_estimate.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_estimate", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def capture(*rows: tuple[str, dict[str, int]]) -> Table:
    columns = ("person_id", "exploitation", *SECTORS, "first_identified_on")
    return Table(
        columns,
        [(child, "cse", *(on.get(s, 0) for s in SECTORS), None) for child, on in rows],
    )


def test_one_list_per_sector_with_children_in_name_order(bench: ModuleType) -> None:
    table, true = bench.truth_capture_table(
        capture(
            ("P1", {"police": 1, "council": 1}),
            ("P2", {"council": 1}),
            ("P3", {"police": 1, "youth": 1}),
            ("P4", {}),  # exploited, on no list: hidden
            ("P5", {}),
        )
    )
    # Health, education and voluntary identified nobody: no list, as in the server.
    assert table.names == ("council", "police", "youth")
    assert true == 5
    assert table.observed == 3
    assert table.list_sizes() == {"council": 2, "police": 2, "youth": 1}
    # Bit 0 council, bit 1 police, bit 2 youth.
    assert table.counts[0b011 - 1] == 1  # P1
    assert table.counts[0b001 - 1] == 1  # P2
    assert table.counts[0b110 - 1] == 1  # P3


def test_fewer_than_two_sectors_is_refused(bench: ModuleType) -> None:
    with pytest.raises(EstimationInputError, match="two sectors"):
        bench.truth_capture_table(capture(("P1", {"police": 1}), ("P2", {})))


def test_agrees_with_the_simulators_own_totals(bench: ModuleType) -> None:
    world = simulate(seed=1, scale="small")
    table, true = bench.truth_capture_table(world["truth/capture_histories"])
    everything = dict(
        zip(
            world["truth/hidden_population"].columns,
            world["truth/hidden_population"].rows[-1],
            strict=True,
        )
    )
    assert everything["period"] == "all"
    assert true == everything["exploited"]
    assert table.observed == everything["identified"]
    for name, size in table.list_sizes().items():
        assert size == everything[f"on_{name}_list"]
