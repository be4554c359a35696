"""Writes the awkward files in tests/data/readers/ that the readers must handle.

Run it from the repository root (``python tests/data/readers/make_readers.py``); the output
is deterministic. Each file is one example of a kind of fault seen in real exports; the
expected values are in tests/ingest/test_readers_real_exports.py, worked out by hand.
The workbooks are written by openpyxl and then edited as a WPS or SurveyMonkey export would
be (zip members rewritten), so the faults are in the bytes, not simulated by the reader.
"""

from __future__ import annotations

import codecs
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import Workbook

OUT = Path(__file__).parent

RU = (
    "дата;оценка;комментарий\n"
    "01.03.2025;10;Спасибо, всё быстро\n"
    "02.03.2025;3;Долго ждал ответа оператора\n"
    "03.03.2025;9;Нормально\n"
)
RU_CAPS = "КЛИЕНТ;ГОРОД\nИВАНОВ;МОСКВА\nПЕТРОВ;КАЗАНЬ\n"
# Mixed Latin headers with short Russian comments: the hard case for code-page guessing.
RU_SHORT = "date,score,comment\n2025-03-01,9,Отлично\n2025-03-02,2,Плохо\n"


def text_files() -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    # Excel's delimiter hint, in its variants.
    files["sep_hint.csv"] = (
        b"sep=;\r\ndate;score;comment\r\n2025-03-01;10;great\r\n"
        b"2025-03-02;9;good, thanks\r\n2025-03-03;3;slow\r\n"
    )
    files["sep_hint_bom_pipe.csv"] = codecs.BOM_UTF8 + (
        "SEP=|\ndate|score|comment\n2025-03-01|8|ок; норм\n2025-03-02|10|супер\n".encode()
    )
    files["sep_hint_tab.csv"] = b"sep=\t\ndate\tscore\n2025-03-01\t0\n2025-03-02\t10\n"
    # Encodings.
    files["ru_koi8r.csv"] = RU.encode("koi8_r")
    files["ru_cp1251.csv"] = RU.encode("cp1251")
    files["ru_cp866.csv"] = RU.encode("cp866")
    files["ru_caps_koi8r.csv"] = RU_CAPS.encode("koi8_r")
    files["ru_caps_cp1251.csv"] = RU_CAPS.encode("cp1251")
    files["ru_short_koi8r.csv"] = RU_SHORT.encode("koi8_r")
    files["ru_short_cp1251.csv"] = RU_SHORT.encode("cp1251")
    files["utf16_bom_utf8_body.csv"] = codecs.BOM_UTF16_LE + RU.encode()
    files["utf16be_bom_utf8_body.csv"] = codecs.BOM_UTF16_BE + RU_SHORT.encode()
    files["utf16_bom_cp1251_body.csv"] = codecs.BOM_UTF16_LE + RU.encode("cp1251")
    files["utf16le_no_bom.csv"] = RU.encode("utf_16_le")
    files["utf16_bom_cut.csv"] = (codecs.BOM_UTF16_LE + RU.encode("utf_16_le"))[:-1]
    files["binary_junk.csv"] = bytes((i * 37 + 11) % 256 for i in range(4096))
    files["control_junk.csv"] = bytes((0x80 + (i * 7) % 32) for i in range(600))
    # Quoting.
    files["unclosed_quote_at_end.csv"] = (
        b'date,score,comment\n2025-03-01,9,"x\n2025-03-02,10,good\n2025-03-03,0,bad\n'
    )
    files["unclosed_quote_midway.csv"] = (
        b"date,score,comment\n"
        b'2025-03-01,9,"x\n'
        b'2025-03-02,10,"good"\n'
        b"2025-03-03,0,bad\n"
        b'2025-03-04,8,"fine, thanks\nreally"\n'
    )
    files["unclosed_quote_last_line.csv"] = (
        b'date,score,comment\n2025-03-01,9,ok\n2025-03-02,7,"no closing quote'
    )
    files["multiline_ok.csv"] = (
        b"date,score,comment\n"
        b'2025-03-01,9,"first line\nsecond, with, commas\nthird ""quoted"" line"\n'
        b"2025-03-02,10,fine\n"
    )
    files["duplicate_headers.csv"] = (
        b"date,score,comment,comment,,comment\n"
        b"2025-03-01,9,first,second,blank-header,third\n"
        b"2025-03-02,4,a,b,c,d\n"
    )
    # JSON and JSON Lines.
    files["nan.json"] = (
        b'[{"date": "2025-03-01", "score": 9},\n'
        b' {"date": "2025-03-02", "score": NaN},\n'
        b' {"date": "2025-03-03", "score": 7, "extra": {"x": Infinity}}]\n'
    )
    deep_ok = {"level": 1}
    node = deep_ok
    for level in range(2, 30):
        node["child"] = {"level": level}
        node = node["child"]
    too_deep: dict[str, object] = {}
    node = too_deep
    for _ in range(40):
        node["x"] = {}
        node = node["x"]  # type: ignore[assignment]
    lines = [
        json.dumps({"date": "2025-03-01", "score": 9, "meta": deep_ok}),
        json.dumps({"date": "2025-03-02", "score": 8, "meta": too_deep}),
        '{"date": "2025-03-03", "score": 7, "meta": ' + "[" * 5000 + "]" * 5000 + "}",
        '{"date": "2025-03-04", "score": -Infinity}',
        '{"date": "2025-03-05", "score": 10, "transfers": ' + "9" * 5000 + "}",
        '{"date": "2025-03-07", "score": 5',
    ]
    files["hostile.jsonl"] = ("\n".join(lines) + "\n").encode()
    files["big_int.jsonl"] = (
        b'{"date": "2025-03-06", "score": 6, "transfers": 100000000000000000000000}\n'
    )
    files["duplicate_keys.jsonl"] = (
        b'{"date": "2025-03-01", "score": 9, "comment": "first", "comment": "second"}\n'
        b'{"date": "2025-03-02", "score": 7, "comment": "only"}\n'
    )
    files["deep_array.json"] = b"[" * 100_000 + b"]" * 100_000
    files["ru_cp1251.json"] = json.dumps(
        [{"date": "2025-03-01", "score": 9, "comment": "Спасибо большое"}], ensure_ascii=False
    ).encode("cp1251")
    files["ru_utf16.json"] = codecs.BOM_UTF16_LE + json.dumps(
        [{"date": "2025-03-01", "score": 9, "comment": "Спасибо"}], ensure_ascii=False
    ).encode("utf_16_le")
    # A quote opened in line 2 and closed in line 7: the lines between are whole rows.
    files["quote_closed_rows_later.csv"] = (
        b'date,score,comment\n2025-03-01,9,"broken\n2025-03-02,8,ok\n2025-03-03,10,fine\n'
        b'2025-03-04,6,meh\n2025-03-05,9,good\n2025-03-06,7,e"\n'
    )
    # Legitimate multi-line comments whose lines hold commas but do not begin like a row.
    files["multiline_comments_with_commas.csv"] = (
        b'date,score,comment\n2025-03-01,9,"line one\nsecond, with, commas\nthird"\n'
        b'2025-03-02,8,"multi\n2025-03-03 was the day, I think, really\nend"\n2025-03-04,7,ok\n'
    )
    # The tab hint as a CSV writer quotes it.
    files["sep_tab_quoted.csv"] = (
        b'"sep=\t"\ndate\tscore\tcomment\n2025-03-01\t9\ta\n2025-03-02\t10\tb\n2025-03-03\t3\tc\n'
    )
    return files


def _rewrite(data: bytes, member: str | None = None, edit: Any = None) -> bytes:
    """``data`` (a zip) with ``member``'s bytes passed through ``edit``, and fixed timestamps
    (in the zip and in docProps/core.xml) so that the output is the same on every run."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == member:
                body = edit(body)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2025-01-01T00:00:00Z", body)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2025, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, body)
    return buffer.getvalue()


def _workbook(rows: list[list[object]], *merges: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Responses"
    for row in rows:
        sheet.append(row)
    for merge in merges:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    book.save(buffer)
    return _rewrite(buffer.getvalue())


SHEET = "xl/worksheets/sheet1.xml"
SURVEY = [
    ["Date", "Score", "Comment"],
    ["2025-03-01", 9, "fast"],
    ["2025-03-02", 10, "friendly"],
    ["2025-03-03", 4, "slow"],
]


def workbooks() -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    good = _workbook(SURVEY)
    files["wps_dimension_a1.xlsx"] = _rewrite(
        good,
        SHEET,
        lambda body: re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1"/>', body),
    )
    files["wps_dimension_short.xlsx"] = _rewrite(
        good,
        SHEET,
        lambda body: re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:B2"/>', body),
    )
    files["no_dimension.xlsx"] = _rewrite(
        good, SHEET, lambda body: re.sub(rb'<dimension ref="[^"]*"\s*/>', b"", body)
    )
    files["merged_header.xlsx"] = _workbook(
        [
            ["Date", "Score", "Which channel did you use?", None, "Comment"],
            ["2025-03-01", 9, "app", None, "ok"],
            ["2025-03-02", 3, "other", "a branch office", "queue"],
        ],
        "C1:D1",
    )
    files["merged_header_three.xlsx"] = _workbook(
        [
            ["Date", "Rate us", None, None, "Score"],
            ["2025-03-01", "speed: 5", "price: 4", "staff: 5", 10],
            ["2025-03-02", None, "price: 2", None, 6],
            ["2025-03-03", None, None, "staff: 1", 0],
        ],
        "B1:D1",
        "A3:B3",
    )
    files["blank_header_with_values.xlsx"] = _workbook(
        [
            ["Date", "Score", None, "Comment", "Comment"],
            ["2025-03-01", 9, "note under a blank header", "first", "second"],
            ["2025-03-02", 8, None, "x", None, "beyond the header"],
        ]
    )
    files["malformed_sheet_xml.xlsx"] = _rewrite(
        good, SHEET, lambda body: body.replace(b"</sheetData>", b'<row r="9"><c></sheetData>')
    )
    files["malformed_workbook_xml.xlsx"] = _rewrite(
        good, "xl/workbook.xml", lambda body: body[: len(body) // 2]
    )
    files["cut_sheet_xml.xlsx"] = _rewrite(good, SHEET, lambda body: body[: len(body) * 2 // 3])
    return files


def main() -> None:
    for name, data in {**text_files(), **workbooks()}.items():
        (OUT / name).write_bytes(data)


if __name__ == "__main__":
    main()
