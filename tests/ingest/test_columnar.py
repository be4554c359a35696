"""The column-wise import gives exactly the row-wise import's results, on every file in
tests/data and on awkward files made here, on SQLite and PostgreSQL.

Each file is imported twice by each path (``columnar=False`` is the reference) under two
sources of one store: the ledger rows, the report's counts, what it detected and warned about,
and every quarantine entry (file, line, field, reason, raw copy) must be the same; the second
import checks duplicates against the store.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, select

from otklik.errors import OtklikError
from otklik.ingest import MappingFile, columnar, import_file, load_mapping, open_table
from otklik.ledger import (
    FeedbackItem,
    ImportRun,
    document_terms,
    list_quarantine,
    make_engine,
    upgrade,
)
from otklik.ledger import writer as ledger_writer
from tests.conftest import DATA, postgres_schema

_SUFFIXES = {".csv", ".tsv", ".txt", ".xlsx", ".json", ".jsonl"}
_IGNORED = {"source", "import_run_id", "id"}


def _kind(path: Path) -> str:
    name = path.name.lower()
    if "customers" in name or "crm" in name:
        return "customers"
    if "employee" in name or "enps" in name:
        return "employee"
    if "exit" in name:
        return "employee-exit"
    return "survey"


def _items(engine: Engine, source: str) -> list[tuple[Any, ...]]:
    table = FeedbackItem.__table__
    columns = [column for column in table.columns if column.name not in _IGNORED]
    with engine.connect() as conn:
        rows = conn.execute(select(*columns).where(table.c.source == source)).all()
    return sorted((tuple(row) for row in rows), key=lambda row: repr(row))


def _quarantine(engine: Engine, run_id: int) -> list[tuple[Any, ...]]:
    found = list_quarantine(engine, run_id=run_id)
    return sorted(
        (
            (row["file"], row["line"], row["field"], row["reason"], json.dumps(row["raw"]))
            for row in found
        ),
        key=repr,
    )


def _run(engine: Engine, path: Path, source: str, *, fast: bool, **options: Any) -> list[Any]:
    """What one path did with ``path``, imported twice: reports, rows and quarantine."""
    outcome: list[Any] = []
    for _ in range(2):
        try:
            report = import_file(
                engine, path, source=source, columnar=fast, batch_size=7, **options
            )
        except OtklikError as exc:
            outcome.append(("error", type(exc).__name__, str(exc)))
            continue
        outcome.append(
            (
                report.read,
                report.imported,
                report.updated,
                report.duplicates,
                report.quarantined,
                report.warnings,
                json.dumps(report.detected, sort_keys=True, default=str),
                _quarantine(engine, report.run_id),
            )
        )
    outcome.append(_items(engine, source))
    return outcome


def _same(engine: Engine, path: Path, name: str, **options: Any) -> None:
    row_wise = _run(engine, path, f"{name}-row", fast=False, **options)
    column_wise = _run(engine, path, f"{name}-col", fast=True, **options)
    for part, (fast, reference) in enumerate(zip(column_wise, row_wise, strict=True)):
        assert fast == reference, f"{path.name} ({options}): part {part}"


def _data_files() -> list[Path]:
    return sorted(
        path
        for path in DATA.rglob("*")
        if path.is_file() and path.suffix.lower() in _SUFFIXES and "config" not in path.parts
    )


def test_every_data_file_gives_the_row_wise_results(engine: Engine) -> None:
    moscow = load_mapping(DATA / "nps_ru_moscow.yaml")
    files = _data_files()
    assert len(files) > 150
    for number, path in enumerate(files):
        if _kind(path) == "customers":
            continue  # always row-wise; one customer list per store, so not comparable here
        _same(engine, path, f"f{number}", kind=_kind(path))
        if path.suffix.lower() in (".csv", ".tsv", ".txt") and "nps" in path.name:
            _same(engine, path, f"m{number}", kind="survey", mapping=moscow)


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


_AWKWARD = (
    "ID;Дата;Оценка;Комментарий;Канал;Клиент;Оператор;Длительность;Переводы;Сумма;Регион\n"
    "1;01.03.2025 10:00:00;9;Всё отлично;Приложение;C1;a1;120;0;1 250,50;Москва\n"
    "2;31.02.2025 10:00:00;8;плохая дата;Сайт;C2;a2;60;1;10,5;\n"
    "3;02.03.2025;11;вне шкалы;Чат;C3;a3;30;0;7,25;Казань\n"
    "4;03.03.2025 11:30;;пусто;;;;;;;\n"
    "1;04.03.2025 10:00:00;5;повтор id;Звонок;C1;a1;60;0;1,5;\n"
    "5;  05.03.2025 10:00:00 ;7; пробелы вокруг ;Офис;C5;a5;1:30;2;-3,5;Омск\n"
    '6;2025-03-06 10:00:00;6;"в кавычках; с точкой с запятой";Сайт;C6;a6;45;0;2,00;\n'
    "\n"
    ";;;;;;;;;;\n"
    "7;07.03.2025 10:00:00;3;лишнее поле;Сайт;C7;a7;45;0;2,00;x;y\n"
    "8;08.03.2025 10:00:00;4;короткая строка\n"
    "9;09.03.2025 10:00:00;10;е\u0308лка NFD;Сайт;C9;a9;45;0;2,00;\n"
    "10;10.03.2025 10:00:00;2;неразрывный\u00a0пробел;Сайт;C10;a10;45;1001;2,00;\n"
    "11;11.03.2025 25:00:00;2;плохой час;Сайт;C11;a11;-5;0;abc;\n"
    "12;12.03.1899 10:00:00;2;слишком рано;Сайт;C12;a12;45;0;1e400;\n"
    "13;13.03.2025 10:00:00;1,5;дробная оценка;Сайт;C13;a13;45,5;0,5;1.000,00;\n"
    ";14.03.2025 10:00:00;0;без id;Сайт;C14;a14;45;0;2,00;\n"
    ";14.03.2025 10:00:00;0;без id;Сайт;C14;a14;45;0;2,00;\n"
    "15;27.03.2010 23:30:00;9;перед переходом на летнее время;Сайт;C15;a15;45;0;2;\n"
    "16;28.03.2010 02:30:00;9;в час перехода;Сайт;C16;a16;45;0;2;\n"
    "17;31.10.2010 02:30:00;9;в час обратного перехода;Сайт;C17;a17;45;0;2;\n"
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1251"])
def test_awkward_exports_give_the_row_wise_results(
    engine: Engine, tmp_path: Path, encoding: str
) -> None:
    text = _AWKWARD if encoding == "utf-8" else _AWKWARD.replace("е\u0308", "ё")
    text = text.replace("\u00a0", " ") if encoding == "cp1251" else text
    path = _write(tmp_path / "export.csv", text, encoding)
    crlf = _write(tmp_path / "crlf.csv", text.replace("\n", "\r\n"), encoding)
    hinted = _write(tmp_path / "hinted.csv", "sep=;\n" + text, encoding)
    moscow = MappingFile(scale="nps", timezone="Europe/Moscow")
    for file in (path, crlf, hinted):
        assert columnar.read_lines(open_table(file)) is not None  # the column-wise path runs
    for name, file in (("plain", path), ("crlf", crlf), ("hint", hinted)):
        _same(engine, file, f"{name}-utc", kind="survey", mapping=MappingFile(scale="nps"))
        _same(engine, file, f"{name}-msk", kind="survey", mapping=moscow)
    _same(engine, path, "guessed", kind="survey")
    _same(engine, path, "employee", kind="employee", mapping=MappingFile(scale="nps"))
    _same(
        engine,
        path,
        "defaults",
        kind="survey",
        mapping=MappingFile(scale="nps", defaults={"channel": "email", "region": "Урал"}),
    )


def test_slash_dates_ids_from_content_and_point_decimals(engine: Engine, tmp_path: Path) -> None:
    text = (
        "date,score,comment,revenue,wait\n"
        "03/04/2025,5,a,1.000,10\n"
        "13/04/2025,4,b,12.5,1:05\n"
        "03/04/2025,5,a,1.000,10\n"
        "04/13/2025,3,c,7,20\n"
        "2025-04-05T10:00:00,1,d,1,234.5,30\n"
        "05-04-2025,2,e,,\n"
        "03/04/2025,5,a,1.000,10\n"
    )
    path = _write(tmp_path / "slash.csv", text)
    assert columnar.read_lines(open_table(path)) is not None
    _same(engine, path, "slash", kind="review")
    _same(engine, path, "slash-csat", kind="survey", mapping=MappingFile(scale="csat5"))
    tabbed = _write(tmp_path / "tabbed.tsv", text.replace(",", "\t"))
    _same(engine, tabbed, "tabbed", kind="review")


def test_signed_zeros_and_strays_word_the_scale_warning_alike(engine: Engine) -> None:
    """A "-0" read column-wise is -0.0: the warning must still say "values 0–11" as the
    row-wise path does (QA's file: one said "-0–11")."""
    path = DATA / "scores_signed_zero_mixed.csv"
    assert columnar.read_lines(open_table(path)) is not None
    _same(engine, path, "zeros", kind="survey")


def test_a_batch_built_row_by_row_equals_the_column_wise_batch(tmp_path: Path) -> None:
    """The column-wise batch falls back to this when a kernel fails: it must agree."""
    from otklik.ingest.pipeline import plan_import

    path = _write(tmp_path / "export.csv", _AWKWARD)
    built = []
    for fast in (True, False):
        table = open_table(path)
        lines = columnar.read_lines(table)
        assert lines is not None
        plan = plan_import(
            table,
            kind="survey",
            source="s",
            mapping=MappingFile(scale="nps", timezone="Europe/Moscow"),
            label=str(path),
            lines=lines,
        )
        width = len(table.headers)
        if fast:
            batch = columnar._batch(
                lines.lines, lines.slow, lines.data, ";", plan.builder, width, ("s", 1), False
            )
        else:
            batch = columnar._row_wise(lines.lines, lines.data, ";", plan.builder, ("s", 1), False)
        assert batch.rows == 19
        built.append((batch.full_rows(), batch.quarantine))
    assert built[0] == built[1]
    assert len(built[0][0]) > 5 and len(built[0][1]) > 5


def _stores(kind: str, tmp_path: Path) -> Iterator[tuple[Engine, Engine]]:
    """Two fresh, empty stores of one kind (SQLite files, or PostgreSQL schemas)."""
    if kind == "sqlite":
        tmp_path.mkdir()
        urls = [f"sqlite:///{tmp_path / name}" for name in ("a.db", "b.db")]
        engines = [make_engine(url) for url in urls]
        for engine in engines:
            upgrade(engine)
        yield engines[0], engines[1]
        for engine in engines:
            engine.dispose()
        return
    with postgres_schema() as first, postgres_schema() as second:
        engines = [make_engine(first), make_engine(second)]
        for engine in engines:
            upgrade(engine)
        yield engines[0], engines[1]
        for engine in engines:
            engine.dispose()


def _everything(engine: Engine) -> list[Any]:
    """Every item (its id too), every quarantine entry, every run's counts, and on SQLite
    the search table, row by row."""
    with engine.connect() as conn:
        items = conn.execute(select(FeedbackItem.__table__).order_by(FeedbackItem.id)).all()
        runs = conn.execute(
            select(
                ImportRun.read,
                ImportRun.imported,
                ImportRun.duplicates,
                ImportRun.quarantined,
                ImportRun.status,
            ).order_by(ImportRun.id)
        ).all()
        search: list[Any] = []
        if conn.dialect.name == "sqlite":
            search = list(
                conn.exec_driver_sql("SELECT rowid, terms FROM feedback_search ORDER BY rowid")
            )
    quarantine = [
        (row["line"], row["field"], row["reason"], json.dumps(row["raw"]))
        for row in list_quarantine(engine)
    ]
    return [
        [tuple(row) for row in items],
        [tuple(row) for row in runs],
        [tuple(row) for row in search],
        sorted(quarantine, key=repr),
    ]


@pytest.mark.parametrize("store", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_bulk_load_into_a_fresh_store_gives_the_row_wise_store(
    store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fast path's large-load measures (indexes dropped and built again, only the filled
    columns written, search terms computed inside SQLite, PostgreSQL's direct COPY) leave the
    very store the row-wise path leaves: the same items with the same ids, the same search
    rows, runs and quarantine; and every index is there afterwards."""
    monkeypatch.setattr(ledger_writer, "BULK_LOAD_MIN_ROWS", 5)
    path = _write(tmp_path / "export.csv", _AWKWARD + _AWKWARD.split("\n", 1)[1])
    mapping = MappingFile(scale="nps", timezone="Europe/Moscow")
    for batch_size in (50_000, 7):
        stores = _stores(store, tmp_path / str(batch_size))
        reference, fast = next(stores)
        indexes = {index["name"] for index in inspect(fast).get_indexes("feedback_items")}
        for engine, columnar_ in ((reference, False), (fast, True)):
            for _ in range(2):  # the second import finds every row stored: duplicates
                import_file(
                    engine,
                    path,
                    kind="survey",
                    source="s",
                    mapping=mapping,
                    columnar=columnar_,
                    batch_size=batch_size,
                )
        assert _everything(fast) == _everything(reference)
        items, _, search, _ = _everything(fast)
        assert len(items) > 10
        if store == "sqlite":  # each item's stems, as the search module makes them
            text_at = list(FeedbackItem.__table__.columns.keys()).index("text")
            assert search == [(row[0], " ".join(document_terms(row[text_at]))) for row in items]
        assert {index["name"] for index in inspect(fast).get_indexes("feedback_items")} == indexes
        next(stores, None)
