"""Writing a world: byte-identical for one seed, different for another, a manifest whose hashes
match the files, JSON Lines and CSV holding the same rows, and nothing half-written."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest

from tocsin.simulate import (
    MANIFEST_FORMAT,
    SimulationOutputError,
    World,
    _output,
    preset,
    simulate,
    write_world,
)

TINY = preset("small").with_overrides({"population": {"residents": 3000}})


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_one_seed_gives_byte_identical_output(tmp_path: Path) -> None:
    write_world(simulate(5, "small"), tmp_path / "a")
    write_world(simulate(5, "small"), tmp_path / "b")
    first, second = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert len(first) > 20
    assert first == second


def test_different_seeds_differ(tmp_path: Path) -> None:
    a = write_world(simulate(5, "small", TINY), tmp_path / "a")
    b = write_world(simulate(6, "small", TINY), tmp_path / "b")
    differing = [name for name in a["files"] if a["files"][name] != b["files"][name]]
    assert "records/persons.jsonl" in differing
    assert "records/concerns.jsonl" in differing


def test_manifest_records_seed_scale_counts_config_and_hashes(
    tmp_path: Path, small_world: World
) -> None:
    out = tmp_path / "world"
    manifest = write_world(small_world, out)
    on_disk = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk == manifest
    assert manifest["format"] == MANIFEST_FORMAT
    assert (manifest["seed"], manifest["scale"]) == (7, "small")
    assert manifest["config"] == small_world.config.as_dict()
    assert manifest["summary"] == small_world.summary()
    for name, entry in manifest["files"].items():
        data = (out / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], name
        assert len(data) == entry["bytes"]
    written = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert written == {*manifest["files"], "manifest.json"}
    for required in (
        "records/persons.jsonl",
        "records/persons.csv",
        "records/concerns.csv",
        "records/agency_lists.csv",
        "truth/people.jsonl",
        "truth/record_identity.csv",
        "truth/groups.jsonl",
        "truth/hidden_population.csv",
        "truth/failures.jsonl",
        "truth/capture_histories.csv",
    ):
        assert required in manifest["files"]


def test_jsonl_and_csv_hold_the_same_rows(tmp_path: Path, small_world: World) -> None:
    out = tmp_path / "world"
    write_world(small_world, out)
    for name in ("records/persons", "records/concerns"):
        lines = (out / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
        with (out / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert len(lines) == len(rows) == len(small_world[name])
        for line, row in zip(lines[:200], rows[:200], strict=True):
            record = json.loads(line)
            for key, value in record.items():
                expected = (
                    ";".join(value)
                    if isinstance(value, list)
                    else ("" if value is None else str(value))
                )
                assert row[key] == expected


def test_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    out = tmp_path / "taken"
    out.mkdir()
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(SimulationOutputError, match="already exists"):
        write_world(simulate(1, "small", TINY), out)
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_an_empty_folder_is_filled(tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    write_world(simulate(1, "small", TINY), out)
    assert (out / "manifest.json").is_file()


def test_a_failure_part_way_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = simulate(1, "small", TINY)
    calls = 0
    real = _output._write_csv

    def failing(table: object, writer: object) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise OSError(28, "No space left on device")
        real(table, writer)  # type: ignore[arg-type]

    monkeypatch.setattr(_output, "_write_csv", failing)
    with pytest.raises(SimulationOutputError, match="No space left on device"):
        write_world(world, tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_a_missing_parent_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SimulationOutputError, match="does not exist"):
        write_world(simulate(1, "small", TINY), tmp_path / "no" / "such" / "place")
    assert list(tmp_path.iterdir()) == []
