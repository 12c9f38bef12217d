"""``tocsin link`` end to end, as a person or a script would run it."""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tocsin.intel.linkage import PERSON_COLUMNS, records_from_simulation
from tocsin.simulate import simulate

TOCSIN = Path(sys.executable).parent / "tocsin"


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TOCSIN_HOME": str(tmp_path / "home")}
    return subprocess.run(
        [str(TOCSIN), "link", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=600,
    )


@pytest.fixture(scope="module")
def people_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A third of a small simulated partnership's person records, as linkage input."""
    world = simulate(seed=3, scale="small")
    records = records_from_simulation(
        world["records/persons"].dicts(), world["records/agencies"].dicts()
    )[::3]
    path = tmp_path_factory.mktemp("link") / "people.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(PERSON_COLUMNS)
        for record in records:
            row = dataclasses.asdict(record)
            row["aliases"] = ";".join(row["aliases"])
            writer.writerow(["" if row[c] is None else row[c] for c in PERSON_COLUMNS])
    return path


def test_link_writes_clusters_and_a_json_summary(people_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "clusters.csv"
    model = tmp_path / "model.json"
    result = run(
        tmp_path, "--csv", str(people_csv), "--out", str(out), "--json", "--save-model", str(model)
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert list(summary) == ["records", "clusters", "pairs_scored", "seconds"]
    with out.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert list(rows[0]) == ["record_id", "cluster_id", "match_probability"]
    assert len(rows) == summary["records"]
    assert len({r["cluster_id"] for r in rows}) == summary["clusters"] < summary["records"]
    linked = [r for r in rows if r["match_probability"]]
    assert linked
    assert all(0.9 <= float(r["match_probability"]) <= 1.0 for r in linked)
    document = json.loads(model.read_text("utf-8"))
    assert document["format"] == "tocsin-linkage-model/1"
    assert document["diagnostics"]["trained"] is True

    again = tmp_path / "again.csv"
    reused = run(tmp_path, "--csv", str(people_csv), "--out", str(again), "--model", str(model))
    assert reused.returncode == 0, reused.stderr
    assert "records resolved into" in reused.stdout
    assert again.read_bytes() == out.read_bytes()


HEADER = "record_id,source,first_name,surname,date_of_birth\n"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            b"record_id,source,first_name,surname\nr1,police,Amy,Khan\n",
            "row 0, column 'date_of_birth'",
        ),
        (
            (HEADER + "r1,police,Amy,Khan,2010-03-04\nr2,school,Amy,Khan,31/12/2010\n").encode(),
            "row 2, column 'date_of_birth'",
        ),
        (
            (HEADER + "r1,police,Amy,Khan,2010-03-04\nr2,school,Am").encode() + b"\xff,Khan,\n",
            "row 2, column 'first_name'",
        ),
    ],
    ids=["missing column", "bad date", "bad encoding"],
)
def test_bad_input_names_row_and_column_exits_2_and_writes_nothing(
    tmp_path: Path, body: bytes, expected: str
) -> None:
    source = tmp_path / "bad.csv"
    source.write_bytes(body)
    out = tmp_path / "clusters.csv"
    result = run(tmp_path, "--csv", str(source), "--out", str(out))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]
    assert not out.exists()
    assert list(tmp_path.glob(".clusters.csv.*")) == []


def test_bad_arguments_exit_2(tmp_path: Path, people_csv: Path) -> None:
    out = tmp_path / "clusters.csv"
    for args in (
        ["--csv", str(people_csv), "--out", str(out), "--threshold", "1.5"],
        ["--csv", str(people_csv), "--out", str(out), "--backend", "oracle"],
        ["--csv", str(tmp_path / "absent.csv"), "--out", str(out)],
        ["--csv", str(people_csv), "--out", str(tmp_path / "no" / "such" / "out.csv")],
    ):
        result = run(tmp_path, *args)
        assert result.returncode == 2, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not out.exists()
