"""The readers on real exports' faults (tests/data/readers/, written by make_readers.py).

Expected values are worked out by hand from the files' bytes; every import through the CLI
also checks that the report accounts for every row: read = imported + duplicates +
quarantined.
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select

from otklik.cli import main
from otklik.errors import InputFileError
from otklik.ingest import open_table
from otklik.ingest.readers.base import BROKEN_ROW, unique_headers
from otklik.ingest.readers.encoding import plausibility
from otklik.ledger import FeedbackItem, list_quarantine
from tests.conftest import DATA

READERS = DATA / "readers"
RU_COMMENTS = ["Спасибо, всё быстро", "Долго ждал ответа оператора", "Нормально"]


def _import(
    capsys: pytest.CaptureFixture[str], store_url: str, path: Path, *extra: str
) -> dict[str, Any]:
    code = main(
        ["import", str(path), "--kind", "survey", "--format", "json", "--db", store_url, *extra]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    report: dict[str, Any] = json.loads(out)
    assert report["read"] == report["imported"] + report["duplicates"] + report["quarantined"]
    return report


def _refused(capsys: pytest.CaptureFixture[str], store_url: str, path: Path) -> str:
    """Import ``path``, expect the one-line refusal, and check nothing was stored."""
    code = main(["import", str(path), "--kind", "survey", "--db", store_url])
    out, err = capsys.readouterr()
    assert code == InputFileError.exit_code, out + err
    assert "Traceback" not in out + err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    engine = create_engine(store_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(FeedbackItem)).scalar() == 0
    finally:
        engine.dispose()
    return lines[0]


def _items(store_url: str) -> list[dict[str, Any]]:
    engine = create_engine(store_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(FeedbackItem.__table__).order_by(FeedbackItem.occurred_at)
            ).mappings()
            return [dict(row) for row in rows]
    finally:
        engine.dispose()


def _quarantine(store_url: str, run_id: int) -> dict[int, str]:
    engine = create_engine(store_url)
    try:
        return {row["line"]: row["reason"] for row in list_quarantine(engine, run_id=run_id)}
    finally:
        engine.dispose()


@pytest.fixture
def store(store_url: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["init", "--db", store_url]) == 0
    capsys.readouterr()
    return store_url


# --- 1. Excel's sep= line -------------------------------------------------------------------


def test_sep_hint_is_honoured_and_nps_is_right(
    capsys: pytest.CaptureFixture[str], store: str
) -> None:
    report = _import(capsys, store, READERS / "sep_hint.csv")
    assert (report["read"], report["imported"], report["quarantined"]) == (3, 3, 0)
    assert report["detected"]["delimiter"] == ";"
    assert report["detected"]["delimiter_hint"] == "sep=;"
    assert main(["metrics", "nps", "--format", "json", "--db", store]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    # scores 10, 9, 3: promoters 2, detractors 1 of 3
    assert row["n"] == 3 and row["value"] == pytest.approx(100 * (2 - 1) / 3)
    assert [item["text"] for item in _items(store)] == ["great", "good, thanks", "slow"]


@pytest.mark.parametrize(
    ("name", "delimiter", "lines", "last"),
    [
        ("sep_hint.csv", ";", [3, 4, 5], ["2025-03-03", "3", "slow"]),
        ("sep_hint_bom_pipe.csv", "|", [3, 4], ["2025-03-02", "10", "супер"]),
        ("sep_hint_tab.csv", "\t", [3, 4], ["2025-03-02", "10"]),
    ],
)
def test_sep_hint_variants(name: str, delimiter: str, lines: list[int], last: list[str]) -> None:
    table = open_table(READERS / name)
    assert table.detected["delimiter"] == delimiter
    assert table.headers[:2] == ["date", "score"]
    rows = list(table.rows())
    assert [line for line, _ in rows] == lines
    assert rows[-1][1] == last


def test_explicit_delimiter_still_skips_the_hint(tmp_path: Path) -> None:
    path = tmp_path / "hint.csv"
    path.write_text("sep=,\na;b\n1;2\n", encoding="utf-8")
    table = open_table(path, delimiter=";")
    assert table.headers == ["a", "b"]
    assert list(table.rows()) == [(3, ["1", "2"])]


# --- 2. Encodings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("ru_koi8r.csv", "koi8-r"),
        ("ru_cp1251.csv", "cp1251"),
        ("ru_cp866.csv", "cp866"),
        ("utf16le_no_bom.csv", "utf-16-le"),
        ("utf16_bom_utf8_body.csv", "utf-8"),
        ("utf16_bom_cp1251_body.csv", "cp1251"),
    ],
)
def test_russian_text_in_any_encoding_reads_the_same(name: str, encoding: str) -> None:
    table = open_table(READERS / name)
    assert table.detected["encoding"] == encoding
    assert table.headers == ["дата", "оценка", "комментарий"]
    assert [values[2] for _, values in table.rows()] == RU_COMMENTS


SHORT = [["2025-03-01", "9", "Отлично"], ["2025-03-02", "2", "Плохо"]]
CAPS = [["ИВАНОВ", "МОСКВА"], ["ПЕТРОВ", "КАЗАНЬ"]]


@pytest.mark.parametrize(
    ("name", "encoding", "expected"),
    [
        ("ru_caps_koi8r.csv", "koi8-r", CAPS),
        ("ru_caps_cp1251.csv", "cp1251", CAPS),
        ("ru_short_koi8r.csv", "koi8-r", SHORT),
        ("ru_short_cp1251.csv", "cp1251", SHORT),
        ("utf16be_bom_utf8_body.csv", "utf-8", SHORT),
    ],
)
def test_short_cyrillic_files_koi8r_versus_cp1251(
    name: str, encoding: str, expected: list[list[str]]
) -> None:
    table = open_table(READERS / name)
    assert table.detected["encoding"] == encoding
    assert 0.5 <= table.detected["encoding_confidence"] <= 1.0
    assert [values for _, values in table.rows()] == expected


def test_the_old_cp1251_export_is_still_cp1251() -> None:
    table = open_table(DATA / "nps_ru_cp1251.csv")
    assert table.detected["encoding"] == "cp1251"
    assert table.detected["encoding_confidence"] >= 0.9


@pytest.mark.parametrize(
    "text",
    [
        "Оператор быстро решил мой вопрос, спасибо!",
        "Очень долго ждал на линии",
        "Приложение вылетает при оплате",
        "Хорошо",
    ],
)
@pytest.mark.parametrize("wrong", ["cp1251", "koi8_r"])
def test_mojibake_reads_less_like_russian(text: str, wrong: str) -> None:
    """The tie-breaker: a text read back in the other code page must score lower."""
    right = "koi8_r" if wrong == "cp1251" else "cp1251"
    garbled = text.encode(right).decode(wrong)
    assert plausibility(text) > plausibility(garbled)


PHRASES = [
    "Спасибо",
    "Долго ждал",
    "Всё отлично",
    "Не дозвонился",
    "Оператор грубил",
    "Приложение зависает",
    "Плохо",
    "Верните деньги",
    "Нет",
    "Да",
    "Карта заблокирована",
    "Иванов И.И.",
    "Перевод не прошёл",
    "Где мой кэшбэк?",
    "ОТЛИЧНО",
    "СПАСИБО!",
]


@pytest.mark.parametrize("encoding", ["cp1251", "koi8_r", "cp866"])
def test_short_russian_files_read_back_exactly(tmp_path: Path, encoding: str) -> None:
    """40 small files (1-3 rows, one to three words a comment) in each code page."""
    rng = random.Random(20251130)
    path = tmp_path / "short.csv"
    for _ in range(40):
        header = rng.choice(["date,score,comment", "дата,оценка,комментарий"])
        rows = [
            f"2025-03-0{day},{rng.randint(0, 10)},{rng.choice(PHRASES)}"
            for day in range(1, rng.randint(2, 5))
        ]
        text = "\n".join([header, *rows]) + "\n"
        path.write_bytes(text.encode(encoding))
        table = open_table(path)
        read_back = [",".join(table.headers)] + [",".join(values) for _, values in table.rows()]
        assert "\n".join(read_back) + "\n" == text, table.detected


def test_koi8r_import_stores_the_right_text(capsys: pytest.CaptureFixture[str], store: str) -> None:
    report = _import(capsys, store, READERS / "ru_koi8r.csv")
    assert report["detected"]["encoding"] == "koi8-r"
    assert (report["read"], report["imported"]) == (3, 3)
    assert [item["text"] for item in _items(store)] == RU_COMMENTS


def test_utf16_bom_before_utf8_body_imports(capsys: pytest.CaptureFixture[str], store: str) -> None:
    report = _import(capsys, store, READERS / "utf16_bom_utf8_body.csv")
    assert (report["read"], report["imported"]) == (3, 3)
    assert "UTF-16 byte-order mark" in report["detected"]["encoding_note"]
    assert [item["text"] for item in _items(store)] == RU_COMMENTS


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("binary_junk.csv", "not a text file"),
        ("control_junk.csv", "cannot tell the text encoding"),
        ("utf16_bom_cut.csv", "cut or corrupt"),
    ],
)
def test_unreadable_text_is_refused_in_one_line(
    capsys: pytest.CaptureFixture[str], store: str, name: str, message: str
) -> None:
    assert message in _refused(capsys, store, READERS / name)


@pytest.mark.parametrize("codec", ["utf_16_le", "utf_16_be"])
def test_mostly_cyrillic_utf16_without_bom(tmp_path: Path, codec: str) -> None:
    """Few ASCII characters (so few NUL bytes): still UTF-16, not UTF-8 garbage."""
    comment = "Долго-долго ждал ответа оператора и потом сбросили"
    path = tmp_path / "u16.csv"
    path.write_bytes(("Комментарий\n" + f"{comment}\n" * 50).encode(codec))
    table = open_table(path)
    assert table.detected["encoding"] == codec.replace("_", "-")
    assert [values for _, values in table.rows()] == [[comment]] * 50


def test_a_nul_byte_in_utf8_text_is_not_utf16(tmp_path: Path) -> None:
    path = tmp_path / "nul.csv"
    path.write_bytes(("a,b\n" + "x\x00y,2\n" + "ok,3\n" * 100).encode())
    table = open_table(path)
    assert table.detected["encoding"] == "utf-8"
    assert next(iter(table.rows())) == (2, ["x\x00y", "2"])


def test_wrong_encoding_given_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"cannot be read as utf-8 \(byte 0\)"):
        open_table(READERS / "ru_koi8r.csv", encoding="utf-8")


# --- 3. Quotes that swallow rows --------------------------------------------------------------


def test_unclosed_quote_loses_no_row(capsys: pytest.CaptureFixture[str], store: str) -> None:
    report = _import(capsys, store, READERS / "unclosed_quote_at_end.csv")
    assert (report["read"], report["imported"], report["quarantined"]) == (3, 2, 1)
    assert any("line 2" in warning for warning in report["detected"]["warnings"])
    quarantine = _quarantine(store, report["run_id"])
    assert list(quarantine) == [2] and "quote" in quarantine[2]
    assert [(item["score"], item["text"]) for item in _items(store)] == [
        (10.0, "good"),
        (0.0, "bad"),
    ]
    again = _import(capsys, store, READERS / "unclosed_quote_at_end.csv")
    assert (again["imported"], again["duplicates"], again["quarantined"]) == (0, 2, 1)


def test_unclosed_quote_closed_by_a_later_field(
    capsys: pytest.CaptureFixture[str], store: str
) -> None:
    report = _import(capsys, store, READERS / "unclosed_quote_midway.csv")
    assert (report["read"], report["imported"], report["quarantined"]) == (4, 3, 1)
    assert list(_quarantine(store, report["run_id"])) == [2]
    assert [item["text"] for item in _items(store)] == ["good", "bad", "fine, thanks\nreally"]


def test_unclosed_quote_on_the_last_line() -> None:
    rows = list(open_table(READERS / "unclosed_quote_last_line.csv").rows())
    assert rows[0] == (2, ["2025-03-01", "9", "ok"])
    line, values = rows[1]
    assert line == 3 and values[0] == BROKEN_ROW
    assert values[1] == '2025-03-02,7,"no closing quote'


def test_two_unclosed_quotes_in_a_semicolon_file(tmp_path: Path) -> None:
    path = tmp_path / "two.csv"
    lines = [
        "Дата;Оценка;Комментарий",
        '01.03.2025;9;"всё хорошо',
        "02.03.2025;10;отлично",
        '03.03.2025;2;"плохо',
        "04.03.2025;7;нормально",
        '05.03.2025;8;"с ""кавычками"" и;разделителем"',
    ]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1251"))
    table = open_table(path)
    rows = list(table.rows())
    assert [line for line, _ in rows] == [2, 3, 4, 5, 6]
    assert [line for line, values in rows if values[0] == BROKEN_ROW] == [2, 4]
    assert rows[1][1] == ["02.03.2025", "10", "отлично"]
    assert rows[4][1] == ["05.03.2025", "8", 'с "кавычками" и;разделителем']
    assert len(table.detected["warnings"]) == 2


def test_an_unclosed_quote_in_the_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text('date,score,"comment\n2025-03-01,9,ok\n', encoding="utf-8")
    with pytest.raises(InputFileError, match=r"line 1: the header row has a quote"):
        open_table(path)


def test_a_wellformed_multiline_comment_is_one_row() -> None:
    table = open_table(READERS / "multiline_ok.csv")
    rows = list(table.rows())
    assert [line for line, _ in rows] == [2, 5]
    assert rows[0][1][2] == 'first line\nsecond, with, commas\nthird "quoted" line'
    assert "warnings" not in table.detected


def test_a_long_quoted_field_is_read_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    body = "\n".join(f"line {n}" for n in range(60))
    path.write_text(f'date,comment\n2025-03-01,"{body}"\n2025-03-02,x\n', encoding="utf-8")
    table = open_table(path)
    assert [line for line, _ in table.rows()] == [2, 62]
    assert table.detected["warnings"] == [
        "line 2: a quoted field runs over 60 lines; check the quoting"
    ]


def test_a_field_over_the_csv_limit_is_a_broken_row(tmp_path: Path) -> None:
    path = tmp_path / "big_field.csv"
    path.write_text("date,comment\n2025-03-01," + "x" * 300 + "\n2025-03-02,ok\n")
    previous = csv.field_size_limit(100)
    try:
        rows = list(open_table(path).rows())
    finally:
        csv.field_size_limit(previous)
    assert rows[0][0] == 2 and rows[0][1][0] == BROKEN_ROW
    assert "field larger than field limit" in rows[0][1][1].reason
    assert rows[1] == (3, ["2025-03-02", "ok"])


# --- 4. Headers -----------------------------------------------------------------------------


def test_duplicate_headers_keep_every_value(capsys: pytest.CaptureFixture[str], store: str) -> None:
    report = _import(capsys, store, READERS / "duplicate_headers.csv")
    assert (report["read"], report["imported"]) == (2, 2)
    first = _items(store)[0]
    assert first["text"] == "first"
    assert first["attributes"] == {
        "comment (2)": "second",
        "column_5": "blank-header",
        "comment (3)": "third",
    }
    assert len(report["detected"]["warnings"]) == 2


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (["a", "a", "a"], ["a", "a (2)", "a (3)"]),
        (["a", "a (2)", "a"], ["a", "a (2)", "a (3)"]),
        (["", "x", ""], ["column_1", "x", "column_3"]),
        (["column_2", ""], ["column_2", "column_2_"]),
    ],
)
def test_unique_headers(given: list[str], expected: list[str]) -> None:
    assert unique_headers(given)[0] == expected


# --- 5. XLSX --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["wps_dimension_a1.xlsx", "wps_dimension_short.xlsx", "no_dimension.xlsx"]
)
def test_the_declared_sheet_size_is_not_trusted(
    capsys: pytest.CaptureFixture[str], store: str, name: str
) -> None:
    report = _import(capsys, store, READERS / name)
    assert (report["read"], report["imported"]) == (3, 3)
    assert [item["score"] for item in _items(store)] == [9.0, 10.0, 4.0]
    if name != "no_dimension.xlsx":
        assert "declares its size" in report["detected"]["warnings"][0]


def test_merged_header_keeps_the_extra_column(
    capsys: pytest.CaptureFixture[str], store: str
) -> None:
    report = _import(capsys, store, READERS / "merged_header.xlsx")
    assert (report["read"], report["imported"], report["quarantined"]) == (2, 2, 0)
    question = "Which channel did you use?"
    assert report["detected"]["attributes"] == [question, f"{question} (2)"]
    items = _items(store)
    assert items[0]["attributes"] == {question: "app"}
    assert items[1]["attributes"] == {question: "other", f"{question} (2)": "a branch office"}


def test_a_header_merged_over_three_columns() -> None:
    table = open_table(READERS / "merged_header_three.xlsx")
    assert table.headers == ["Date", "Rate us", "Rate us (2)", "Rate us (3)", "Score"]
    # the merge A3:B3 is in a data row: it names nothing and its row is read as it is
    assert list(table.rows()) == [
        (2, ["2025-03-01", "speed: 5", "price: 4", "staff: 5", 10]),
        (3, ["2025-03-02", None, "price: 2", None, 6]),
        (4, ["2025-03-03", None, None, "staff: 1", 0]),
    ]


def test_values_under_a_blank_xlsx_header_are_kept() -> None:
    table = open_table(READERS / "blank_header_with_values.xlsx")
    assert table.headers == ["Date", "Score", "column_3", "Comment", "Comment (2)", "column_6"]
    rows = list(table.rows())
    assert rows[1][1][5] == "beyond the header"


@pytest.mark.parametrize(
    "name", ["malformed_sheet_xml.xlsx", "malformed_workbook_xml.xlsx", "cut_sheet_xml.xlsx"]
)
def test_broken_workbooks_are_refused_in_one_line(
    capsys: pytest.CaptureFixture[str], store: str, name: str
) -> None:
    assert name in _refused(capsys, store, READERS / name)


# --- 6. JSON --------------------------------------------------------------------------------


def test_hostile_jsonl_records_are_quarantined(
    capsys: pytest.CaptureFixture[str], store: str
) -> None:
    report = _import(capsys, store, READERS / "hostile.jsonl")
    assert (report["read"], report["imported"], report["quarantined"]) == (6, 0, 6)
    quarantine = _quarantine(store, report["run_id"])
    # 1: 29 levels passes the reader (32) but not the attributes' depth limit (8);
    # 2: 41 levels deep; 3: 5,000 brackets; 4: -Infinity; 5: 5,000 digits; 6: cut short
    assert list(quarantine) == [1, 2, 3, 4, 5, 6]
    assert quarantine[1].startswith("attributes:") and "8" in quarantine[1]
    assert "nested more than 32 levels" in quarantine[2]
    assert "nested more than 32 levels" in quarantine[3]
    assert "-Infinity is not a number" in quarantine[4]
    assert "5,000 digits" in quarantine[5]
    assert quarantine[6].startswith("not valid JSON")


def test_repeated_json_keys_keep_every_value(
    capsys: pytest.CaptureFixture[str], store: str
) -> None:
    report = _import(capsys, store, READERS / "duplicate_keys.jsonl")
    assert (report["read"], report["imported"]) == (2, 2)
    first, second = _items(store)
    assert (first["text"], first["attributes"]) == ("first", {"comment (2)": "second"})
    assert (second["text"], second["attributes"]) == ("only", None)


def test_nan_in_a_json_array_quarantines_that_record(
    capsys: pytest.CaptureFixture[str], store: str
) -> None:
    report = _import(capsys, store, READERS / "nan.json")
    assert (report["read"], report["imported"], report["quarantined"]) == (3, 1, 2)
    quarantine = _quarantine(store, report["run_id"])
    assert "NaN is not a number" in quarantine[2]
    assert "Infinity is not a number" in quarantine[3]


def test_large_integers_are_left_to_the_value_layer() -> None:
    table = open_table(READERS / "big_int.jsonl")
    ((_, values),) = list(table.rows())
    assert values[table.headers.index("transfers")] == 10**23


@pytest.mark.parametrize(
    ("name", "encoding", "comment"),
    [("ru_cp1251.json", "cp1251", "Спасибо большое"), ("ru_utf16.json", "utf-16", "Спасибо")],
)
def test_json_that_is_not_utf8(name: str, encoding: str, comment: str) -> None:
    table = open_table(READERS / name)
    assert table.detected["encoding"] == encoding
    ((_, values),) = list(table.rows())
    assert values[table.headers.index("comment")] == comment


def test_json_too_deep_to_parse_is_refused(capsys: pytest.CaptureFixture[str], store: str) -> None:
    assert "nested too deeply" in _refused(capsys, store, READERS / "deep_array.json")


# --- 7. Limits ------------------------------------------------------------------------------


def test_files_over_the_size_limit_are_refused_before_parsing(
    capsys: pytest.CaptureFixture[str], store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTKLIK_IMPORT_MAX_MB", "0")
    line = _refused(capsys, store, READERS / "sep_hint.csv")
    assert "over the 0 MB limit" in line and "OTKLIK_IMPORT_MAX_MB" in line


# --- a quote closed rows later, a quoted tab hint --------------------------------------------


def test_a_quote_closed_rows_later_does_not_swallow_them(
    capsys: pytest.CaptureFixture[str], store: str
) -> None:
    # Line 2 opens a quote that only line 7 closes: the five lines between are whole rows
    # (a date, a score, a comment), so line 2 is quarantined and lines 3-7 read as rows.
    report = _import(capsys, store, READERS / "quote_closed_rows_later.csv")
    assert (report["read"], report["imported"], report["quarantined"]) == (6, 5, 1)
    assert list(_quarantine(store, report["run_id"])) == [2]
    assert [item["score"] for item in _items(store)] == [8.0, 10.0, 6.0, 9.0, 7.0]
    assert any("line 2" in warning for warning in report["detected"]["warnings"])


def test_multiline_comments_with_commas_stay_one_comment(
    capsys: pytest.CaptureFixture[str], store: str
) -> None:
    # Lines inside the quotes have three comma-separated parts too, but they do not begin
    # like a row (a word, or a date followed by words), so they are comment text.
    report = _import(capsys, store, READERS / "multiline_comments_with_commas.csv")
    assert (report["read"], report["imported"], report["quarantined"]) == (3, 3, 0)
    texts = [item["text"] for item in _items(store)]
    assert texts[0] == "line one\nsecond, with, commas\nthird"
    assert texts[1] == "multi\n2025-03-03 was the day, I think, really\nend"


def test_a_quoted_tab_hint_is_honoured(capsys: pytest.CaptureFixture[str], store: str) -> None:
    report = _import(capsys, store, READERS / "sep_tab_quoted.csv")
    assert (report["read"], report["imported"]) == (3, 3)
    assert report["detected"]["delimiter"] == "\t"
    assert [item["score"] for item in _items(store)] == [9.0, 10.0, 3.0]
