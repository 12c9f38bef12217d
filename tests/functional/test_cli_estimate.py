"""``tocsin estimate`` end to end, as a person or a script would run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "tests" / "data" / "mse"
TOCSIN = Path(sys.executable).parent / "tocsin"

# Synthetic: three lists, 250 children seen, mild dependence between A and B.
SYNTHETIC = "A,B,C,count\n1,0,0,60\n0,1,0,50\n0,0,1,40\n1,1,0,30\n1,0,1,12\n0,1,1,9\n1,1,1,4\n"


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TOCSIN_HOME": str(tmp_path / "home")}
    return subprocess.run(
        [str(TOCSIN), "estimate", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "lists.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_json_output_has_exactly_the_contract_keys(tmp_path: Path) -> None:
    result = run(tmp_path, "--csv", write(tmp_path, SYNTHETIC), "--method", "main", "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert list(document) == [
        "observed",
        "estimate",
        "dark_figure",
        "ci",
        "ci_level",
        "ci_method",
        "method",
        "settings",
        "model",
        "warnings",
    ]
    assert document["observed"] == 205
    assert document["estimate"] == pytest.approx(document["observed"] + document["dark_figure"])
    assert document["ci_method"] == "profile"
    assert document["ci"][0] < document["estimate"] < document["ci"][1]


def test_bootstrap_options_give_a_bca_interval(tmp_path: Path) -> None:
    # Reproducibility itself is checked in the unit tests; here, that the options reach it.
    args = ("--csv", write(tmp_path, SYNTHETIC), "--bootstrap", "40", "--seed", "3", "--json")
    first = run(tmp_path, *args)
    assert first.returncode == 0, first.stderr
    document = json.loads(first.stdout)
    assert document["ci_method"] == "bca"
    assert document["settings"]["bootstrap"] == 40
    assert document["settings"]["seed"] == 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("A,B,count\n1,0,5\n0,2,3\n1,1,2\n", "row 3, column 'B': '2' is not 0 or 1"),
        ("A,B,count\n1,0,5\n1,1,-3\n", "row 3, column 'count': -3 is negative"),
        ("A,count\n1,5\n", "only 1 list column ('A')"),
        ("A,B,C,count\n1,0,0,5\n0,1,0,7\n0,0,1,4\n", "no child is on more than one"),
    ],
)
def test_bad_input_prints_one_line_and_exits_2(tmp_path: Path, text: str, message: str) -> None:
    result = run(tmp_path, "--csv", write(tmp_path, text), "--json")
    assert result.returncode == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_bad_options_exit_2(tmp_path: Path) -> None:
    path = write(tmp_path, SYNTHETIC)
    result = run(tmp_path, "--csv", path, "--method", "bic", "--pthresh", "0.1")
    assert result.returncode == 2
    assert "--pthresh applies only" in result.stderr
    result = run(tmp_path, "--csv", path, "--seed", "4")
    assert result.returncode == 2
    assert "--seed needs --bootstrap" in result.stderr


def test_uk_home_office_figures_from_the_command_line(tmp_path: Path) -> None:
    # The tests' own copy (tests/data/mse/PROVENANCE.md), so that a fresh clone checks it.
    result = run(tmp_path, "--csv", str(SHIPPED / "uk2013_6lists.csv"), "--method", "aic")
    assert result.returncode == 0, result.stderr
    assert "estimated total: 11,418 (95% profile interval 9,982 to 13,182)" in result.stdout
    assert "interactions: LA:NG, LA:PF, NG:GO, NG:GP, PF:GP, GO:GP, PF:NCA" in result.stdout


def test_ntop_reaches_the_bic_average(tmp_path: Path) -> None:
    path = str(SHIPPED / "korea_palembang_3lists.csv")
    result = run(tmp_path, "--csv", path, "--method", "bic", "--ntop", "2", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["settings"]["ntop"] == 2
    refused = run(tmp_path, "--csv", path, "--method", "stepwise", "--ntop", "2")
    assert refused.returncode == 2
    assert "ntop applies only to the bic method" in refused.stderr


def test_netherlands_stepwise_gives_an_interval_not_a_traceback(tmp_path: Path) -> None:
    result = run(tmp_path, "--csv", str(SHIPPED / "netherlands_5lists.csv"), "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["estimate"] == pytest.approx(121521.6, rel=1e-3)
    assert document["ci"][0] < document["estimate"] < document["ci"][1]
