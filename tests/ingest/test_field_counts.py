"""A row whose field count differs from the header's, on both import paths and every format.

CSV/TSV cells are positional: a row with more non-blank fields, or one that ends before a
column feeding a figure (id, date, score, scale), is a broken row and is quarantined with the
line, the first such field and ``row has N fields, the header has M: check quotes and
delimiters``; a row that ends before descriptive columns only (text, channel, attributes: the
trailing empty cells some exporters drop) is taken with them blank. XLSX and JSON are not
positional: a missing cell or key is a blank value, an extra key an attribute.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, select

from otklik.ingest import import_file
from otklik.ledger import FeedbackItem, list_quarantine

HEADER = ["id", "occurred_at", "score", "scale", "text", "channel", "region"]
ROWS = [
    ["a1", "2025-03-01", "9", "nps", "good", "web", "north"],  # line 2: whole
    ["a2", "2025-03-02", "8", "nps"],  # 3: ends before text, channel, region: taken
    ["a3", "2025-03-03", "7"],  # 4: ends before the scale: quarantined
    ["a4", "2025-03-04", "10", "nps", "fine", "web", "north", "extra"],  # 5: one too many
    ["a5", "2025-03-05", "6", "nps", "ok", "web", "north", "", ""],  # 6: trailing delimiters
    ["a6"],  # 7: ends before the date
    ["a7;2025-03-07;5;nps;x;web;north"],  # 8: another delimiter: one field
]
REASON = "row has {n} fields, the header has 7: check quotes and delimiters"


def _items(engine: Engine, source: str) -> dict[str, dict[str, object]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(FeedbackItem.__table__).where(FeedbackItem.source == source)
        ).mappings()
        return {row["external_id"]: dict(row) for row in rows}


@pytest.mark.parametrize("fast", [False, True], ids=["rows", "columnar"])
@pytest.mark.parametrize("delimiter", [",", "\t"], ids=["csv", "tsv"])
def test_delimited_rows_of_another_width(
    engine: Engine, tmp_path: Path, fast: bool, delimiter: str
) -> None:
    path = tmp_path / ("widths.csv" if delimiter == "," else "widths.tsv")
    lines = [delimiter.join(HEADER), *(delimiter.join(row) for row in ROWS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_file(engine, path, kind="survey", source="widths", columnar=fast)
    assert (report.read, report.imported, report.quarantined) == (7, 3, 4)
    got = {
        row["line"]: (row["file"], row["field"], row["reason"])
        for row in list_quarantine(engine, run_id=report.run_id)
    }
    assert got == {
        4: (str(path), "scale", REASON.format(n=3)),
        5: (str(path), None, REASON.format(n=8)),
        7: (str(path), "occurred_at", REASON.format(n=1)),
        8: (str(path), "occurred_at", REASON.format(n=1)),
    }
    items = _items(engine, "widths")
    assert set(items) == {"a1", "a2", "a5"}
    trimmed = items["a2"]
    assert (trimmed["score"], trimmed["scale"], trimmed["text"], trimmed["channel"]) == (
        8.0,
        "nps",
        None,
        None,
    )


def test_xlsx_row_without_trailing_cells_is_taken(engine: Engine, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["id", "occurred_at", "scale", "score", "text", "region"])
    sheet.append(["x1", "2025-03-01", "nps", 9, "good", "north"])
    sheet.append(["x2", "2025-03-02", "nps", 7])  # no cells under text and region: blank
    path = tmp_path / "short.xlsx"
    book.save(path)
    report = import_file(engine, path, kind="survey", source="short")
    assert (report.read, report.imported, report.quarantined) == (2, 2, 0)
    items = _items(engine, "short")
    assert (items["x2"]["score"], items["x2"]["text"]) == (7.0, None)


def test_json_records_missing_or_extra_keys_are_taken(engine: Engine, tmp_path: Path) -> None:
    records = [
        {"id": "j1", "occurred_at": "2025-03-01", "score": 9, "scale": "nps", "text": "good"},
        {"id": "j2", "occurred_at": "2025-03-02", "score": 8, "scale": "nps"},  # no text key
        {
            "id": "j3",
            "occurred_at": "2025-03-03",
            "score": 7,
            "scale": "nps",
            "text": "ok",
            "region": "north",  # a key no other record has: an attribute
        },
    ]
    path = tmp_path / "keys.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    report = import_file(engine, path, kind="survey", source="keys")
    assert (report.read, report.imported, report.quarantined) == (3, 3, 0)
    items = _items(engine, "keys")
    assert items["j2"]["text"] is None and items["j2"]["score"] == 8.0
    assert (
        items["j3"]["region"] == "north"
        or (items["j3"]["attributes"] or {}).get("region") == "north"
    )
