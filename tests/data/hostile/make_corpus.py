"""Write the hostile-input corpus (issue 11, issue 10 kind 1) and its manifest.

Run once from the repository root: ``python tests/data/hostile/make_corpus.py``. The output is
deterministic (fixed seeds, fixed zip timestamps) and committed; run it again after editing an
entry. Files over ~200 KB are not committed: the manifest names a ``generate`` recipe instead
and ``tests/hostile/test_corpus.py`` writes them into ``tmp_path`` at test time.

Every expectation below is written by hand from what the issues say must happen, never from
otklik's output. Shapes (see ``tests/hostile/test_corpus.py``):

``expect: refused``
    one-line error and a non-zero exit (CLI), a 4xx (upload), a 4xx with the JSON error shape
    (API); nothing imported.
``expect: {read, imported, duplicates, quarantined, quarantine: [[line, field], ...]}``
    the counts, and (line, field) pairs that must be among the quarantined rows (``line`` null:
    any line). ``values: {external_id: {field: value}}`` are the stored values of named items
    (``contains`` instead of a field: the text must appear in the item's text or attributes).
``expect: {any_of: [...]}``
    where the issue allows more than one honest outcome (refuse the file, or read it and
    quarantine the bad rows); each alternative has one of the shapes above.

``feeds``: ``file`` (CLI ``otklik import`` and the web upload) and/or ``records`` (the file's
records posted to ``POST /api/v1/items``); ``expect_records`` overrides ``expect`` for the API.
"""

from __future__ import annotations

import io
import json
import random
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import yaml

HERE = Path(__file__).parent
MARKUP = '<a href="https://evil.example/x">HOSTILE-A</a><script>alert("HOSTILE-S")</script>'
MARKUP += "<b>HOSTILE-B</b><img src=x onerror=alert(1)>"
FORMULAS = (
    '=HYPERLINK("https://evil.example/x","click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "=1+1",
    "\t=1+1",
)
SURVEY_HEADER = "id,occurred_at,score,scale,text"
GOOD = "2025-03-01T10:00:00"

ENTRIES: list[dict[str, Any]] = []


def counts(
    read: int,
    imported: int,
    quarantined: int = 0,
    duplicates: int = 0,
    quarantine: list[list[Any]] | None = None,
    values: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "read": read,
        "imported": imported,
        "duplicates": duplicates,
        "quarantined": quarantined,
    }
    if quarantine:
        shape["quarantine"] = quarantine
    if values:
        shape["values"] = values
    return shape


def entry(
    name: str,
    content: bytes | str | None,
    kind: str,
    expect: Any,
    *,
    note: str,
    import_kind: str = "survey",
    feeds: tuple[str, ...] = ("file",),
    scale: str | None = None,
    expect_records: Any = None,
    generate: str | None = None,
    source: str | None = None,
) -> None:
    if content is not None:
        data = content.encode("utf-8") if isinstance(content, str) else content
        assert len(data) < 200_000, name
        (HERE / name).write_bytes(data)
    row: dict[str, Any] = {
        "file": name,
        "kind": kind,
        "note": note,
        "import_kind": import_kind,
        "feeds": list(feeds),
        "expect": expect,
    }
    if scale:
        row["scale"] = scale
    if expect_records is not None:
        row["expect_records"] = expect_records
    if generate:
        row["generate"] = generate
    if source:
        row["source"] = source
    ENTRIES.append(row)


def csv_rows(*rows: str, header: str = SURVEY_HEADER, end: str = "\n") -> str:
    return end.join((header, *rows)) + end


def jsonl(*records: Any) -> str:
    return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)


def good(ident: str, score: int = 9, text: str = "ok") -> dict[str, Any]:
    return {"id": ident, "occurred_at": GOOD, "score": score, "scale": "nps", "text": text}


# --- XLSX written by hand: full control over dimension, merges, XML and escapes ---------------

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
    'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
    'worksheet+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _cell(ref: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    text = escape(str(value))
    # Excel writes control characters as _xHHHH_ escapes (ECMA-376 §22.9.2.19).
    text = "".join(f"_x{ord(ch):04X}_" if ord(ch) < 32 and ch not in "\t\n" else ch for ch in text)
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def xlsx(
    rows: list[list[Any]],
    *,
    dimension: str | None = None,
    merges: tuple[str, ...] = (),
    sheet_xml: str | None = None,
) -> bytes:
    if sheet_xml is None:
        body = "".join(
            f'<row r="{r + 1}">'
            + "".join(_cell(f"{_column(c)}{r + 1}", value) for c, value in enumerate(row))
            + "</row>"
            for r, row in enumerate(rows)
        )
        width = max(len(row) for row in rows)
        ref = dimension or f"A1:{_column(width - 1)}{len(rows)}"
        merged = ""
        if merges:
            merged = f'<mergeCells count="{len(merges)}">'
            merged += "".join(f'<mergeCell ref="{m}"/>' for m in merges) + "</mergeCells>"
        sheet_xml = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<dimension ref="{ref}"/><sheetData>{body}</sheetData>{merged}</worksheet>'
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        for name, text in (
            ("[Content_Types].xml", _CONTENT_TYPES),
            ("_rels/.rels", _RELS),
            ("xl/workbook.xml", _WORKBOOK),
            ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
            ("xl/worksheets/sheet1.xml", sheet_xml),
        ):
            info = zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            book.writestr(info, text)
    return buffer.getvalue()


SURVEY_COLUMNS = ["id", "occurred_at", "score", "scale", "text"]


def build() -> None:
    # ---------------------------------------------------------------- kind 1: bad values
    for name, moment in (
        ("year0001_offset", "0001-01-01T00:00:00+01:00"),
        ("year9999_offset", "9999-12-31T23:30:00-01:00"),
        ("year0000", "0000-01-01T00:00:00"),
        ("year99999", "99999-01-01T00:00:00"),
        ("offset_25h", "2025-03-01T10:00:00+25:00"),
        ("feb30", "2025-02-30T10:00:00"),
    ):
        entry(
            f"k1_date_{name}.csv",
            csv_rows(f"a1,{GOOD},9,nps,ok", f"a2,{moment},8,nps,bad date", f"a3,{GOOD},7,nps,ok"),
            "1",
            counts(3, 2, 1, quarantine=[[3, "occurred_at"]]),
            note=f"date {moment} cannot be stored (UTC overflow or not a date): quarantined",
        )
    entry(
        "k1_date_year0001_offset.json",
        json.dumps([good("j1"), {**good("j2"), "occurred_at": "0001-01-01T00:00:00+01:00"}]),
        "1",
        counts(2, 1, 1, quarantine=[[2, "occurred_at"]]),
        note="year 1 with an offset in JSON (line = element position)",
        feeds=("file", "records"),
    )
    entry(
        "k1_date_excel_serial_huge.xlsx",
        xlsx([SURVEY_COLUMNS, ["x1", 45717, 9, "nps", "ok"], ["x2", 2958466, 8, "nps", "bad"]]),
        "1",
        counts(2, 1, 1, quarantine=[[3, "occurred_at"]]),
        note="Excel day number 2958466 is after 9999-12-31: quarantined",
    )
    contact_header = "id,occurred_at,handle_time_s,wait_time_s,transfers,resolved,ended_by"
    for name, value in (
        ("2pow64", str(2**64)),
        ("2pow63", str(2**63)),
        ("minus_2pow63_minus1", str(-(2**63) - 1)),
        ("10pow23", str(10**23)),
        ("40digits", "9" * 40),
    ):
        entry(
            f"k1_bigint_transfers_{name}.csv",
            csv_rows(
                f"c1,{GOOD},60,5,0,yes,customer",
                f"c2,{GOOD},60,5,{value},yes,customer",
                header=contact_header,
            ),
            "1",
            counts(2, 1, 1, quarantine=[[3, "transfers"]], values={"c1": {"transfers": 0}}),
            note=f"transfers {value} is wider than any integer column: quarantined",
            import_kind="contact",
        )
    entry(
        "k1_int_transfers_2pow31.csv",
        csv_rows(f"c1,{GOOD},60,5,2147483648,yes,customer", header=contact_header),
        "1",
        {
            "any_of": [
                counts(1, 0, 1, quarantine=[[2, "transfers"]]),
                counts(1, 1, values={"c1": {"transfers": 2147483648}}),
            ]
        },
        note="2**31 overflows a 32-bit INTEGER on PostgreSQL: quarantined, or stored exactly "
        "on both engines",
        import_kind="contact",
    )
    entry(
        "k1_bigint_10pow23.json",
        '[{"id": "j1", "occurred_at": "2025-03-01T10:00:00", "transfers": 0},'
        ' {"id": "j2", "occurred_at": "2025-03-01T10:00:00", "transfers": ' + str(10**23) + "}]",
        "1",
        counts(2, 1, 1, quarantine=[[2, "transfers"]], values={"j1": {"transfers": 0}}),
        note="10**23 as a JSON integer in transfers",
        import_kind="contact",
        feeds=("file", "records"),
    )
    entry(
        "k1_bigint_score_10pow23.json",
        '[{"id": "j1", "occurred_at": "2025-03-01T10:00:00", "score": 9, "scale": "nps"},'
        ' {"id": "j2", "occurred_at": "2025-03-01T10:00:00", "scale": "nps", "score": '
        + str(10**23)
        + "}]",
        "1",
        counts(2, 1, 1, quarantine=[[2, "score"]]),
        note="10**23 as a score: outside every scale",
        feeds=("file", "records"),
    )
    entry(
        "k1_bigint_transfers.xlsx",
        xlsx(
            [
                ["id", "occurred_at", "transfers"],
                ["x1", "2025-03-01T10:00:00", 1],
                ["x2", "2025-03-01T10:00:00", 1.1805916207174113e21],
            ]
        ),
        "1",
        counts(2, 1, 1, quarantine=[[3, "transfers"]], values={"x1": {"transfers": 1}}),
        note="a numeric XLSX cell of 2**70 in transfers",
        import_kind="contact",
    )
    body = csv_rows(f"u1,{GOOD},9,nps,Спасибо за быструю помощь", f"u2,{GOOD},3,nps,Долго ждал")
    entry(
        "k1_utf16bom_utf8body.csv",
        b"\xff\xfe" + body.encode("utf-8") + b"\xd0",
        "1",
        "refused",
        note="a UTF-16 BOM followed by a UTF-8 body (odd length): no encoding reads it cleanly",
    )
    entry(
        "k1_deep_nesting.json",
        "[" * 50_000 + "]" * 50_000,
        "1",
        "refused",
        note="50,000 nested arrays: unreadable file (no RecursionError traceback); API: 4xx",
        feeds=("file", "records"),
    )
    deep: Any = "bottom"
    for _ in range(900):
        deep = {"a": deep}
    entry(
        "k1_deep_attribute_900.json",
        json.dumps([good("d1"), {**good("d2"), "meta": deep}]),
        "3",
        counts(2, 1, 1, quarantine=[[2, "attributes"]]),
        note="an attribute nested 900 deep must not be accepted (then every read answers 500)",
        feeds=("file", "records"),
        # the API may refuse the whole body before parsing it (JSON depth limit, a 400)
        expect_records={"any_of": ["refused", counts(2, 1, 1, quarantine=[[2, "attributes"]])]},
    )
    entry(
        "k1_malformed_xml.xlsx",
        xlsx(
            [],
            sheet_xml='<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>id'
            "</t></is></c></row><row r=",
        ),
        "1",
        "refused",
        note="malformed XML inside an XLSX: one-line error",
    )
    entry(
        "k1_not_a_zip.xlsx",
        b"PK\x03\x04" + bytes(range(256)) * 4,
        "1",
        "refused",
        note="a truncated zip named .xlsx",
    )
    for field, header, row in (
        ("text", SURVEY_HEADER, f"n2,{GOOD},8,nps,bad\x00text"),
        ("channel", SURVEY_HEADER + ",channel", f"n2,{GOOD},8,nps,ok,a\x00pp"),
        ("agent", SURVEY_HEADER + ",agent", f"n2,{GOOD},8,nps,ok,Ива\x00нов"),
        ("id", SURVEY_HEADER, f"n\x002,{GOOD},8,nps,ok"),
    ):
        first = f"n1,{GOOD},9,nps,ok" + ("," + "app" if header.endswith("channel") else "")
        first += ",Петров" if header.endswith("agent") else ""
        entry(
            f"k1_nul_in_{field}.csv",
            csv_rows(first, row, header=header),
            "1",
            counts(2, 1, 1, quarantine=[[3, field]]),
            note=f"a NUL byte in {field}: PostgreSQL cannot store it; quarantined on both engines",
        )
    entry(
        "k1_nul_in_text.jsonl",
        jsonl(good("n1"), good("n2", text="bad\x00text"), {**good("n3"), "meta\x00key": "v"}),
        "1",
        counts(3, 1, 2, quarantine=[[2, "text"], [3, None]]),
        note="NUL in a JSON text and in an attribute key (field: the attribute)",
        feeds=("file", "records"),
    )
    entry(
        "k1_nul_in_attribute_value.json",
        json.dumps([good("n1"), {**good("n2"), "extra": "x\x00y"}]),
        "1",
        counts(2, 1, 1, quarantine=[[2, "attributes"]]),
        note="NUL in an attribute value",
        feeds=("file", "records"),
    )
    for literal, field in (
        ("NaN", "score"),
        ("Infinity", "score"),
        ("-Infinity", "revenue"),
        ("NaN", "handle_time_s"),
        ("Infinity", "wait_time_s"),
        ("1e400", "revenue"),
    ):
        kind = "contact" if field.endswith("_s") else "survey"
        base = (
            '{"id": "f1", "occurred_at": "2025-03-01T10:00:00", "scale": "nps", "score": 9}'
            if kind == "survey"
            else '{"id": "f1", "occurred_at": "2025-03-01T10:00:00", "handle_time_s": 60}'
        )
        bad = (
            '{"id": "f2", "occurred_at": "2025-03-01T10:00:00", '
            + ('"scale": "nps", ' if kind == "survey" else "")
            + f'"{field}": {literal}}}'
        )
        sign = "neg_" if literal[0] == "-" else ""
        entry(
            f"k1_json_{literal.strip('-').lower()}_{sign}{field}.json",
            f"[{base}, {bad}]",
            "1",
            counts(2, 1, 1, quarantine=[[2, field]]),
            note=f"{literal} in JSON {field}: not a finite number, quarantined",
            import_kind=kind,
            feeds=("file", "records"),
        )
    long_name = "k1_long_name_" + "x" * 200 + ".csv"
    entry(
        long_name,
        csv_rows(f"l1,{GOOD},9,nps,ok", f"l2,{GOOD},10,nps,ok"),
        "1",
        {"any_of": ["refused", counts(2, 2)]},
        note="a 213-character file name is the default source (String(200)): either a "
        "one-line error or a shortened source; never a DataError",
        source="default",
    )
    for field, size in (("channel", 60), ("agent", 300), ("id", 300), ("product", 300)):
        header = SURVEY_HEADER if field == "id" else SURVEY_HEADER + f",{field}"
        value = "Ж" * size
        row = f"{value},{GOOD},8,nps,ok" if field == "id" else f"s2,{GOOD},8,nps,ok,{value}"
        first = f"s1,{GOOD},9,nps,ok" + ("" if field == "id" else ",x")
        entry(
            f"k1_too_long_{field}.csv",
            csv_rows(first, row, header=header),
            "1",
            counts(2, 1, 1, quarantine=[[3, field]]),
            note=f"a {size}-character {field} is longer than the column: quarantined on both "
            "engines (PostgreSQL would raise)",
        )

    # ---------------------------------------------------------------- kind 2: swallowed rows
    entry(
        "k2_unterminated_quote.csv",
        'date,score,comment\n2025-03-01,9,"x\n2025-03-02,10,good\n2025-03-03,3,bad\n',
        "2",
        {"any_of": ["refused", counts(3, 2, 1, quarantine=[[2, None]])]},
        note="an unterminated quote must not swallow the next rows into one comment",
        scale="nps",
    )
    entry(
        "k2_unterminated_quote_mid.csv",
        csv_rows(
            f"q1,{GOOD},9,nps,ok",
            f'q2,{GOOD},9,nps,"starts here',
            f"q3,{GOOD},8,nps,fine",
            f"q4,{GOOD},7,nps,fine",
            f"q5,{GOOD},6,nps,fine",
        ),
        "2",
        {"any_of": ["refused", counts(5, 4, 1, quarantine=[[3, None]])]},
        note="an unterminated quote in the middle: rows after it are not lost",
    )
    entry(
        "k2_duplicate_headers.csv",
        csv_rows(f"h1,{GOOD},9,nps,first,second", header=SURVEY_HEADER + ",text"),
        "2",
        {
            "any_of": [
                "refused",
                counts(1, 1, values={"h1": {"contains": "first"}}),
            ]
        },
        note="two 'text' columns: neither value is dropped (or the file is refused)",
    )
    entry(
        "k2_duplicate_headers_case.csv",
        "id,occurred_at,Score,score,scale\nh1,2025-03-01T10:00:00,9,3,nps\n",
        "2",
        {"any_of": ["refused", counts(1, 0, 1)]},
        note="'Score' and 'score' both map to score with different values: not silently the last",
    )
    for name, value in (
        ("nan_colon", "nan:00"),
        ("huge_colon", "1e308:1e308"),
        ("minus_zero", "-0:30"),
        ("inf", "inf"),
        ("nan", "nan"),
        ("1e309", "1e309"),
        ("minus_inf", "-inf"),
        ("infinity_colon", "0:inf"),
        ("four_parts", "1:2:3:4"),
        ("minus_seconds", "1:-30"),
    ):
        entry(
            f"k2_duration_{name}.csv",
            csv_rows(
                f"d1,{GOOD},1:30,0:10,0,yes,agent",
                f"d2,{GOOD},{value},0:10,0,yes,agent",
                header=contact_header,
            ),
            "2",
            counts(
                2, 1, 1, quarantine=[[3, "handle_time_s"]], values={"d1": {"handle_time_s": 90}}
            ),
            note=f"duration {value!r} is not finite/non-negative: quarantined, AHT stays finite",
            import_kind="contact",
        )
    entry(
        "k2_wait_nan.csv",
        csv_rows(f"d1,{GOOD},60,NaN,0,yes,agent", header=contact_header),
        "2",
        counts(1, 0, 1, quarantine=[[2, "wait_time_s"]]),
        note="NaN wait time",
        import_kind="contact",
    )
    for name, value, field in (
        ("score_nan", "nan", "score"),
        ("score_inf", "inf", "score"),
        ("revenue_nan", "nan", "revenue"),
        ("revenue_inf", "-inf", "revenue"),
    ):
        score = value if field == "score" else "8"
        revenue = value if field == "revenue" else "10"
        entry(
            f"k2_{name}.csv",
            csv_rows(
                f"v1,{GOOD},9,nps,ok,10",
                f"v2,{GOOD},{score},nps,ok,{revenue}",
                header=SURVEY_HEADER + ",revenue",
            ),
            "2",
            counts(2, 1, 1, quarantine=[[3, field]]),
            note=f"{value} in {field}",
        )
    entry(
        "k2_row_longer_than_header.csv",
        csv_rows(f"w1,{GOOD},9,nps,ok", f"w2,{GOOD},8,nps,ok,extra,cells"),
        "2",
        counts(2, 1, 1, quarantine=[[3, None]]),
        note="a row with more cells than the header is not silently cut",
    )

    # ---------------------------------------------------------------- kind 3: limits
    for generated, note, expect in (
        ("huge_comment_csv", "one 1,000,000-character comment in a CSV", None),
        ("huge_comment_xlsx", "one 1,000,000-character comment in an XLSX cell", None),
        ("huge_comment_jsonl", "one 1,000,000-character comment in JSONL", None),
    ):
        suffix = generated.rsplit("_", 1)[1]
        entry(
            f"k3_{generated}.{suffix}",
            None,
            "3",
            expect or counts(2, 1, 1, quarantine=[[None, "text"]]),
            note=note + ": over the documented comment limit, quarantined (never stored)",
            feeds=("file", "records") if suffix == "jsonl" else ("file",),
            generate=generated,
        )
    entry(
        "k3_rows_over_request_limit.jsonl",
        None,
        "3",
        "refused",
        note="10,001 records in one POST /api/v1/items: 413 with the JSON error shape",
        feeds=("records",),
        generate="rows_over_limit",
    )
    many = {f"attr_{i}": "v" for i in range(3000)}
    entry(
        "k3_many_attributes.json",
        json.dumps([good("m1"), {**good("m2"), **many}]),
        "3",
        counts(2, 1, 1, quarantine=[[2, None]]),
        note="3,000 attributes on one record: over the attribute-count limit, quarantined",
        feeds=("file", "records"),
    )
    header = SURVEY_HEADER + "," + ",".join(f"c{i}" for i in range(3000))
    entry(
        "k3_many_columns.csv",
        csv_rows(f"m1,{GOOD},9,nps,ok" + ",v" * 3000, header=header),
        "3",
        {"any_of": ["refused", counts(1, 0, 1)]},
        note="3,000 extra columns: every row over the attribute-count limit",
    )
    deep = "x"
    for _ in range(200):
        deep = [deep]
    entry(
        "k3_deep_list_200.json",
        json.dumps([good("l1"), {**good("l2"), "tags": deep}]),
        "3",
        counts(2, 1, 1, quarantine=[[2, "attributes"]]),
        note="an attribute that is a list nested 200 deep: over the nesting limit",
        feeds=("file", "records"),
        expect_records={"any_of": ["refused", counts(2, 1, 1, quarantine=[[2, "attributes"]])]},
    )
    entry(
        "k3_long_attribute_key.json",
        json.dumps([good("k1"), {**good("k2"), "k" * 5000: "v"}]),
        "3",
        {"any_of": [counts(2, 1, 1, quarantine=[[2, None]]), counts(2, 2)]},
        note="a 5,000-character attribute key: quarantined or kept, never a crash",
        feeds=("file", "records"),
    )

    # ---------------------------------------------------------------- kind 4: exports
    entry(
        "k4_vertical_tab.csv",
        csv_rows(f'e1,{GOOD},9,nps,"line\x0bbreak"', f"e2,{GOOD},8,nps,plain"),
        "4",
        counts(2, 2),
        note="a vertical tab in a comment: stored; every XLSX export still answers 200",
    )
    controls = [chr(c) for c in range(1, 32) if chr(c) not in "\t\n\r"]
    entry(
        "k4_control_chars.csv",
        csv_rows(
            *(f'cc{ord(ch)},{GOOD},9,nps,"a{ch}b"' for ch in controls),
        ),
        "4",
        counts(len(controls), len(controls)),
        note="every C0 control character (not NUL/tab/LF/CR) inside a quoted comment",
    )
    entry(
        "k4_control_chars.jsonl",
        jsonl(*(good(f"jc{ord(ch)}", text=f"a{ch}b") for ch in controls)),
        "4",
        counts(len(controls), len(controls)),
        note="every C0 control character in JSONL comments",
        feeds=("file", "records"),
    )
    entry(
        "k4_control_chars_in_fields.jsonl",
        jsonl(
            {**good("cf1"), "channel": "app\x0b", "product": "card\x1b[31m", "region": "Msk\x07"},
            {**good("cf2"), "agent": "Ivanov\x0c", "extra\x0bkey": "v\x1f"},
        ),
        "4",
        {"any_of": [counts(2, 2), counts(2, 0, 2)]},
        note="control characters in channel/product/region/agent/attributes: stored or "
        "quarantined, exports never fail",
        feeds=("file", "records"),
    )
    entry(
        "k4_vertical_tab.xlsx",
        xlsx(
            [SURVEY_COLUMNS, ["e1", GOOD, 9, "nps", "line\x0bbreak"], ["e2", GOOD, 7, "nps", "ok"]]
        ),
        "4",
        counts(2, 2),
        note="_x000B_ (vertical tab) in an XLSX cell",
    )
    formula_rows = [
        f'fx{i},{GOOD},9,nps,"{f.replace(chr(34), chr(34) * 2)}"' for i, f in enumerate(FORMULAS)
    ]
    entry(
        "k4_formula_text.csv",
        csv_rows(*formula_rows),
        "4",
        counts(
            len(FORMULAS),
            len(FORMULAS),
            values={
                f"fx{i}": {"text": f} for i, f in enumerate(FORMULAS) if not f.startswith("\t")
            },
        ),
        note="formula-like comments are stored as text and never exported as live formulas",
    )
    fields = ("channel", "product", "region", "team", "agent", "customer_id")
    entry(
        "k4_formula_fields.jsonl",
        jsonl(
            *({**good(f"ff{i}"), field: FORMULAS[i % 4]} for i, field in enumerate(fields)),
            {**good("ff-attr"), "=cmd|' /C calc'!A0": '=HYPERLINK("https://evil.example")'},
            {**good("=1+1"), "text": "id is a formula"},
        ),
        "4",
        {"any_of": [counts(8, 8), counts(8, 7, 1)]},
        note="formulas in every text field, an attribute key/value and the id (channel may be "
        "quarantined as an unknown channel)",
        feeds=("file", "records"),
    )
    entry(
        "k4_formula.xlsx",
        xlsx(
            [[*SURVEY_COLUMNS, "agent"]]
            + [[f"xf{i}", GOOD, 9, "nps", f, f] for i, f in enumerate(FORMULAS[:5])]
        ),
        "4",
        counts(5, 5, values={"xf0": {"text": FORMULAS[0]}}),
        note="formula-like strings (inline strings, not formulas) in an XLSX",
    )

    # ---------------------------------------------------------------- kind 5: markup
    for field in (
        "text",
        "channel",
        "product",
        "region",
        "team",
        "agent",
        "touchpoint",
        "customer_id",
        "language",
    ):
        header = SURVEY_HEADER if field == "text" else SURVEY_HEADER + f",{field}"
        value = MARKUP.replace('"', '""')
        row = f'mk1,{GOOD},9,nps,"{value}"' if field == "text" else f'mk1,{GOOD},9,nps,ok,"{value}"'
        expect: Any = counts(1, 1)
        if field in ("channel", "language"):
            # Too long for the column (and not a channel/language): quarantined, not stored.
            expect = {"any_of": [counts(1, 1), counts(1, 0, 1, quarantine=[[2, field]])]}
        entry(
            f"k5_markup_{field}.csv",
            csv_rows(row, header=header),
            "5",
            expect,
            note=f"markup in {field}: escaped on every page, chart, export",
        )
    entry(
        "k5_markup_short_channel.csv",
        csv_rows(f"ms1,{GOOD},9,nps,ok,<b>HOSTILE-B</b>", header=SURVEY_HEADER + ",channel"),
        "5",
        {"any_of": [counts(1, 1), counts(1, 0, 1, quarantine=[[2, "channel"]])]},
        note="a short markup channel (fits the column): shown escaped in the channel chart",
    )
    entry(
        "k5_markup_owner_team.csv",
        csv_rows(
            f'mo1,{GOOD},9,nps,PAYMARK ok,"{MARKUP.replace(chr(34), chr(34) * 2)}"',
            header=SURVEY_HEADER + ",owner_team",
        ),
        "5",
        {"any_of": [counts(1, 1), counts(1, 0, 1)]},
        note="markup as the owner team: never shown to the payments team",
    )
    entry(
        "k5_markup_attributes.csv",
        csv_rows(
            f'ma1,{GOOD},9,nps,ok,"{MARKUP.replace(chr(34), chr(34) * 2)}"',
            header=SURVEY_HEADER + ",\"<b>HOSTILE-B</b><script>alert('k')</script>\"",
        ),
        "5",
        counts(1, 1),
        note="markup as an attribute key (header) and value",
    )
    entry(
        "k5_markup_all_fields.json",
        json.dumps(
            [
                {
                    "id": MARKUP[:150],
                    "occurred_at": GOOD,
                    "score": 9,
                    "scale": "nps",
                    "text": MARKUP,
                    "product": MARKUP,
                    "region": MARKUP,
                    "team": MARKUP,
                    "agent": MARKUP,
                    "touchpoint": MARKUP,
                    "customer_id": MARKUP,
                    MARKUP: MARKUP,
                    "nested": {"<script>": [MARKUP]},
                }
            ]
        ),
        "5",
        counts(1, 1),
        note="markup in every user-controlled field at once, including a nested attribute",
        feeds=("file", "records"),
    )
    entry(
        "k5_markup_cyrillic.xlsx",
        xlsx(
            [
                [*SURVEY_COLUMNS, "product", "Отдел <b>HOSTILE-B</b>"],
                ["mx1", GOOD, 9, "nps", MARKUP + " Спасибо", MARKUP, MARKUP],
            ]
        ),
        "5",
        counts(1, 1),
        note="markup in an XLSX: text, product, attribute key and value",
    )
    entry(
        "k5_markup_file_name.csv",
        csv_rows(f"mf1,{GOOD},9,nps,ok"),
        "5",
        counts(1, 1),
        note="imported under a file name with markup (renamed at test time): the file name "
        "and the source taken from it are escaped on the import pages",
        generate="markup_file_name",
        source="default",
    )
    entry(
        "k5_zone_cards.csv",
        csv_rows(
            f"z1,{GOOD},9,nps,CARDMARK hostile cards item,cards",
            f"z2,{GOOD},3,nps,PAYMARK hostile payments item,payments",
            f"z3,{GOOD},3,nps,CARDMARK case variant,Payments ",
            header=SURVEY_HEADER + ",owner_team",
        ),
        "6",
        {"any_of": [counts(3, 3), counts(3, 2, 1)]},
        note="items of another team (and a look-alike team name): the payments user sees "
        "only its own",
    )

    # ---------------------------------------------------------------- kind 7: odd values
    odd: list[tuple[str, Any, str, Any]] = [
        ("score_list", [9], "score", None),
        ("score_true", True, "score", None),
        ("score_false", False, "score", None),
        ("score_object", {"value": 9}, "score", None),
        ("score_fraction", 8.5, "score", None),
        ("score_string", "9", "score", 9.0),
        ("score_float_whole", 9.0, "score", 9.0),
    ]
    for name, value, field, stored in odd:
        record = {**good("o2"), field: value}
        expect = (
            counts(2, 1, 1, quarantine=[[2, field]])
            if stored is None
            else counts(2, 2, values={"o2": {field: stored}})
        )
        entry(
            f"k7_{name}.json",
            json.dumps([good("o1"), record]),
            "7",
            expect,
            note=f'"{field}": {json.dumps(value)} is '
            + ("not a score: quarantined" if stored is None else f"the score {stored}"),
            feeds=("file", "records"),
        )
    for name, field, value in (
        ("transfers_true", "transfers", True),
        ("transfers_list", "transfers", [1]),
        ("resolved_maybe", "resolved", "maybe"),
        ("resolved_two", "resolved", 2),
        ("ended_by_object", "ended_by", {"who": "agent"}),
        ("handle_time_list", "handle_time_s", [60]),
        ("occurred_at_number_list", "occurred_at", [2025, 3, 1]),
    ):
        entry(
            f"k7_{name}.json",
            json.dumps(
                [
                    {"id": "o1", "occurred_at": GOOD, "handle_time_s": 60},
                    {"id": "o2", "occurred_at": GOOD, "handle_time_s": 60, field: value},
                ]
            ),
            "7",
            counts(2, 1, 1, quarantine=[[2, field]]),
            note=f"{field} = {json.dumps(value)} is not a valid {field}",
            import_kind="contact",
            feeds=("file", "records"),
        )
    entry(
        "k7_channel_list.json",
        json.dumps([good("o1"), {**good("o2"), "channel": ["app", "web"]}]),
        "7",
        counts(2, 1, 1, quarantine=[[2, "channel"]]),
        note="a list as a channel",
        feeds=("file", "records"),
    )
    entry(
        "k7_not_objects.json",
        json.dumps([good("o1"), 1, "text", None, [good("o5")]]),
        "7",
        counts(5, 1, 4, quarantine=[[2, None], [3, None], [4, None], [5, None]]),
        note="array elements that are not objects are quarantined by position",
        feeds=("file", "records"),
    )
    entry(
        "k7_broken_jsonl_line.jsonl",
        jsonl(good("o1")) + '{"id": "o2", "score": \n' + jsonl(good("o3")),
        "7",
        counts(3, 2, 1, quarantine=[[2, None]]),
        note="one broken JSONL line is quarantined, the others imported",
        feeds=("file",),
    )
    entry(
        "k7_truncated.json",
        '[{"id": "o1", "occurred_at": "2025-03-01T10:00:00", "score": 9',
        "7",
        "refused",
        note="truncated JSON: one-line error (CLI), 4xx with the JSON error shape (API)",
        feeds=("file", "records"),
    )
    entry(
        "k7_wrapped_two_arrays.json",
        json.dumps({"a": [good("o1")], "b": [good("o2")]}),
        "7",
        "refused",
        note="an object with two arrays: which one is meant is unknown, refused",
    )
    entry(
        "k7_duplicate_ids.json",
        json.dumps([good("dup"), good("dup"), good("dup2")]),
        "7",
        counts(3, 2, duplicates=1),
        note="the same id twice in one file: the second is a duplicate",
        feeds=("file", "records"),
    )
    entry(
        "k7_score_string_spaces.csv",
        csv_rows(f"o1,{GOOD}, 9 ,nps,ok", f"o2,{GOOD},9abc,nps,ok"),
        "7",
        counts(2, 1, 1, quarantine=[[3, "score"]], values={"o1": {"score": 9.0}}),
        note="' 9 ' is 9; '9abc' is not a number",
    )

    # ---------------------------------------------------------------- issue 10 kind 1
    rows3 = [SURVEY_COLUMNS] + [[f"w{i}", GOOD, 9 - i, "nps", "ok"] for i in range(3)]
    entry(
        "i10_wrong_dimension.xlsx",
        xlsx(rows3, dimension="A1"),
        "i10-1",
        counts(3, 3),
        note='<dimension ref="A1"/> (WPS): all 3 rows are read',
    )
    entry(
        "i10_sep_semicolon.csv",
        "sep=;\nid;occurred_at;score;scale\ns1;2025-03-01T10:00:00;10;nps\n"
        "s2;2025-03-01T10:00:00;9;nps\ns3;2025-03-01T10:00:00;3;nps\n",
        "i10-1",
        counts(3, 3, values={"s3": {"score": 3.0}}),
        note="Excel's sep=; first line is a hint, not the header",
    )
    entry(
        "i10_merged_header.xlsx",
        xlsx(
            [
                ["id", "occurred_at", "score", "scale", "Comment", None],
                ["g1", GOOD, 9, "nps", "good", "more"],
                ["g2", GOOD, 3, "nps", "bad", None],
            ],
            merges=("E1:F1",),
        ),
        "i10-1",
        counts(2, 2, values={"g1": {"contains": "more"}}),
        note="a header merged over two columns: both rows, the extra cell kept",
    )
    koi8 = (
        "id,occurred_at,score,scale,text\n"
        'k1,2025-03-01T10:00:00,3,nps,"Очень долго ждал ответа оператора, связь обрывалась"\n'
        'k2,2025-03-01T10:00:00,9,nps,"Спасибо большое, всё решили быстро и вежливо"\n'
        "k3,2025-03-01T10:00:00,6,nps,Приложение иногда зависает при переводе денег\n"
    )
    entry(
        "i10_koi8r.csv",
        koi8.encode("koi8-r"),
        "i10-1",
        {
            "any_of": [
                "refused",
                counts(
                    3, 3, values={"k2": {"text": "Спасибо большое, всё решили быстро и вежливо"}}
                ),
            ]
        },
        note="KOI8-R: decoded right (text checked) or refused; never read as cp1251",
    )
    entry(
        "i10_cp1251.csv",
        koi8.encode("cp1251"),
        "i10-1",
        counts(
            3, 3, values={"k1": {"text": "Очень долго ждал ответа оператора, связь обрывалась"}}
        ),
        note="Windows-1251 Russian, quoted text with a comma",
    )
    entry(
        "i10_utf16le_bom.csv",
        b"\xff\xfe" + koi8.encode("utf-16-le"),
        "i10-1",
        counts(3, 3, values={"k3": {"text": "Приложение иногда зависает при переводе денег"}}),
        note="UTF-16 LE with a BOM (Excel 'Unicode text')",
    )
    rng = random.Random(11)
    entry(
        "i10_binary_junk.csv",
        bytes(rng.randrange(256) for _ in range(4096)),
        "i10-1",
        "refused",
        note="random bytes named .csv",
    )
    entry("i10_empty.csv", b"", "i10-1", "refused", note="an empty file")
    entry("i10_bom_only.csv", b"\xef\xbb\xbf", "i10-1", "refused", note="a UTF-8 BOM only")
    entry(
        "i10_header_only.csv",
        SURVEY_HEADER + "\n",
        "i10-1",
        {"any_of": ["refused", counts(0, 0)]},
        note="a header and no rows",
    )
    entry(
        "i10_crlf.csv",
        csv_rows(f"r1,{GOOD},9,nps,good", f"r2,{GOOD},3,nps,bad", end="\r\n"),
        "i10-1",
        counts(2, 2, values={"r1": {"text": "good"}, "r2": {"text": "bad"}}),
        note="CRLF line ends: no \\r left in values",
    )
    entry(
        "i10_cr_only.csv",
        csv_rows(f"r1,{GOOD},9,nps,good", f"r2,{GOOD},3,nps,bad", end="\r"),
        "i10-1",
        counts(2, 2, values={"r1": {"text": "good"}, "r2": {"text": "bad"}}),
        note="old-Mac CR line ends",
    )
    entry(
        "i10_mixed_delimiters.csv",
        "id;occurred_at;score;scale;text\nm1;2025-03-01T10:00:00;9;nps;ok\n"
        "m2;2025-03-01T10:00:00;8;nps;ok\nm3,2025-03-01T10:00:00,7,nps,ok\n",
        "i10-1",
        counts(3, 2, 1, quarantine=[[4, None]]),
        note="the last row uses commas: it cannot be read as ';' and is quarantined",
    )
    entry(
        "i10_identical_rows_no_id.csv",
        "occurred_at,score,scale\n" + "2025-03-01,9,nps\n" * 4 + "2025-03-01,3,nps\n",
        "i10-1",
        counts(5, 5),
        note="identical answers without an id are separate answers (IVR export)",
    )
    entry(
        "i10_blank_lines.csv",
        csv_rows(f"b1,{GOOD},9,nps,ok", "", ",,,,", f"b2,{GOOD},8,nps,ok"),
        "i10-1",
        counts(2, 2),
        note="blank and all-empty lines are not rows",
    )
    entry(
        "i10_utf8_bom_cyrillic_header.csv",
        ("\ufeffДата,Оценка,Комментарий\n01.03.2025,9,Хорошо\n02.03.2025,2,Плохо\n").encode(),
        "i10-1",
        counts(2, 2),
        note="UTF-8 BOM, Russian headers",
        scale="nps",
    )


def main() -> None:
    for old in HERE.iterdir():
        if old.name not in ("make_corpus.py", "manifest.yaml") and old.is_file():
            old.unlink()
    build()
    names = [row["file"] for row in ENTRIES]
    assert len(names) == len(set(names)), "duplicate file names"
    header = (
        "# The hostile-input corpus (issue 11). Written by make_corpus.py - edit that, then run\n"
        "# it again. Expectations are hand-reasoned from the issues; see make_corpus.py.\n"
    )
    text = yaml.safe_dump({"entries": ENTRIES}, allow_unicode=True, sort_keys=False, width=100)
    (HERE / "manifest.yaml").write_text(header + text, encoding="utf-8")
    print(f"{len(ENTRIES)} entries")


if __name__ == "__main__":
    main()
