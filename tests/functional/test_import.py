"""tocsin import, as people run it: CSV and XLSX, all or nothing, the error report, one line on
standard error that never echoes a cell, the template, and the --json shapes."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest

from tests.functional.conftest import Cli

HEADER = ["Child given name", "child_family_name", "child_date_of_birth", "narrative", "phones"]
GOOD = ["Amara", "Okafor", "2011-03-04", "Adults have been contacting her online.", "07700 900123"]
SECRET = "Zebedee-Unique-Surname"


def _size(cli: Cli) -> int:
    return int(json.loads(cli.run("ledger", "root", "--json").stdout)["size"])


@pytest.fixture(scope="module")
def importer(shared_cli: Cli) -> Cli:
    """One Tocsin for the module, with a practitioner and an administrator; each test
    compares the ledger's size before and after, so they can share it."""
    cli = shared_cli
    cli.run("agencies", "register", "Northgate Council", "--sector", "council")
    for name, role in [("prac", "practitioner"), ("adm", "administrator")]:
        cli.run(
            "users", "create", name, "--name", "Test Person", "--agency", "Northgate Council",
            "--role", role,
        )  # fmt: skip
    return cli


def _write(path: Path, rows: list[list[object]]) -> Path:
    if path.suffix == ".xlsx":
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        assert sheet is not None
        for row in [HEADER, *rows]:
            sheet.append(row)
        workbook.save(path)
    else:
        with path.open("w", newline="", encoding="utf-8") as stream:
            csv.writer(stream).writerows([HEADER, *rows])
    return path


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_import_all_or_nothing(importer: Cli, tmp_path: Path, suffix: str) -> None:
    bad = _write(tmp_path / f"bad{suffix}", [GOOD, [SECRET, "", "31/02/2012", "", "0123"], GOOD])
    before = _size(importer)
    report = tmp_path / "problems.csv"
    result = importer.run(
        "import", "concerns", str(bad), "--as", "prac", "--errors", str(report), check=False
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "3 problems in 1 of 3 rows" in lines[0]
    assert "row 3" in lines[0]
    assert SECRET not in result.stderr
    assert "31/02/2012" not in result.stderr
    assert _size(importer) == before
    rows = list(csv.reader(report.read_text(encoding="utf-8-sig").splitlines()))
    assert rows == [
        ["row", "column", "value", "problem"],
        [
            "3",
            "child_date_of_birth",
            "31/02/2012",
            "Enter a real date as YYYY-MM-DD (or DD/MM/YYYY), like 2011-03-04",
        ],
        ["3", "narrative", "", "Describe what happened"],
        ["3", "phones", "0123", "Enter a UK phone number, like 07700 900123"],
    ]

    # Three different rows, different for each format too (a row is recorded once).
    rows = [[f"Child{i}{suffix[1:]}", *GOOD[1:]] for i in range(3)]
    good = _write(tmp_path / f"good{suffix}", rows)
    dry = importer.run("import", "concerns", str(good), "--as", "prac", "--dry-run", "--json")
    assert json.loads(dry.stdout) == {
        "ok": True,
        "rows": 3,
        "dry_run": True,
        "imported": 0,
        "concerns": [],
        "already_recorded": [],
    }
    assert _size(importer) == before
    done = json.loads(
        importer.run("import", "concerns", str(good), "--as", "prac", "--json").stdout
    )
    assert done["ok"] is True
    assert done["imported"] == 3
    assert [c["row"] for c in done["concerns"]] == [2, 3, 4]
    assert all(c["reference"].startswith("TOC-") for c in done["concerns"])
    assert _size(importer) > before
    assert json.loads(importer.run("verify", "--json").stdout)["ok"] is True

    # The same file again records nothing, and says which concern holds each row.
    size = _size(importer)
    again = importer.run("import", "concerns", str(good), "--as", "prac")
    assert again.stdout.startswith("imported nothing from ")
    assert "every row was recorded already (rows 2-4;" in again.stdout
    listed = json.loads(
        importer.run("import", "concerns", str(good), "--as", "prac", "--json").stdout
    )
    assert listed["imported"] == 0
    assert listed["already_recorded"] == [
        {"row": c["row"], "id": c["id"], "reference": c["reference"], "same_as_row": None}
        for c in done["concerns"]
    ]
    assert _size(importer) == size


def test_bench_import_measures_in_one_run(importer: Cli) -> None:
    result = json.loads(
        importer.run("bench", "import", "--rows", "30", "--one-by-one", "5", "--json").stdout
    )
    assert set(result) == {
        "rows",
        "database",
        "import_rows_per_second",
        "one_by_one_rows_per_second",
        "check_only_rows_per_second",
        "ratio",
    }
    assert result["rows"] == 30
    assert result["import_rows_per_second"] > 0
    expected = result["import_rows_per_second"] / result["one_by_one_rows_per_second"]
    assert result["ratio"] == pytest.approx(expected, rel=0.02)


def test_json_errors_and_refusals(importer: Cli, tmp_path: Path) -> None:
    bad = _write(tmp_path / "bad.csv", [[SECRET, "Okafor", "", "", ""]])
    result = importer.run("import", "concerns", str(bad), "--as", "prac", "--json", check=False)
    assert result.returncode == 2
    assert json.loads(result.stdout) == {
        "ok": False,
        "rows": 1,
        "dry_run": False,
        "imported": 0,
        "errors": [
            {"row": 2, "column": "narrative", "value": "", "problem": "Describe what happened"}
        ],
    }
    assert SECRET not in result.stderr
    good = _write(tmp_path / "good.csv", [GOOD])
    before = _size(importer)
    for args, words in [
        (["--as", "adm"], "refused: only a user with the role"),
        (["--as", "nobody"], "no user called 'nobody'"),
    ]:
        refused = importer.run("import", "concerns", str(good), *args, check=False)
        assert refused.returncode == 2
        assert words in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1
    assert _size(importer) == before


def test_files_that_cannot_be_read(importer: Cli, tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04" + SECRET.encode())
    for name, words in [
        ("empty.csv", "is empty"),
        ("old.xls", "only .csv and .xlsx"),
        ("broken.xlsx", "could not be read as an XLSX workbook"),
        ("absent.csv", "no such file"),
    ]:
        result = importer.run(
            "import", "concerns", str(tmp_path / name), "--as", "prac", check=False
        )
        assert result.returncode == 2, name
        assert words in result.stderr
        assert "nothing was imported" in result.stderr
        assert SECRET not in result.stderr
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_template(importer: Cli, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"template{suffix}"
    importer.run("import", "template", "--out", str(out))
    assert out.stat().st_size > 0
    wrong = importer.run("import", "template", "--out", str(tmp_path / "t.txt"), check=False)
    assert wrong.returncode == 2
