"""Importing the awkward files in tests/data into real stores (SQLite and PostgreSQL)."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from otklik.errors import ConfigError, InputFileError
from otklik.ingest import MappingFile, import_file
from otklik.ledger import Customer, FeedbackItem, get_run, list_quarantine
from tests.conftest import DATA


def _items(engine: Engine, source: str) -> dict[str, dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(FeedbackItem.__table__).where(FeedbackItem.source == source)
        ).mappings()
        return {row["external_id"]: dict(row) for row in rows}


def _quarantine(engine: Engine, run_id: int) -> dict[int, tuple[str | None, str]]:
    return {
        row["line"]: (row["field"], row["reason"]) for row in list_quarantine(engine, run_id=run_id)
    }


def test_russian_nps_export_with_broken_rows(engine: Engine) -> None:
    report = import_file(
        engine, DATA / "nps_ru_cp1251.csv", kind="survey", mapping=DATA / "nps_ru_moscow.yaml"
    )
    assert (report.read, report.imported, report.duplicates, report.quarantined) == (10, 5, 0, 5)
    assert report.accounted
    assert report.detected["encoding"] == "cp1251"
    assert report.detected["delimiter"] == ";"
    assert report.detected["columns"]["score"] == "Оценка NPS"
    assert report.detected["attributes"] == ["Источник опроса"]

    quarantine = _quarantine(engine, report.run_id)
    assert quarantine[6] == ("score", "score 11 is outside the nps scale 0–10")
    assert quarantine[7][0] == "occurred_at" and "31.02.2025" in quarantine[7][1]
    assert (
        quarantine[8][0] is None
        and "row has 11 fields, the header has 9: check quotes" in quarantine[8][1]
    )
    assert quarantine[10] == ("score", "score: 'пять' is not a number")
    assert quarantine[11][0] == "occurred_at" and "missing" in quarantine[11][1]
    raw = list_quarantine(engine, run_id=report.run_id)[0]["raw"]
    assert raw["Оценка NPS"] == "11" and raw["Клиент"] == "C004"

    items = {item["customer_id"]: item for item in _items(engine, "nps_ru_cp1251").values()}
    assert set(items) == {"C001", "C002", "C003", "C007", "C010"}
    first = items["C001"]
    # 10:15 in Moscow (UTC+3) is 07:15 UTC
    assert first["occurred_at"] == datetime(2025, 2, 1, 7, 15)
    assert (first["score"], first["scale"], first["channel"]) == (9.0, "nps", "app")
    assert first["revenue"] == 1250.5
    assert first["product"] == "Кредитная карта" and first["region"] == "Москва"
    assert first["attributes"] == {"Источник опроса": "после операции"}
    assert items["C002"]["text"] is None
    assert items["C003"]["text"] == "Долго ждал ответа,\nпотом ещё и сбросили звонок"
    assert items["C003"]["channel"] == "call"
    assert items["C010"]["revenue"] == 1_000_000.0 and items["C010"]["channel"] == "office"


def test_reimport_is_idempotent_and_fixing_the_file_completes_it(
    engine: Engine, tmp_path: Path
) -> None:
    source = DATA / "nps_ru_cp1251.csv"
    mapping = DATA / "nps_ru_moscow.yaml"
    first = import_file(engine, source, kind="survey", mapping=mapping)
    again = import_file(engine, source, kind="survey", mapping=mapping)
    assert (again.imported, again.duplicates, again.quarantined) == (0, 5, 5)
    assert len(_items(engine, "nps_ru_cp1251")) == 5

    fixed = tmp_path / "nps_ru_cp1251.csv"
    text = source.read_bytes().decode("cp1251")
    text = text.replace("03.02.2025 09:00;11;", "03.02.2025 09:00;10;")
    text = text.replace("06.02.2025;пять;", "06.02.2025;5;")
    fixed.write_bytes(text.encode("cp1251"))
    third = import_file(engine, fixed, kind="survey", mapping=mapping, source="nps_ru_cp1251")
    assert (third.imported, third.duplicates, third.quarantined) == (2, 5, 3)
    assert len(_items(engine, "nps_ru_cp1251")) == 7
    assert first.run_id < again.run_id < third.run_id
    run = get_run(engine, third.run_id)
    assert run is not None and run["status"] == "completed" and run["imported"] == 2


def test_csat_with_bom_ids_and_in_file_duplicates(engine: Engine) -> None:
    report = import_file(engine, DATA / "csat_en_bom.csv", kind="survey")
    assert (report.read, report.imported, report.duplicates, report.quarantined) == (7, 4, 1, 2)
    assert report.detected["scale"].startswith("rating5")
    items = _items(engine, "csat_en_bom")
    assert set(items) == {"r1", "r2", "r3", "r6"}
    assert items["r1"]["occurred_at"] == datetime(2025, 3, 1, 12, 0)
    # 08:00 at UTC+7 is 01:00 UTC
    assert items["r6"]["occurred_at"] == datetime(2025, 3, 3, 1, 0)
    assert items["r6"]["channel"] == "app"
    assert items["r3"]["text"] == 'Too slow, "waited" 20 min'
    assert items["r1"]["attributes"] == {"Store Location": "Jakarta"}
    quarantine = _quarantine(engine, report.run_id)
    assert quarantine[5] == ("score", "score 6 is outside the rating5 scale 1–5")
    assert "not a whole number" in quarantine[6][1]


def test_contact_centre_log(engine: Engine) -> None:
    report = import_file(engine, DATA / "contacts_ru.tsv", kind="contact")
    assert report.detected["format"] == "tsv"
    assert (report.imported, report.quarantined) == (4, 3)
    items = _items(engine, "contacts_ru")
    call = items["call-2"]
    assert (call["handle_time_s"], call["wait_time_s"], call["transfers"]) == (65.0, 12.0, 1)
    assert (call["resolved"], call["ended_by"], call["agent"], call["team"]) == (
        False,
        "agent",
        "Петров",
        "Карты",
    )
    assert items["call-1"]["handle_time_s"] == 320.0 and items["call-1"]["resolved"] is True
    assert items["call-1"]["kind"] == "contact"
    quarantine = _quarantine(engine, report.run_id)
    assert quarantine[5][0] == "ended_by"
    assert quarantine[6] == ("handle_time_s", "handle_time_s: '-3' is negative")
    assert quarantine[7][0] == "transfers"


def test_slash_dates_resolved_by_the_whole_column(engine: Engine) -> None:
    report = import_file(engine, DATA / "reviews_dayfirst_pipe.csv", kind="review")
    assert report.detected["delimiter"] == "|"
    assert report.detected["date_order"]["occurred_at"].startswith("day first")
    items = _items(engine, "reviews_dayfirst_pipe")
    assert items["a1"]["occurred_at"] == datetime(2018, 4, 11)
    assert items["a3"]["occurred_at"] == datetime(2018, 5, 3)

    ambiguous = import_file(engine, DATA / "reviews_ambiguous_dates.csv", kind="review")
    assert ambiguous.detected["date_order"]["occurred_at"].startswith("ambiguous")
    assert (ambiguous.imported, ambiguous.quarantined) == (1, 2)
    assert all(
        "ambiguous" in reason for _, reason in _quarantine(engine, ambiguous.run_id).values()
    )

    # the user says which order the file uses: everything goes in
    spec = MappingFile(date_format="%d/%m/%Y")
    fixed = import_file(
        engine,
        DATA / "reviews_ambiguous_dates.csv",
        kind="review",
        mapping=spec,
        source="reviews-fixed",
    )
    assert (fixed.imported, fixed.quarantined) == (2, 1)  # 2018-05-07 is ISO, not d/m/Y
    assert _items(engine, "reviews-fixed")["b1"]["occurred_at"] == datetime(2018, 4, 11)


def test_marketplace_xlsx(engine: Engine) -> None:
    report = import_file(engine, DATA / "reviews_marketplace.xlsx", kind="review", sheet="Отзывы")
    assert (report.read, report.imported, report.quarantined) == (5, 3, 2)
    items = _items(engine, "reviews_marketplace")
    assert set(items) == {"1001", "1002", "1003"}  # 1001.0 in the sheet is the id 1001
    assert items["1001"]["occurred_at"] == datetime(2025, 7, 1, 14, 30)
    assert items["1002"]["occurred_at"] == datetime(2025, 7, 2)  # Excel day number 45840
    assert items["1003"]["occurred_at"] == datetime(2025, 7, 3)
    assert items["1001"]["product"] == "Чайник" and items["1001"]["customer_id"] == "P1"
    quarantine = _quarantine(engine, report.run_id)
    assert quarantine[7][0] == "occurred_at"
    assert quarantine[8] == ("score", "score 7 is outside the rating5 scale 1–5")


def test_exit_survey_json_with_mapping(engine: Engine) -> None:
    spec = MappingFile(scale="csat5", columns={"text": "comment"})
    report = import_file(engine, DATA / "exit_wrapped.json", kind="exit", mapping=spec)
    assert (report.read, report.imported, report.quarantined) == (5, 3, 2)
    items = _items(engine, "exit_wrapped")
    assert items["101"]["attributes"] == {"reason": "Высокие комиссии"}
    assert items["102"]["attributes"] == {"reason": "Переезд", "extra": {"survey": "v2"}}
    assert items["104"]["language"] == "es" and items["104"]["kind"] == "exit"
    quarantine = _quarantine(engine, report.run_id)
    assert quarantine[3] == (None, "not a JSON object")
    assert quarantine[4] == ("score", "score -1 is outside the csat5 scale 1–5")


def test_employee_jsonl_with_a_broken_line(engine: Engine) -> None:
    report = import_file(engine, DATA / "employee_enps.jsonl", kind="employee")
    assert (report.read, report.imported, report.quarantined) == (4, 3, 1)
    field, reason = _quarantine(engine, report.run_id)[3]
    assert field is None and reason.startswith("not valid JSON")
    items = _items(engine, "employee_enps")
    assert items["e1"]["occurred_at"] == datetime(2025, 6, 1, 7, 0)
    assert items["e1"]["scale"] == "nps" and items["e1"]["team"] == "Поддержка"


def test_customers_insert_then_update(engine: Engine, tmp_path: Path) -> None:
    report = import_file(engine, DATA / "customers_crm.csv", kind="customers")
    assert (report.read, report.imported, report.quarantined) == (5, 2, 3)
    quarantine = _quarantine(engine, report.run_id)
    assert quarantine[4][0] == "churned_at"
    assert quarantine[5] == ("customer_id", "customer_id is missing")
    assert quarantine[6][0] == "revenue"
    with engine.connect() as conn:
        customers = {c.customer_id: c for c in conn.execute(select(Customer.__table__))}
    assert customers["C001"].churned_at is None and customers["C001"].revenue == 12000.0
    assert customers["C002"].churned_at == datetime(2025, 2, 10)

    again = import_file(engine, DATA / "customers_crm.csv", kind="customers")
    assert (again.imported, again.updated, again.duplicates) == (0, 0, 2)
    changed = tmp_path / "customers_crm.csv"
    text = (DATA / "customers_crm.csv").read_bytes().decode("cp1251")
    changed.write_bytes(
        text.replace("C001;15.01.2024;;", "C001;15.01.2024;01.03.2025;").encode("cp1251")
    )
    update = import_file(engine, changed, kind="customers")
    assert update.accounted
    assert (update.imported, update.updated, update.duplicates) == (0, 1, 1)
    with engine.connect() as conn:
        churned = conn.execute(
            select(Customer.churned_at).where(Customer.customer_id == "C001")
        ).scalar_one()
    assert churned == datetime(2025, 3, 1)


def test_unreadable_file_imports_nothing(engine: Engine) -> None:
    with pytest.raises(InputFileError):
        import_file(engine, DATA / "not_text.csv", kind="survey")
    with engine.connect() as conn:
        assert conn.execute(select(FeedbackItem.id)).first() is None


def test_mapping_errors_name_the_problem(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="column 'Nope' for field score is not in"):
        import_file(
            engine,
            DATA / "csat_en_bom.csv",
            kind="survey",
            mapping=MappingFile(columns={"score": "Nope"}),
        )
    bad = tmp_path / "bad.yaml"
    bad.write_text("scale: nps10\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad.yaml:1: scale: unknown scale 'nps10'"):
        import_file(engine, DATA / "csat_en_bom.csv", kind="survey", mapping=bad)
    with pytest.raises(ConfigError, match="unknown kind 'surveys'"):
        import_file(engine, DATA / "csat_en_bom.csv", kind="surveys")


def test_interrupted_import_leaves_whole_batches_and_a_rerun_completes(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "big.csv"
    lines = ["id,date,score,comment"] + [
        f"{n},2025-01-{1 + n % 28:02d},{n % 11},comment {n}" for n in range(1, 1001)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    spec = MappingFile(scale="nps")
    calls = 0

    def stop_after_three_batches(done: int, total: int) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_file(
            engine,
            path,
            kind="survey",
            mapping=spec,
            batch_size=100,
            progress=stop_after_three_batches,
        )
    assert len(_items(engine, "big")) == 300
    report = import_file(engine, path, kind="survey", mapping=spec, batch_size=100)
    assert (report.imported, report.duplicates, report.quarantined) == (700, 300, 0)
    assert len(_items(engine, "big")) == 1000


def test_default_source_is_the_file_name(engine: Engine, tmp_path: Path) -> None:
    copy = tmp_path / "march.csv"
    shutil.copy(DATA / "csat_en_bom.csv", copy)
    report = import_file(engine, copy, kind="survey")
    assert report.source == "march"
