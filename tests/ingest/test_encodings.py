"""Code-page detection on awkward files: mixed encodings, non-Russian code pages.

Every file is written into ``tmp_path`` from text given here; the expected values are that
text, or the refusal the docs promise (one line, exit code 4, nothing stored).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ingest.test_readers_real_exports import _import, _items, _refused, store

__all__ = ["store"]  # the fixture, re-used from the neighbouring module

HEADER = b"date,score,comment\n"


# --- A UTF-8 file with rows in another encoding -----------------------------------------------


def test_three_rows_one_in_cp1251_is_refused(
    capsys: pytest.CaptureFixture[str], store: str, tmp_path: Path
) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        HEADER
        + "2025-03-01,9,Отлично\n2025-03-02,3,Плохо\n".encode()
        + "2025-03-03,5,Нормально\n".encode("cp1251")
    )
    line = _refused(capsys, store, path)
    # lines 2 and 3 are UTF-8; line 4 is where the encoding changes
    assert "mixes UTF-8 with another encoding from line 4" in line
    assert "save it as UTF-8" in line


def test_cp1251_row_then_utf8_row_after_ascii_is_refused(
    capsys: pytest.CaptureFixture[str], store: str, tmp_path: Path
) -> None:
    path = tmp_path / "mixed.csv"
    ascii_rows = b"".join(b"2025-01-01,5,ok\n" for _ in range(100))  # lines 2..101
    path.write_bytes(
        HEADER
        + ascii_rows
        + "2025-03-03,5,Нормально\n".encode("cp1251")  # line 102
        + "2025-03-01,9,Отлично\n".encode()  # line 103: the change
    )
    assert "from line 103" in _refused(capsys, store, path)


RUSSIAN = [
    "Оператор быстро решил мой вопрос спасибо!",
    "ВСЁ ОТЛИЧНО СПАСИБО",
    "Т» и «Р»: С№1",  # capitals before signs: in cp1251 these pairs are valid UTF-8
    "Очень долго ждал на линии",
    "Приложение вылетает при оплате",
    "Да",
]


@pytest.mark.parametrize("encoding", ["cp1251", "koi8_r", "cp866"])
def test_genuine_code_page_files_are_not_taken_for_a_mix(
    capsys: pytest.CaptureFixture[str], store: str, tmp_path: Path, encoding: str
) -> None:
    path = tmp_path / "ru.csv"
    texts = [text for text in RUSSIAN if "»" not in text or encoding == "cp1251"]
    rows = [f"2025-03-0{day},{day},{text}" for day, text in enumerate(texts, start=1)]
    path.write_bytes(("date,score,comment\n" + "\n".join(rows) + "\n").encode(encoding))
    report = _import(capsys, store, path)  # detected, not given
    assert (report["detected"]["encoding"], report["imported"]) == (
        encoding.replace("_", "-"),
        len(texts),
    )
    assert [item["text"] for item in _items(store)] == texts


@pytest.mark.parametrize(
    ("encoding", "comments"),
    [
        # each of these lines is valid UTF-8 by a fluke: "там" is U+282C, "её" is "ţ"
        ("cp866", ["там", "сам", "тем", "Спасибо всё быстро"]),
        ("koi8_r", ["её", "её", "её", "Спасибо всё быстро"]),
    ],
)
def test_code_page_lines_that_happen_to_be_utf8_are_not_a_mix(
    capsys: pytest.CaptureFixture[str],
    store: str,
    tmp_path: Path,
    encoding: str,
    comments: list[str],
) -> None:
    path = tmp_path / "flukes.csv"
    rows = [f"2025-03-0{day},{day},{text}" for day, text in enumerate(comments, start=1)]
    path.write_bytes(("date,score,comment\n" + "\n".join(rows) + "\n").encode(encoding))
    for text in comments[:3]:
        text.encode(encoding).decode("utf-8")  # the premise: valid UTF-8
    report = _import(capsys, store, path)
    assert report["detected"]["encoding"] == encoding.replace("_", "-")
    assert [item["text"] for item in _items(store)] == comments


# --- Code pages of our other languages -----------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "comments"),
    [
        ("cp1256", ["ممتاز", "سيء"]),  # the tester's file: once read as KOI8-R, "ЦЦйгр"
        ("cp1256", ["ممتاز", "سيء", "خدمة العملاء سيئة جدا"]),
        ("iso8859_6", ["خدمة العملاء سيئة جدا", "شكرا"]),
        ("cp1254", ["yavaş"]),  # once Windows-1252 "yavaþ", with cp1250 named as the rival
        ("cp1254", ["Çok güzel teşekkürler", "Işık yok"]),
        ("cp1252", ["muy lento está mal", "¿Atención? el año pasado", "niño"]),
        ("cp1251", ["Спасибо", "Нет"]),
        ("koi8_r", ["Спасибо", "Да"]),
        ("cp866", ["Спасибо всё быстро"]),
    ],
)
def test_each_language_in_its_code_page_is_stored_as_written(
    capsys: pytest.CaptureFixture[str],
    store: str,
    tmp_path: Path,
    encoding: str,
    comments: list[str],
) -> None:
    path = tmp_path / "page.csv"
    rows = [f"2025-03-0{day},{day},{text}" for day, text in enumerate(comments, start=1)]
    path.write_bytes(("date,score,comment\n" + "\n".join(rows) + "\n").encode(encoding))
    report = _import(capsys, store, path)
    detected = report["detected"]
    assert detected["encoding"] == encoding.replace("_", "-"), detected
    assert not any("could also be" in warning for warning in detected.get("warnings", []))
    assert [item["text"] for item in _items(store)] == comments
