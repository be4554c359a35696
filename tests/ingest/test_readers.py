from __future__ import annotations

from pathlib import Path

import pytest

from otklik.errors import InputFileError
from otklik.ingest import open_table
from otklik.ingest.readers.delimited import detect_delimiter
from tests.conftest import DATA


def test_cp1251_semicolons_and_multiline_quotes() -> None:
    table = open_table(DATA / "nps_ru_cp1251.csv")
    assert table.detected["encoding"] == "cp1251"
    assert table.detected["delimiter"] == ";"
    assert table.headers[:3] == ["Дата", "Оценка NPS", "Комментарий"]
    rows = list(table.rows())
    # the quoted comment spans lines 4-5, so the next record starts on line 6
    lines = [line for line, _ in rows]
    assert lines == [2, 3, 4, 6, 7, 8, 9, 10, 11, 12]
    assert rows[2][1][2] == "Долго ждал ответа,\nпотом ещё и сбросили звонок"
    # the table can be read twice (profile pass, then load pass)
    assert [line for line, _ in table.rows()] == lines


def test_utf8_bom_is_stripped() -> None:
    table = open_table(DATA / "csat_en_bom.csv")
    assert table.detected["encoding"] == "utf-8-sig"
    assert table.headers[0] == "Response ID"


@pytest.mark.parametrize(
    ("sample", "delimiter"),
    [
        ("a;b;c\n1;2,5;3\n4;5;6\n", ";"),
        ('a,b,c\n1,"2;5",3\n', ","),
        ("a\tb\n1\t2\n", "\t"),
        ("a|b|c\n1|2|3\n", "|"),
    ],
)
def test_delimiter_detection(sample: str, delimiter: str) -> None:
    assert detect_delimiter(sample) == delimiter


def test_xlsx_sheet_choice_and_header_below_blank_rows() -> None:
    with pytest.raises(
        InputFileError, match="no sheet 'Nope'; the workbook has: Инструкция, Отзывы"
    ):
        open_table(DATA / "reviews_marketplace.xlsx", sheet="Nope")
    table = open_table(DATA / "reviews_marketplace.xlsx", sheet="Отзывы")
    assert table.headers[:3] == ["Номер", "Дата", "Рейтинг"]
    lines = [line for line, _ in table.rows()]
    assert lines == [3, 4, 5, 7, 8]  # Excel row numbers; the blank row 6 is skipped


def test_jsonl_headers_are_the_union_of_keys() -> None:
    table = open_table(DATA / "employee_enps.jsonl")
    assert table.headers == ["id", "submitted_at", "score", "team", "comment"]
    assert [line for line, _ in table.rows()] == [1, 2, 3, 5]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("not_text.csv", "not a text file"),
        ("empty.csv", "the file is empty"),
        ("broken_workbook.xlsx", "not a readable XLSX workbook"),
        ("missing.csv", "no such file"),
    ],
)
def test_unreadable_files_are_one_clear_error(name: str, message: str) -> None:
    with pytest.raises(InputFileError, match=message):
        open_table(DATA / name)


def test_unknown_extension(tmp_path: Path) -> None:
    path = tmp_path / "data.parquet"
    path.write_bytes(b"PAR1")
    with pytest.raises(InputFileError, match=r"unknown file type '\.parquet'"):
        open_table(path)
