"""Bulk import end to end in process: every row checked before anything is written, then all
recorded through do_record_concerns in one transaction, or nothing; problems with the file as
a whole; the error report and the template; the documentation of every column and code."""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from tests.factories import make_partnership, make_user
from tocsin.domain import screening as screening_policy
from tocsin.domain.concerns import CIN_FACTORS, ETHNICITY
from tocsin.server.actors import ActionRefused
from tocsin.server.concerns.importing import (
    COLUMN_NAMES,
    REPORT_COLUMNS,
    ImportFileError,
    RowProblem,
    import_concerns,
    write_error_report,
    write_template,
)
from tocsin.server.concerns.models import Concern, Screening
from tocsin.server.ledger.models import LedgerLeaf
from tocsin.server.verify import verify_ledger

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 29)
DOCS = Path(__file__).resolve().parents[3] / "docs" / "import.md"
HEADER = ["child_given_name", "child_family_name", "child_date_of_birth", "narrative", "phones"]
ROW = ["Amara", "Okafor", "2011-03-04", "Adults have been contacting her online.", "07700 900123"]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as stream:
        csv.writer(stream).writerows([header, *rows])
    return path


def write_xlsx(path: Path, rows: list[list[object]], header: list[str] = HEADER) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in [header, *rows]:
        sheet.append(row)
    workbook.save(path)
    return path


def test_a_good_csv_records_every_row_in_order(tmp_path: Path) -> None:
    p = make_partnership()
    before = LedgerLeaf.objects.count()
    rows = [[f"Child{i}", "Okafor", "2011-03-04", "A car collects her.", ""] for i in range(5)]
    outcome = import_concerns(write_csv(tmp_path / "c.csv", rows), actor=p.practitioner)
    assert outcome.ok
    assert outcome.rows == 5
    assert [row for row, _ in outcome.recorded] == [2, 3, 4, 5, 6]
    assert LedgerLeaf.objects.filter(kind="concern.recorded").count() == 5
    assert LedgerLeaf.objects.count() > before
    concerns = Concern.objects.filter(channel="import").order_by("recorded_seq")
    assert [c.agency_id for c in concerns] == [p.council.pk] * 5
    assert [c.recorded_by_id for c in concerns] == [p.practitioner.pk] * 5
    assert verify_ledger().ok


def test_indicators_screen_each_child(tmp_path: Path) -> None:
    p = make_partnership()
    indicator = sorted(screening_policy.indicator_ids())[0]
    path = write_csv(
        tmp_path / "c.csv",
        [["Amara", "Okafor", "A car collects her.", f"{indicator}@2026-11-01"]],
        header=["child_given_name", "child_family_name", "narrative", "indicators"],
    )
    outcome = import_concerns(path, actor=p.practitioner, today=TODAY)
    assert outcome.ok
    assert Screening.objects.filter(concern=outcome.recorded[0][1].concern).count() == 1


def test_one_bad_row_and_nothing_is_written(tmp_path: Path) -> None:
    p = make_partnership()
    before = LedgerLeaf.objects.count()
    rows = [ROW, ROW, ["Bilal", "", "31/02/2012", "", "0123"], ROW]
    outcome = import_concerns(write_csv(tmp_path / "c.csv", rows), actor=p.practitioner)
    assert not outcome.ok
    assert outcome.recorded == []
    assert [(x.row, x.column, x.value) for x in outcome.problems] == [
        (4, "child_date_of_birth", "31/02/2012"),
        (4, "narrative", ""),
        (4, "phones", "0123"),
    ]
    assert outcome.rows_with_problems == 1
    assert LedgerLeaf.objects.count() == before


def test_a_dry_run_checks_and_writes_nothing(tmp_path: Path) -> None:
    p = make_partnership()
    before = LedgerLeaf.objects.count()
    path = write_csv(tmp_path / "c.csv", [ROW, ROW])
    outcome = import_concerns(path, actor=p.practitioner, dry_run=True)
    assert outcome.ok
    assert outcome.dry_run
    assert outcome.recorded == []
    assert LedgerLeaf.objects.count() == before


def test_a_failure_while_writing_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tocsin.server.ledger import recording

    p = make_partnership()
    before = LedgerLeaf.objects.count()
    applied = 0
    original = recording.apply_event

    def fail_on_the_third(*args: object, **kwargs: object) -> None:
        nonlocal applied
        applied += 1
        if applied == 3:
            raise RuntimeError("the database went away")
        original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(recording, "apply_event", fail_on_the_third)
    # Five different rows (the same row five times would be recorded once).
    path = write_csv(tmp_path / "c.csv", [[f"Child{i}", *ROW[1:]] for i in range(5)])
    with pytest.raises(RuntimeError):
        import_concerns(path, actor=p.practitioner)
    assert LedgerLeaf.objects.count() == before
    assert not Concern.objects.exists()


def test_xlsx_with_dates_numbers_and_blank_rows(tmp_path: Path) -> None:
    p = make_partnership()
    path = write_xlsx(
        tmp_path / "c.xlsx",
        [
            ["Amara", "Okafor", date(2011, 3, 4), "A car collects her.", "07700 900123"],
            [None, None, None, None, None],
            ["Bilal", "Hussain", "04/05/2012", "Seen out of area.", None],
        ],
    )
    outcome = import_concerns(path, actor=p.practitioner)
    assert outcome.ok, outcome.problems
    assert [row for row, _ in outcome.recorded] == [2, 4]


def test_a_formula_in_xlsx_is_a_problem(tmp_path: Path) -> None:
    p = make_partnership()
    path = write_xlsx(tmp_path / "c.xlsx", [["Amara", "Okafor", "=TODAY()-5000", "Text.", None]])
    outcome = import_concerns(path, actor=p.practitioner)
    assert [(x.row, x.column, x.value) for x in outcome.problems] == [
        (2, "child_date_of_birth", "(formula)")
    ]
    assert not Concern.objects.exists()


def test_a_cell_outside_the_header_is_a_problem(tmp_path: Path) -> None:
    p = make_partnership()
    path = write_csv(tmp_path / "c.csv", [[*ROW, "stray"]])
    outcome = import_concerns(path, actor=p.practitioner)
    assert [(x.row, x.column) for x in outcome.problems] == [(2, "column 6")]


def test_header_problems_stop_before_the_rows(tmp_path: Path) -> None:
    p = make_partnership()
    path = write_csv(tmp_path / "c.csv", [["x", "y"]], header=["child_given_name", "colour"])
    outcome = import_concerns(path, actor=p.practitioner)
    assert {x.row for x in outcome.problems} == {1}
    assert {x.column for x in outcome.problems} == {"colour", "child_family_name", "narrative"}


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("c.csv", b"", "is empty"),
        ("c.csv", b"child_given_name,child_family_name,narrative\r\n", "no concerns"),
        ("c.csv", b"child_given_name,narrative\n\xff\xfeA,B\n", "not UTF-8"),
        ("c.csv", b'child_given_name,narrative\n"A,B\n', "not well-formed CSV"),
        ("c.xlsx", b"PK\x03\x04 not really a workbook", "could not be read as an XLSX"),
        ("c.xls", b"\xd0\xcf\x11\xe0", "only .csv and .xlsx"),
    ],
)
def test_files_that_cannot_be_imported(
    tmp_path: Path, name: str, content: bytes, words: str
) -> None:
    p = make_partnership()
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImportFileError, match=words) as raised:
        import_concerns(path, actor=p.practitioner)
    assert "xff" not in str(raised.value)  # the file's contents are never quoted


def test_missing_and_too_large_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tocsin.domain.concerns.importing import _reading

    p = make_partnership()
    with pytest.raises(ImportFileError, match="no such file"):
        import_concerns(tmp_path / "absent.csv", actor=p.practitioner)
    path = write_csv(tmp_path / "c.csv", [ROW] * 3)
    monkeypatch.setattr(_reading, "MAX_FILE_BYTES", 100)
    with pytest.raises(ImportFileError, match="the limit is"):
        import_concerns(path, actor=p.practitioner)
    monkeypatch.setattr(_reading, "MAX_FILE_BYTES", 10**6)
    monkeypatch.setattr(_reading, "MAX_ROWS", 2)
    with pytest.raises(ImportFileError, match="more than 2 concerns"):
        import_concerns(path, actor=p.practitioner)


def test_only_people_who_may_record_concerns_may_import(tmp_path: Path) -> None:
    p = make_partnership()
    path = write_csv(tmp_path / "c.csv", [ROW])
    with pytest.raises(ActionRefused):
        import_concerns(path, actor=p.admin)
    closed = make_user(p.council)
    closed.is_active = False
    with pytest.raises(ActionRefused, match="closed"):
        import_concerns(path, actor=closed)
    assert not Concern.objects.exists()


def test_the_error_report_is_csv_and_never_runs_a_formula(tmp_path: Path) -> None:
    out = tmp_path / "errors.csv"
    write_error_report(
        [
            RowProblem(3, "phones", '=HYPERLINK("x")', "Enter a UK phone number"),
            RowProblem(4, "narrative", "", "Describe what happened"),
        ],
        out,
    )
    text = out.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(text.splitlines()))
    assert rows[0] == list(REPORT_COLUMNS)
    assert rows[1] == ["3", "phones", '\'=HYPERLINK("x")', "Enter a UK phone number"]
    assert rows[2] == ["4", "narrative", "", "Describe what happened"]
    assert [p.name for p in tmp_path.iterdir()] == ["errors.csv"]  # no scratch file left


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_template_is_the_header_and_imports_as_empty(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"template{suffix}"
    write_template(path)
    from tocsin.server.concerns.importing import read_sheet

    with pytest.raises(ImportFileError, match="no concerns"):
        read_sheet(path)
    if suffix == ".csv":
        assert path.read_text().splitlines() == [",".join(COLUMN_NAMES)]
    with pytest.raises(ValueError, match=r"csv or \.xlsx"):
        write_template(tmp_path / "template.txt")


def test_docs_describe_every_column_and_code() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for name in COLUMN_NAMES:
        assert f"| `{name}` |" in text, name
    for code in [*CIN_FACTORS, *ETHNICITY, *screening_policy.indicator_ids()]:
        assert f"| `{code}` |" in text, code


def test_the_documented_example_imports(tmp_path: Path) -> None:
    p = make_partnership()
    example = re.search(r"## Example.*?```csv\n(.*?)```", DOCS.read_text(), re.S)
    assert example is not None
    path = tmp_path / "example.csv"
    path.write_text(example.group(1), encoding="utf-8")
    outcome = import_concerns(path, actor=p.practitioner, today=TODAY)
    assert outcome.ok, outcome.problems
    assert outcome.rows == 2
