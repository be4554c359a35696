"""Exports never fail on stored text and never carry a live formula: every CSV and XLSX the web
app offers (items, cases, imports, quarantine, explore) and the CLI's CSV, on stored values that
hold control characters, formula starters and an over-long comment."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

import pytest
from openpyxl import load_workbook

from otklik.cli import main
from otklik.ledger import write_items
from otklik.sheets import csv_writer, sheet_cell
from tests.web.conftest import WebEnv

# (stored text, what a spreadsheet cell must show), written out by hand.
HOSTILE: tuple[tuple[str, str], ...] = (
    (
        '=HYPERLINK("https://evil.example/","click")',
        '\'=HYPERLINK("https://evil.example/","click")',
    ),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("\uff1d1+1", "'\uff1d1+1"),  # a full-width equals sign
    ("vertical\x0btab", "vertical\ufffdtab"),
    ("form\x0cfeed and \x1f unit separator", "form\ufffdfeed and \ufffd unit separator"),
    ("=\x0b", "'=\ufffd"),
    ("tabs\tand\nlines stay", "tabs\tand\nlines stay"),
    ("a plain comment", "a plain comment"),
    # Whitespace before the sign: a spreadsheet may trim it and run the rest.
    (" =1+1", "' =1+1"),
    ("\u3000=1+1", "'\u3000=1+1"),  # an ideographic space
    ("\n=1+1", "'\n=1+1"),
    (" +cmd|' /C calc'!A0", "' +cmd|' /C calc'!A0"),
    ("\u00a0\u2003@SUM(1)", "'\u00a0\u2003@SUM(1)"),
    (" \n \uff0d1", "' \n \uff0d1"),  # a full-width minus after a line break
    ("  just spaces  ", "  just spaces  "),
)
LONG = "Ж" * 40_000
_STARTERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


@pytest.fixture(scope="module")
def hostile(web: WebEnv) -> WebEnv:
    rows: list[dict[str, Any]] = [
        {
            "external_id": f"hostile-{number}",
            "kind": "survey",
            "score": 10.0,
            "scale": "nps",
            "channel": "=1+2" if number == 0 else "store",
            "region": "@region",
            "occurred_at": datetime(2025, 2, 10, 12, number),
            "text": f"HOSTILEMARK {number} " + text if number % 2 else text,
            "owner_team": "payments",
        }
        for number, (text, _) in enumerate(HOSTILE)
    ]
    rows.append(
        {
            "external_id": "hostile-long",
            "kind": "review",
            "channel": "store",
            "occurred_at": datetime(2025, 2, 11, 12, 0),
            "text": LONG,
            "owner_team": "payments",
        }
    )
    write_items(web.engine, run_id=None, source="hostile", items=rows)
    return web


def _expected_texts() -> set[str]:
    return {
        (f"HOSTILEMARK {number} " + text if number % 2 else shown)
        # A prefix that is not a formula starter leaves the text alone but for the
        # illegal characters.
        .replace("\x0b", "\ufffd")
        .replace("\x0c", "\ufffd")
        .replace("\x1f", "\ufffd")
        for number, (text, shown) in enumerate(HOSTILE)
    }


def _csv_cells(body: str, delimiter: str = ";") -> list[list[str]]:
    """A CSV export's cells; Russian users get ``;`` by default (the excel-ru dialect)."""
    return list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=delimiter))


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", "."))  # excel-ru writes a decimal comma
    except ValueError:
        return False
    return True


def _assert_inert_csv(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            shown = cell.lstrip()
            assert not shown.startswith(_STARTERS) or _is_number(cell), cell


def _xlsx_cells(content: bytes) -> list[Any]:
    book = load_workbook(io.BytesIO(content))
    cells = []
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"a live formula at {cell.coordinate}: {cell.value}"
                cells.append(cell.value)
    return cells


EXPORTS = (
    "/items?from=2025-02-10&to=2025-02-11",
    "/items?q=HOSTILEMARK",
    "/inbox?status=open",
    "/imports",
    "/explore?metric=nps&by=all&segment=channel",
    "/explore?metric=nps&by=month&segment=region",
)


@pytest.mark.parametrize("url", EXPORTS)
def test_every_export_opens_and_holds_no_formula(hostile: WebEnv, url: str) -> None:
    client = hostile.login("admin")
    join = "&" if "?" in url else "?"
    for dialect, delimiter in (("excel-ru", ";"), ("excel", ","), ("rfc", ",")):
        as_csv = client.get(f"{url}{join}format=csv&dialect={dialect}")
        assert as_csv.status_code == 200, as_csv.text[:300]
        _assert_inert_csv(_csv_cells(as_csv.text, delimiter))
    as_xlsx = client.get(f"{url}{join}format=xlsx")
    assert as_xlsx.status_code == 200, as_xlsx.text[:300]
    for value in _xlsx_cells(as_xlsx.content):
        if isinstance(value, str):
            assert not value.lstrip().startswith(_STARTERS), value


def test_items_export_keeps_each_text_exactly_but_inert(hostile: WebEnv) -> None:
    client = hostile.login("admin")
    url = "/items?from=2025-02-10&to=2025-02-11"
    expected = _expected_texts()
    rows = _csv_cells(client.get(f"{url}&format=csv").text)
    text_at, source_at = rows[0].index("Текст"), rows[0].index("Источник")
    mine = [row for row in rows[1:] if row[source_at] == "hostile"]
    assert expected | {LONG} == {row[text_at] for row in mine}
    assert "'=1+2" in {row[rows[0].index("Канал")] for row in mine}
    cells = _xlsx_cells(client.get(f"{url}&format=xlsx").content)
    # XML reads a bare carriage return inside a text as a line feed (end-of-line handling).
    assert {text.replace("\r", "\n") for text in expected} <= {
        c.replace("\r", "\n") if isinstance(c, str) else c for c in cells
    }
    (cut,) = [c for c in cells if isinstance(c, str) and c.startswith("ЖЖЖ")]
    assert len(cut) == 32_767 and cut.endswith("…[cut]") and cut[:100] == LONG[:100]


def test_quarantine_export_of_hostile_rows(hostile: WebEnv) -> None:
    response = hostile.client.post(
        "/api/v1/items",
        json={
            "kind": "survey",
            "source": "hostile-quarantine",
            "scale": "nps",
            "items": [
                {"id": "q1", "occurred_at": "2025-02-12", "score": "=1+1", "text": "x\x0by"},
                {"id": "q2", "occurred_at": "=NOW()", "score": 5, "text": "@cmd"},
            ],
        },
        headers=hostile.bearer("admin"),
    )
    assert response.status_code == 200, response.text
    run_id = response.json()["run_id"]
    assert response.json()["quarantined"] == 2
    client = hostile.login("admin")
    as_csv = client.get(f"/imports/{run_id}?format=csv")
    assert as_csv.status_code == 200
    rows = _csv_cells(as_csv.text)
    assert len(rows) == 3
    _assert_inert_csv(rows)
    as_xlsx = client.get(f"/imports/{run_id}?format=xlsx")
    assert as_xlsx.status_code == 200
    _xlsx_cells(as_xlsx.content)


def test_cli_csv_is_inert_too(hostile: WebEnv, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["metrics", "nps", "--by", "all", "--segment", "channel", "--format", "csv"]
    assert main([*args, "--db", hostile.url]) == 0
    rows = _csv_cells(capsys.readouterr().out, ",")  # the CLI writes RFC 4180
    channels = {row[rows[0].index("channel")] for row in rows[1:]}
    assert "'=1+2" in channels and "=1+2" not in channels
    _assert_inert_csv(rows)


@pytest.mark.parametrize(("text", "shown"), HOSTILE)
def test_sheet_cell_of_each_hostile_text(text: str, shown: str) -> None:
    assert sheet_cell(text) == shown


def test_sheet_cells_by_hand() -> None:
    assert sheet_cell(float("nan")) is None and sheet_cell(float("-inf")) is None
    assert sheet_cell(-3.5) == -3.5 and sheet_cell(7) == 7 and sheet_cell(True) is True
    assert sheet_cell(["=a", "b"]) == "'=a; b"
    assert sheet_cell("@x", max_chars=5) == "'@x"
    assert sheet_cell("ab\x00c") == "ab\ufffdc"
    long = sheet_cell("x" * 40, max_chars=20)
    assert long == "x" * 14 + "…[cut]" and len(long) == 20
    buffer = io.StringIO()
    csv_writer(buffer, lineterminator="\n").writerows([["=1", None, 2.5, float("nan")]])
    assert buffer.getvalue() == "'=1,,2.5,\n"
