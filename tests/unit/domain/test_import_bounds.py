"""Bounded import (issue 14 §5): the two XLSX bombs found in the trial, built here, are refused
with a message naming the limit, and reading them never takes more than 300 MB; a file
declaring a huge size but holding a small one is read as what it holds. Every limit is met
by a message, never by memory running out."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tocsin.domain.concerns.importing import (
    MAX_CELL_CHARACTERS,
    MAX_COLUMNS,
    MAX_XLSX_ENTRY_BYTES,
    ImportFileError,
    read_sheet,
)

SRC = Path(__file__).resolve().parents[3] / "src"
PEAK_LIMIT_MB = 300

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Concerns" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def _letters(column: int) -> str:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _row(number: int, texts: list[str]) -> str:
    cells = "".join(_cell(f"{_letters(i)}{number}", t) for i, t in enumerate(texts, start=1))
    return f'<row r="{number}">{cells}</row>'


_HEADER = ["child_given_name", "child_family_name", "narrative"]
_CONCERN = ["Amara", "Okafor", "A car has been seen collecting her from school."]


def _xlsx(path: Path, sheet_parts: list[str], *, big_cell_bytes: int = 0) -> Path:
    """A minimal workbook: the sheet's XML is ``sheet_parts`` joined, and with
    ``big_cell_bytes``, a second data row whose narrative is that many letters, streamed
    into the zip so that the test never holds it in memory either."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write("".join(sheet_parts).encode())
            if big_cell_bytes:
                sheet.write(b'<row r="3"><c r="A3" t="inlineStr"><is><t>Bilal</t></is></c>')
                sheet.write(b'<c r="B3" t="inlineStr"><is><t>Khan</t></is></c>')
                sheet.write(b'<c r="C3" t="inlineStr"><is><t>')
                block = b"A" * (1 << 20)
                for _ in range(big_cell_bytes // len(block)):
                    sheet.write(block)
                sheet.write(b"</t></is></c></row>")
            sheet.write(b"</sheetData></worksheet>")
    return path


def _sheet(dimension: str, rows: list[str]) -> list[str]:
    return [_SHEET_HEAD, f'<dimension ref="{dimension}"/>', "<sheetData>", *rows]


@pytest.fixture(scope="module")
def cell_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cell of 800 MB: about 800 KB compressed."""
    folder = tmp_path_factory.mktemp("bombs")
    rows = [_row(1, _HEADER), _row(2, _CONCERN)]
    return _xlsx(folder / "cell-bomb.xlsx", _sheet("A1:C3", rows), big_cell_bytes=800 << 20)


@pytest.fixture(scope="module")
def dimension_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A sheet declaring A1:XFD1048576 and holding a value in its last cell, as the trial's."""
    folder = tmp_path_factory.mktemp("bombs")
    rows = [_row(1, _HEADER), _row(2, _CONCERN)]
    rows.append(f'<row r="1048576">{_cell("XFD1048576", "x")}</row>')
    return _xlsx(folder / "dimension-bomb.xlsx", _sheet("A1:XFD1048576", rows))


def _read_in_subprocess(path: Path) -> dict[str, object]:
    """Read ``path`` in a fresh process; its answer and its peak memory (ru_maxrss).

    Linux carries a process's peak across exec, and a child starts with its parent's pages:
    a subprocess of a long test run would report the run's own peak. So the subprocess forks
    once more, the reading happens in that grandchild, whose peak starts at the small
    subprocess's size, and RUSAGE_CHILDREN reports it."""
    script = (
        "import json, os, resource, sys\n"
        "from pathlib import Path\n"
        "from tocsin.domain.concerns.importing import ImportFileError, read_sheet\n"
        "read, write = os.pipe()\n"
        "if os.fork() == 0:\n"
        "    try:\n"
        "        sheet = read_sheet(Path(sys.argv[1]))\n"
        "        answer = {'rows': len(sheet.rows)}\n"
        "    except ImportFileError as exc:\n"
        "        answer = {'refused': str(exc)}\n"
        "    os.write(write, json.dumps(answer).encode())\n"
        "    os._exit(0)\n"
        "os.close(write)\n"
        "with os.fdopen(read) as pipe:\n"
        "    answer = json.loads(pipe.read())\n"
        "os.wait()\n"
        "answer['peak_mb'] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps(answer))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"},
        check=True,
    )
    answer: dict[str, object] = json.loads(result.stdout)
    return answer


def test_the_800_mb_cell_bomb_is_refused_within_300_mb(cell_bomb: Path) -> None:
    assert cell_bomb.stat().st_size < 1_000_000  # the trial's was 820 KB
    with zipfile.ZipFile(cell_bomb) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size > 800 << 20
    answer = _read_in_subprocess(cell_bomb)
    assert "refused" in answer, answer
    assert f"the limit is {MAX_XLSX_ENTRY_BYTES // 2**20} MB" in str(answer["refused"])
    assert "xl/worksheets/sheet1.xml" in str(answer["refused"])
    assert float(str(answer["peak_mb"])) < PEAK_LIMIT_MB, answer


def test_the_declared_dimension_bomb_is_refused_within_300_mb(dimension_bomb: Path) -> None:
    assert dimension_bomb.stat().st_size < 14_000  # the trial's was 13.7 KB
    answer = _read_in_subprocess(dimension_bomb)
    assert "refused" in answer, answer
    assert f"row 1048576 uses more than {MAX_COLUMNS} columns" in str(answer["refused"])
    assert float(str(answer["peak_mb"])) < PEAK_LIMIT_MB, answer


def test_a_declared_size_alone_is_ignored(tmp_path: Path) -> None:
    """Declaring A1:XFD1048576 over two real rows: the two rows are read, not padded."""
    path = _xlsx(
        tmp_path / "declared.xlsx",
        _sheet("A1:XFD1048576", [_row(1, _HEADER), _row(2, _CONCERN)]),
    )
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sheet = read_sheet(path)
    assert sheet.header == _HEADER
    assert [(number, [c.value for c in cells]) for number, cells in sheet.rows] == [(2, _CONCERN)]
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 50


def test_a_row_number_in_digits_other_than_0_to_9_is_refused_with_the_message(
    tmp_path: Path,
) -> None:
    """``r="²"`` is a digit to str.isdigit, not to int(): the limits' scan reads it as no
    number, and the file is refused as unreadable, with what to do, never a crash."""
    rows = [_row(1, _HEADER), _row(2, _CONCERN).replace('<row r="2">', '<row r="²">', 1)]
    with pytest.raises(ImportFileError, match=r"save it again as \.xlsx or \.csv"):
        read_sheet(_xlsx(tmp_path / "odd-row.xlsx", _sheet("A1:C2", rows)))


def test_a_cell_longer_than_excel_allows_is_refused(tmp_path: Path) -> None:
    long = "A" * (MAX_CELL_CHARACTERS + 1)
    path = _xlsx(
        tmp_path / "long.xlsx", _sheet("A1:C2", [_row(1, _HEADER), _row(2, [*_CONCERN[:2], long])])
    )
    with pytest.raises(
        ImportFileError, match=f"row 2, column 3 holds more than {MAX_CELL_CHARACTERS:,}"
    ):
        read_sheet(path)
    csv_path = tmp_path / "long.csv"
    csv_path.write_text(",".join(_HEADER) + "\nAmara,Okafor," + long + "\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="row 2, column 3 holds more than"):
        read_sheet(csv_path)


def test_a_cell_just_within_the_limit_is_read(tmp_path: Path) -> None:
    fits = "A" * MAX_CELL_CHARACTERS
    path = _xlsx(
        tmp_path / "fits.xlsx", _sheet("A1:C2", [_row(1, _HEADER), _row(2, [*_CONCERN[:2], fits])])
    )
    assert read_sheet(path).rows[0][1][2].value == fits


def test_a_value_beyond_the_last_column_allowed_is_refused(tmp_path: Path) -> None:
    wide = [*_CONCERN, *([""] * (MAX_COLUMNS - len(_CONCERN))), "one too far"]
    path = _xlsx(tmp_path / "wide.xlsx", _sheet("A1:A1", [_row(1, _HEADER), _row(2, wide)]))
    with pytest.raises(ImportFileError, match=f"row 2 uses more than {MAX_COLUMNS} columns"):
        read_sheet(path)
    csv_path = tmp_path / "wide.csv"
    csv_path.write_text(",".join(_HEADER) + "\n" + ",".join(wide) + "\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match=f"row 2 uses more than {MAX_COLUMNS} columns"):
        read_sheet(csv_path)
    within = wide[:-1]
    ok = _xlsx(tmp_path / "within.xlsx", _sheet("A1:A1", [_row(1, _HEADER), _row(2, within)]))
    assert read_sheet(ok).rows[0][1][0].value == "Amara"


def test_a_part_whose_content_runs_past_its_declared_size_is_refused(tmp_path: Path) -> None:
    """The zip directory's sizes are what the limits trust: a part that says it is small and
    is not is refused when its end does not come where declared."""
    path = _xlsx(tmp_path / "honest.xlsx", _sheet("A1:C2", [_row(1, _HEADER), _row(2, _CONCERN)]))
    content = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    # Rewrite the declared size (in the central directory) to half the real one.
    central = content.rfind(info.filename.encode()) - 46  # the name follows a 46-byte header
    assert content[central : central + 4] == b"PK\x01\x02"
    liar = info.file_size // 2
    for at in (central + 24, info.header_offset + 22):
        content[at : at + 4] = liar.to_bytes(4, "little")
    lying = tmp_path / "lying.xlsx"
    lying.write_bytes(bytes(content))
    with pytest.raises(ImportFileError, match="could not be read as an XLSX workbook"):
        read_sheet(lying)


def test_a_zip_of_too_many_parts_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    path = tmp_path / "parts.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for i in range(1001):
            archive.writestr(f"part{i}.xml", "")
    with pytest.raises(ImportFileError, match="holds 1,001 parts"):
        read_sheet(path)
