"""XLSX workbooks that used to lose values or rows silently: formulas without a saved value,
a hidden first sheet, a non-number in a number cell. Each workbook is written by openpyxl in
``tmp_path`` and its sheet XML edited in the zip, so the fault is in the bytes."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook

from otklik.cli import main
from otklik.ingest import open_table
from otklik.ingest.readers import xlsx
from otklik.ingest.readers.base import BROKEN_ROW
from tests.ingest.test_readers_real_exports import _import, _items, _quarantine, _refused

SURVEY: list[list[object]] = [
    ["Date", "Score", "Comment"],
    ["2025-03-01", 9, "fast"],
    ["2025-03-02", 10, "friendly"],
    ["2025-03-03", 4, "slow"],
]
SHEET1 = "xl/worksheets/sheet1.xml"


def _save(
    path: Path,
    sheets: list[tuple[str, list[list[object]], str]],
    member: str | None = None,
    edit: Callable[[bytes], bytes] | None = None,
) -> Path:
    """Write ``sheets`` (title, rows, state) to ``path``, with ``member`` passed through
    ``edit``."""
    book = Workbook()
    book.remove(book.active)
    for title, rows, state in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        sheet.sheet_state = state
    buffer = io.BytesIO()
    book.save(buffer)
    source = zipfile.ZipFile(buffer)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == member and edit is not None:
                edited = edit(body)
                assert edited != body, "the edit must change the sheet"
                body = edited
            target.writestr(info, body)
    return path


def _cell(ref: str, value: bytes) -> Callable[[bytes], bytes]:
    """Replace the cell ``ref`` by a number-typed cell holding ``value``."""
    pattern = re.compile(rb'<c r="' + ref.encode() + rb'"[^>]*>.*?</c>', re.S)
    return lambda body: pattern.sub(
        lambda _: b'<c r="' + ref.encode() + b'"><v>' + value + b"</v></c>", body, count=1
    )


@pytest.fixture
def store(store_url: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["init", "--db", store_url]) == 0
    capsys.readouterr()
    return store_url


# --- formulas with no saved value -----------------------------------------------------------


def test_formulas_without_a_value_are_empty_with_a_warning(
    capsys: pytest.CaptureFixture[str], store: str, tmp_path: Path
) -> None:
    rows = [SURVEY[0], ["2025-03-01", "=4+5", "fast"], SURVEY[2], ["2025-03-03", "=1+3", "slow"]]
    path = _save(tmp_path / "formulas.xlsx", [("Responses", rows, "visible")])
    report = _import(capsys, store, path)
    assert (report["read"], report["imported"], report["quarantined"]) == (3, 3, 0)
    assert [item["score"] for item in _items(store)] == [None, 10.0, None]
    [warning] = [w for w in report["detected"]["warnings"] if "formula" in w]
    assert warning.startswith("2 formula cell(s) have no saved value (first: B2)")
    assert "Excel or LibreOffice" in warning


def test_a_formula_with_no_v_element_at_all_warns(tmp_path: Path) -> None:
    """The issue's case, ``<c r="B2"><f>4+5</f></c>``; ``<v></v>`` (an empty text result that
    Excel saved) is a saved value and gives no warning."""
    rows = [SURVEY[0], ["2025-03-01", "=4+5", "fast"], ["2025-03-02", '=""', "x"]]
    path = _save(
        tmp_path / "nov.xlsx",
        [("Responses", rows, "visible")],
        SHEET1,
        lambda body: body.replace(b"<f>4+5</f><v />", b"<f>4+5</f>").replace(
            b'<c r="B3"><f>""</f><v />', b'<c r="B3" t="str"><f>""</f><v></v>'
        ),
    )
    table = open_table(path)
    assert [values[1] for _, values in table.rows()] == [None, None]
    assert table.detected["warnings"][0].startswith(
        "1 formula cell(s) have no saved value (first: B2)"
    )


def test_a_formula_with_its_saved_value_is_read_without_a_warning(tmp_path: Path) -> None:
    rows = [SURVEY[0], ["2025-03-01", "=4+5", "fast"]]
    path = _save(
        tmp_path / "cached.xlsx",
        [("Responses", rows, "visible")],
        SHEET1,
        lambda body: body.replace(b"<f>4+5</f><v />", b"<f>4+5</f><v>9</v>"),
    )
    table = open_table(path)
    assert list(table.rows()) == [(2, ["2025-03-01", 9, "fast"])]
    assert not table.detected.get("warnings")


def test_a_prefixed_formula_without_a_value_is_counted(tmp_path: Path) -> None:
    """Cells written as ``<x:c>`` with ``<x:f>`` (namespace prefixes) are found too."""
    rows = [SURVEY[0], ["2025-03-01", 7, "fast"]]
    path = _save(
        tmp_path / "prefixed.xlsx",
        [("Responses", rows, "visible")],
        SHEET1,
        lambda body: body.replace(
            b'<c r="B2" t="n"><v>7</v></c>',
            b'<x:c xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="B2">'
            b"<x:f>3+4</x:f></x:c>",
        ),
    )
    table = open_table(path)
    assert list(table.rows()) == [(2, ["2025-03-01", None, "fast"])]
    assert "1 formula cell(s) have no saved value (first: B2)" in table.detected["warnings"][0]


# --- hidden sheets --------------------------------------------------------------------------

JUNK: list[list[object]] = [["lookup", "code"], ["a", 1], ["b", 2], ["c", 3], ["d", 4]]


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_first_sheet_is_skipped(
    capsys: pytest.CaptureFixture[str], store: str, tmp_path: Path, state: str
) -> None:
    path = _save(
        tmp_path / "hidden.xlsx", [("Lists", JUNK, state), ("Responses", SURVEY, "visible")]
    )
    report = _import(capsys, store, path)
    assert (report["read"], report["imported"]) == (3, 3)
    assert report["detected"]["sheet"] == "Responses"
    assert [item["score"] for item in _items(store)] == [9.0, 10.0, 4.0]
    assert any("'Lists'" in w and "hidden" in w for w in report["detected"]["warnings"])


def test_two_hidden_sheets_before_the_visible_one_are_named(tmp_path: Path) -> None:
    path = _save(
        tmp_path / "hidden2.xlsx",
        [("A", JUNK, "hidden"), ("B", JUNK, "veryHidden"), ("Responses", SURVEY, "visible")],
    )
    table = open_table(path)
    assert table.detected["sheet"] == "Responses"
    assert table.detected["warnings"][0].startswith("hidden sheet(s) skipped: 'A', 'B';")
    assert [values[1] for _, values in table.rows()] == [9, 10, 4]


def test_a_hidden_sheet_can_still_be_read_by_name(tmp_path: Path) -> None:
    path = _save(
        tmp_path / "named.xlsx", [("Lists", JUNK, "hidden"), ("Responses", SURVEY, "visible")]
    )
    table = open_table(path, sheet="Lists")
    assert table.detected["sheet"] == "Lists"
    assert [values[1] for _, values in table.rows()] == [1, 2, 3, 4]
    assert not table.detected.get("warnings")


def test_a_visible_first_sheet_gives_no_warning(tmp_path: Path) -> None:
    path = _save(
        tmp_path / "plain.xlsx", [("Responses", SURVEY, "visible"), ("Lists", JUNK, "hidden")]
    )
    table = open_table(path)
    assert table.detected["sheet"] == "Responses"
    assert not table.detected.get("warnings")


def test_every_sheet_hidden_is_refused_in_one_line(
    capsys: pytest.CaptureFixture[str], store: str, tmp_path: Path
) -> None:
    book = Workbook()
    book.active.title = "Responses"
    for row in SURVEY:
        book.active.append(row)
    book.active.sheet_state = "hidden"
    book.create_sheet("Other").sheet_state = "visible"
    book.save(tmp_path / "allhidden.xlsx")
    # openpyxl needs one visible sheet to save; hide the last one in the bytes
    path = tmp_path / "allhidden2.xlsx"
    source = zipfile.ZipFile(tmp_path / "allhidden.xlsx")
    with zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "xl/workbook.xml":
                body = body.replace(b'state="visible"', b'state="hidden"')
            target.writestr(info, body)
    line = _refused(capsys, store, path)
    assert "every sheet is hidden (Responses, Other)" in line and "--sheet" in line


# --- a non-number in a number cell ----------------------------------------------------------


@pytest.mark.parametrize("value", [b"NaN", b"abc", b"1.2.3", b"inf", b" ", b"&lt;9&gt;"])
def test_a_non_number_in_a_number_cell_quarantines_its_row(
    capsys: pytest.CaptureFixture[str], store: str, tmp_path: Path, value: bytes
) -> None:
    path = _save(
        tmp_path / "nan.xlsx", [("Responses", SURVEY, "visible")], SHEET1, _cell("B3", value)
    )
    report = _import(capsys, store, path)
    assert (report["read"], report["imported"], report["quarantined"]) == (3, 2, 1)
    assert [item["score"] for item in _items(store)] == [9.0, 4.0]
    reasons = _quarantine(store, report["run_id"])
    assert list(reasons) == [3]
    assert "'Score'" in reasons[3] and "typed as a number" in reasons[3]


def test_several_bad_cells_anywhere_in_a_row_or_sheet(tmp_path: Path) -> None:
    """A bad cell in an unmapped column, in a row without cell references, and a boolean cell
    that is not 0 or 1: each row is quarantined, nothing else is lost."""
    rows = [*SURVEY, ["2025-03-04", 7, "ok"], ["2025-03-05", 8, True]]

    def edit(body: bytes) -> bytes:
        body = _cell("C2", b"x1")(body)
        body = body.replace(b'<c r="A5" ', b"<c ").replace(b'<c r="B5" ', b"<c ")
        body = body.replace(b'<c r="B5"', b"<c")
        body = re.sub(rb'<c t="n"><v>7</v></c>', b"<c><v>seven</v></c>", body)
        return re.sub(rb'(<c r="C6" t="b"><v>)1(</v>)', rb"\1yes\2", body)

    path = _save(tmp_path / "many.xlsx", [("Responses", rows, "visible")], SHEET1, edit)
    table = open_table(path)
    read = list(table.rows())
    assert [line for line, _ in read] == [2, 3, 4, 5, 6]
    good = {line: values for line, values in read if values[0] != BROKEN_ROW}
    assert good == {3: ["2025-03-02", 10, "friendly"], 4: ["2025-03-03", 4, "slow"]}
    bad = {line: values[1] for line, values in read if values[0] == BROKEN_ROW}
    assert bad[2] == "2025-03-01\t9\tx1" and bad[2].header == "Comment"
    assert bad[5] == "2025-03-04\tseven\tok" and bad[5].header == "Score"
    assert bad[6].header == "Comment" and "'yes'" in bad[6].reason
    assert "3 cell(s) typed as numbers" in " ".join(table.detected["warnings"])


def test_a_bad_cell_past_the_first_megabyte_is_found(tmp_path: Path) -> None:
    """The sheet's XML is scanned in 1 MiB chunks: a bad cell far down is still patched."""
    rows: list[list[object]] = [SURVEY[0]]
    rows += [[f"2025-03-{1 + n % 28:02d}", n % 11, "comment " * 4] for n in range(20000)]
    path = _save(
        tmp_path / "long.xlsx",
        [("Responses", rows, "visible")],
        SHEET1,
        _cell("B19999", b"NaN"),
    )
    assert zipfile.ZipFile(path).getinfo(SHEET1).file_size > 2 << 20
    read = list(open_table(path).rows())
    assert len(read) == 20000
    assert [line for line, values in read if values[0] == BROKEN_ROW] == [19999]
    assert read[-1] == (20001, [rows[-1][0], 19999 % 11, rows[-1][2]])


def test_cells_split_across_chunks_are_found_at_every_split() -> None:
    """The streaming scan gives the same counts and the same patched XML whatever the chunk
    size, so a cell cut in two by a chunk boundary is never missed."""
    xml = (
        b'<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row>'
        b'<row r="2"><c r="A2"><v>NaN</v></c><c r="B2"><f>1+1</f></c><c r="C2"/></row>'
        b'<row r="3"><x:c r="A3" t="n"><x:v>5x</x:v></x:c><c r="B3" t="b"><v>yes</v></c></row>'
        b'</sheetData><mergeCells><mergeCell ref="A1:B1"/></mergeCells></worksheet>'
    )
    marker = xlsx._MARKER.encode()
    expected = (
        xml.replace(
            b'<c r="A2"><v>NaN</v></c>',
            b'<c r="A2" t="inlineStr"><is><t>' + marker + b"NaN</t></is></c>",
        )
        .replace(
            b'<x:c r="A3" t="n"><x:v>5x</x:v></x:c>',
            b'<x:c r="A3" t="inlineStr"><x:is><x:t>' + marker + b"5x</x:t></x:is></x:c>",
        )
        .replace(
            b'<c r="B3" t="b"><v>yes</v></c>',
            b'<c r="B3" t="inlineStr"><is><t>' + marker + b"yes</t></is></c>",
        )
    )
    for size in range(1, len(xml) + 2):
        scan = xlsx._Scan()
        out = b"".join(xlsx._edit_cells(io.BytesIO(xml), scan, size))
        assert out == expected, size
        assert (scan.bad_numbers, scan.formulas_without_value, scan.first_formula) == (3, 1, "B2")
        assert set(scan.merged) == {(1, 1, 2, 1)}


def test_a_prefixed_non_number_cell_is_quarantined(tmp_path: Path) -> None:
    """The marker cell keeps the ``x:`` prefix, so openpyxl reads it (and no value vanishes)."""
    ns = b'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    path = _save(
        tmp_path / "prefixed_bad.xlsx",
        [("Responses", SURVEY, "visible")],
        SHEET1,
        lambda body: body.replace(
            b'<c r="B3" t="n"><v>10</v></c>', b"<x:c " + ns + b' r="B3"><x:v>ten</x:v></x:c>'
        ),
    )
    read = list(open_table(path).rows())
    assert read[0] == (2, ["2025-03-01", 9, "fast"]) and read[2] == (4, ["2025-03-03", 4, "slow"])
    line, (mark, raw) = read[1]
    assert (line, mark, str(raw), raw.header) == (
        3,
        BROKEN_ROW,
        "2025-03-02\tten\tfriendly",
        "Score",
    )
