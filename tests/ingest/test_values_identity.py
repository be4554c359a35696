"""Values, identity and limits (issue 10 kinds 1b–4, issue 11 kinds 1–2) on SQLite and PostgreSQL.

Every expected figure is written out by hand from the files in tests/data/values, never taken
from otklik's output.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from otklik.errors import ConfigError, InputFileError
from otklik.ingest import ImportLimits, MappingFile, import_file, import_records
from otklik.ledger import Customer, FeedbackItem, ImportRun, list_quarantine
from otklik.metrics import compute
from tests.conftest import DATA

VALUES = DATA / "values"
IVR_SCORES = [5, 4, 5, 1, 5, 5, 4, 2, 5, 4, 5, 3, 4, 5]  # tests/data/values/ivr_csat.csv


def _items(engine: Engine, source: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(FeedbackItem.__table__).where(FeedbackItem.source == source)
        ).mappings()
        return [dict(row) for row in rows]


def _customers(engine: Engine) -> dict[str, dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(select(Customer.__table__)).mappings()
        return {row["customer_id"]: dict(row) for row in rows}


def _quarantine(engine: Engine, run_id: int) -> dict[int, tuple[str | None, str]]:
    return {
        row["line"]: (row["field"], row["reason"]) for row in list_quarantine(engine, run_id=run_id)
    }


def _count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


# --- identity: identical rows are separate answers; re-imports add nothing ------------------


def test_identical_rows_without_an_id_are_separate_answers(engine: Engine) -> None:
    report = import_file(engine, VALUES / "ivr_csat.csv", kind="survey")
    assert (report.read, report.imported, report.duplicates, report.quarantined) == (14, 14, 0, 0)
    items = _items(engine, "ivr_csat")
    assert sorted(item["score"] for item in items) == sorted(float(s) for s in IVR_SCORES)
    assert {item["scale"] for item in items} == {"csat5"}
    (csat,) = compute("csat", engine)
    assert csat.n == 14
    assert csat.value == pytest.approx(100 * 11 / 14, abs=0.01)  # 78.57

    again = import_file(engine, VALUES / "ivr_csat.csv", kind="survey")
    assert (again.read, again.imported, again.duplicates) == (14, 0, 14)
    assert len(_items(engine, "ivr_csat")) == 14


def test_identical_api_records_are_separate_answers_and_a_resend_adds_nothing(
    engine: Engine,
) -> None:
    records = [{"occurred_at": "2025-03-01", "score": score} for score in IVR_SCORES]
    first = import_records(
        engine, records, kind="survey", source="ivr-api", mapping=MappingFile(scale="csat5")
    )
    assert (first.report.imported, first.report.duplicates, first.errors) == (14, 0, [])
    again = import_records(
        engine, records, kind="survey", source="ivr-api", mapping=MappingFile(scale="csat5")
    )
    assert (again.report.imported, again.report.duplicates) == (0, 14)
    scores = [item["score"] for item in _items(engine, "ivr-api")]
    assert sum(score >= 4 for score in scores) / len(scores) == pytest.approx(11 / 14)


@pytest.mark.parametrize(
    "mapping",
    [
        MappingFile(timezone="Europe/Moscow"),
        MappingFile(date_format="%d.%m.%Y %H:%M"),
        MappingFile(scale="csat10"),
        MappingFile(
            columns={"score": "Оценка", "text": "Комментарий"}, defaults={"language": "ru"}
        ),
        MappingFile(columns={"channel": "Комментарий", "text": "Канал"}),
    ],
    ids=["timezone", "date_format", "scale", "columns+defaults", "swapped-columns"],
)
def test_identity_comes_from_raw_values_not_from_the_mapping(
    engine: Engine, mapping: MappingFile
) -> None:
    first = import_file(engine, VALUES / "survey_no_ids.csv", kind="survey")
    # two identical first rows are two answers
    assert (first.read, first.imported, first.duplicates, first.quarantined) == (5, 5, 0, 0)
    again = import_file(engine, VALUES / "survey_no_ids.csv", kind="survey", mapping=mapping)
    assert (again.read, again.imported, again.duplicates) == (5, 0, 5)
    assert len(_items(engine, "survey_no_ids")) == 5


def test_reordered_columns_are_the_same_rows(engine: Engine) -> None:
    import_file(engine, VALUES / "survey_no_ids.csv", kind="survey", source="s")
    again = import_file(engine, VALUES / "survey_no_ids_reordered.csv", kind="survey", source="s")
    assert (again.imported, again.duplicates) == (0, 5)


# --- columns and scales from the right signal ------------------------------------------------


def test_ces_is_not_found_inside_services(engine: Engine) -> None:
    report = import_file(engine, VALUES / "csat_services.csv", kind="survey")
    header = "How satisfied are you with our services?"
    assert report.detected["columns"]["score"] == header
    assert report.detected["scale"].startswith("csat5")
    assert report.imported == 15
    (csat,) = compute("csat", engine)
    assert csat.value == pytest.approx(100 * 11 / 15, abs=0.05)  # 73.3
    assert {item["scale"] for item in _items(engine, "csat_services")} == {"csat5"}


@pytest.mark.parametrize(
    ("header", "scores", "scale"),
    [
        ("How satisfied are you with our services?", [1, 2, 3, 4, 5], "csat5"),
        ("Насколько вы удовлетворены обслуживанием?", [1, 3, 4, 5, 5], "csat5"),
        ("Overall, how satisfied were you with the support?", [1, 4, 7, 9, 10], "csat10"),
        ("How easy was it to solve your issue today?", [1, 2, 5, 6, 7], "ces7"),
        ("Насколько легко было решить ваш вопрос?", [2, 3, 5, 6, 7], "ces7"),
        ("Насколько вероятно, что вы порекомендуете нас друзьям?", [0, 3, 7, 9, 10], "nps"),
        ("How likely are you to recommend us to a friend or colleague?", [1, 2, 3, 4, 5], "nps"),
    ],
)
def test_standard_question_wordings_give_the_score_and_its_scale(
    engine: Engine, tmp_path: Path, header: str, scores: list[int], scale: str
) -> None:
    path = tmp_path / "answers.csv"
    body = "".join(f"2025-06-0{i + 1},{score}\n" for i, score in enumerate(scores))
    path.write_text(f'Date,"{header}"\n{body}', encoding="utf-8")
    report = import_file(engine, path, kind="survey")
    assert report.detected["columns"]["score"] == header
    assert report.detected["columns_how"]["score"] == "question wording"
    assert report.detected["scale"].startswith(scale + " ")
    assert (report.imported, report.warnings) == (5, [])


@pytest.mark.parametrize("header", ["Services", "Access", "Processes"])
def test_a_scale_hint_inside_a_word_does_not_count(
    engine: Engine, tmp_path: Path, header: str
) -> None:
    path = tmp_path / "mapped.csv"
    path.write_text(f"Date,{header}\n2025-06-01,1\n2025-06-02,5\n2025-06-03,4\n")
    report = import_file(
        engine, path, kind="survey", mapping=MappingFile(columns={"score": header})
    )
    assert report.detected["scale"].startswith("csat5 (guessed from values")


def test_google_forms_nps_export(engine: Engine) -> None:
    path = VALUES / "google_forms_nps.csv"
    report = import_file(engine, path, kind="survey")
    columns = report.detected["columns"]
    assert columns["occurred_at"] == "Timestamp"
    assert columns["score"].startswith("How likely are you to recommend")
    assert columns["text"] == "What is the main reason for your score?"
    assert report.detected["scale"].startswith("nps ")
    assert (report.imported, report.quarantined, report.warnings) == (5, 0, [])
    items = sorted(_items(engine, "google_forms_nps"), key=lambda item: item["occurred_at"])
    assert items[0]["occurred_at"] == datetime(2025, 3, 14, 9, 5, 11)
    assert items[3]["text"] == "Fees are too high"
    (nps,) = compute("nps", engine)
    assert nps.value == pytest.approx(100 * (3 - 2) / 5)  # 10, 9, 9 | 6, 3

    mapped = MappingFile(columns={"score": columns["score"]}, scale="nps")
    again = import_file(engine, path, kind="survey", mapping=mapped)
    assert (again.imported, again.duplicates) == (0, 5)


def test_russian_google_forms_nps_export(engine: Engine) -> None:
    report = import_file(engine, VALUES / "google_forms_nps_ru.csv", kind="survey")
    columns = report.detected["columns"]
    assert columns["occurred_at"] == "Отметка времени"
    assert columns["score"].startswith("Насколько вероятно")
    assert columns["text"] == "Почему вы поставили такую оценку?"
    assert report.detected["scale"].startswith("nps ")
    (nps,) = compute("nps", engine)
    assert nps.value == pytest.approx(100 * (2 - 1) / 4)  # 10, 9 | 2


def test_one_out_of_range_score_does_not_hide_the_scale(engine: Engine) -> None:
    report = import_file(engine, VALUES / "nps_with_11.csv", kind="survey")
    assert report.detected["scale"].startswith("nps ")
    assert (report.read, report.imported, report.quarantined) == (12, 11, 1)
    # header = line 1, so the 7th answer (the 11) is line 8
    assert _quarantine(engine, report.run_id) == {
        8: ("score", "score 11 is outside the nps scale 0–10")
    }


def test_survey_without_a_score_column_is_a_warning_and_strict_refuses_it(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "no_score.csv"
    path.write_text("Date,Comment\n2025-06-01,good\n2025-06-02,bad\n")
    with pytest.raises(InputFileError, match=r"no score column.*--strict"):
        import_file(engine, path, kind="survey", strict=True)
    assert _count(engine, FeedbackItem) == 0 and _count(engine, ImportRun) == 0
    report = import_file(engine, path, kind="survey")
    assert report.imported == 2
    assert len(report.warnings) == 1 and report.warnings[0].startswith("no score column")
    assert report.detected["warnings"] == report.warnings
    # a review file has no score expected in the same way: no warning for contacts
    contacts = import_file(engine, path, kind="contact", source="calls")
    assert contacts.warnings == []


# --- numbers read per column -------------------------------------------------------------------


def test_numbers_are_read_per_column(engine: Engine) -> None:
    report = import_file(engine, VALUES / "customers_decimal_comma.csv", kind="customers")
    assert (report.imported, report.quarantined, report.warnings) == (4, 0, [])
    assert report.detected["number_format"]["revenue"].startswith("decimal comma")
    revenue = {cid: row["revenue"] for cid, row in _customers(engine).items()}
    assert revenue == {"C1": 1250.0, "C2": 980.5, "C3": 1000.0, "C4": 450.0}
    (churn,) = compute("revenue_churn", engine, start=date(2025, 3, 1), end=date(2025, 4, 1))
    # C1 and C3 left in March: (1250 + 1000) / (1250 + 980.5 + 1000 + 450)
    assert churn.value == pytest.approx(100 * 2250 / 3680.5, abs=0.01)  # 61.13


def test_an_ambiguous_number_column_is_reported_and_its_ambiguous_values_quarantined(
    engine: Engine,
) -> None:
    path = VALUES / "revenue_ambiguous.csv"
    report = import_file(engine, path, kind="customers")
    assert (report.imported, report.quarantined) == (1, 2)
    assert len(report.warnings) == 1 and "ambiguous" in report.warnings[0]
    quarantine = _quarantine(engine, report.run_id)
    assert quarantine[2][0] == "revenue" and "ambiguous" in quarantine[2][1]
    assert quarantine[3][0] == "revenue"
    assert _customers(engine)["A3"]["revenue"] == 300.0
    with pytest.raises(InputFileError, match="ambiguous"):
        import_file(engine, path, kind="customers", strict=True)

    told = import_file(engine, path, kind="customers", mapping=MappingFile(decimal=","))
    assert (told.imported, told.duplicates, told.warnings) == (2, 1, [])
    revenue = {cid: row["revenue"] for cid, row in _customers(engine).items()}
    assert revenue == {"A1": 1000.0, "A2": 2500.0, "A3": 300.0}


def test_a_column_with_both_separators_reads_each_value_by_its_own_writing(
    engine: Engine,
) -> None:
    report = import_file(engine, VALUES / "revenue_conflicting.csv", kind="customers")
    assert (report.imported, report.quarantined) == (3, 1)
    assert "conflicting" in report.warnings[0]
    revenue = {cid: row["revenue"] for cid, row in _customers(engine).items()}
    assert revenue == {"B1": 1250.0, "B2": 980.5, "B4": 75.0}
    assert _quarantine(engine, report.run_id)[4][0] == "revenue"


# --- bad values are quarantined, never a traceback ----------------------------------------------

# line → the field named in the quarantine (None: imported); see hostile_contacts.jsonl
HOSTILE_JSONL = {
    1: None,
    2: "occurred_at",  # 0001-01-01T00:00:00+01:00 (OverflowError before)
    3: "occurred_at",  # 9999-12-31T23:59:59-01:00
    4: "occurred_at",  # 1899-12-31
    5: "occurred_at",  # 10**30 as an Excel day number
    6: "occurred_at",  # 1e300 as an Excel day number
    7: "transfers",  # 10**23
    8: "transfers",  # "18446744073709551617" (2**64 + 1)
    9: "transfers",  # -1
    10: "transfers",  # 1e400 (infinity in JSON)
    11: "text",  # NUL
    12: "text",  # a lone surrogate
    13: "text",  # 25,000 characters
    14: "text",  # an object
    15: "revenue",  # NaN
    16: "revenue",  # Infinity
    17: "revenue",  # 1e300
    18: "handle_time_s",  # nan:00
    19: "handle_time_s",  # 1e308:1e308
    20: "handle_time_s",  # -0:30
    21: "wait_time_s",  # inf
    22: "wait_time_s",  # 1e400
    23: "wait_time_s",  # 3,000,000 s > 30 days
    24: "score",  # NaN
    25: "attributes",  # NaN
    26: "attributes",  # nested 900 deep
    27: "attributes",  # NUL
    28: "attributes",  # 250 extra keys
    29: "id",  # 300 characters
    30: None,
    31: "id",  # NaN
}


def test_hostile_values_are_quarantined_with_line_and_field(engine: Engine) -> None:
    report = import_file(engine, VALUES / "hostile_contacts.jsonl", kind="contact")
    bad = {line: field for line, field in HOSTILE_JSONL.items() if field is not None}
    assert (report.read, report.imported, report.quarantined) == (31, 2, len(bad))
    assert report.accounted
    quarantine = _quarantine(engine, report.run_id)
    assert {line: field for line, (field, _) in quarantine.items()} == bad
    assert "outside the years 1900–2100" in quarantine[2][1]
    assert "NUL" in quarantine[11][1] and "NUL" in quarantine[27][1]
    assert "nested more than" in quarantine[26][1]  # the reader (32) or the ledger (8)
    assert "250 extra columns" in quarantine[28][1]
    assert "20,000" in quarantine[13][1]
    items = {item["external_id"]: item for item in _items(engine, "hostile_contacts")}
    assert set(items) == {"ok", "ok-2"}
    ok = items["ok"]
    assert ok["occurred_at"] == datetime(2025, 3, 1, 7, 0)  # 10:00 at +03:00
    assert (ok["handle_time_s"], ok["transfers"], ok["revenue"]) == (320.0, 1, 10.5)
    assert (items["ok-2"]["handle_time_s"], items["ok-2"]["wait_time_s"]) == (65.0, 0.0)
    # the quarantine keeps a raw copy that every engine can store and read back
    raw = {row["line"]: row["raw"] for row in list_quarantine(engine, run_id=report.run_id)}
    assert raw[11]["text"] == "a\u2400b"
    assert raw[13]["text"].endswith("(25,000 characters)")


HOSTILE_CSV = {
    2: None,
    3: "occurred_at",
    4: "transfers",
    5: "text",
    6: "handle_time_s",
    7: "handle_time_s",
    8: "handle_time_s",
    9: "handle_time_s",
    10: "handle_time_s",
    11: "transfers",
    12: "occurred_at",
    13: "handle_time_s",
    14: None,
}


def test_hostile_csv_values_are_quarantined(engine: Engine) -> None:
    report = import_file(engine, VALUES / "hostile_contacts.csv", kind="contact")
    bad = {line: field for line, field in HOSTILE_CSV.items() if field is not None}
    assert (report.read, report.imported, report.quarantined) == (13, 2, len(bad))
    quarantine = _quarantine(engine, report.run_id)
    assert {line: field for line, (field, _) in quarantine.items()} == bad
    assert "negative" in quarantine[8][1]  # -0:30 is not +30 s
    items = {item["external_id"]: item for item in _items(engine, "hostile_contacts")}
    assert items["c13"]["handle_time_s"] == 65.5 and items["c13"]["transfers"] == 2


def test_api_records_with_hostile_values(engine: Engine) -> None:
    records: list[Any] = [
        {"id": "good", "occurred_at": "2025-03-01", "text": "ok"},
        {"id": "nan", "occurred_at": "2025-03-01", "revenue": float("nan")},
        {"id": "wide", "occurred_at": "2025-03-01", "transfers": 10**23},
        {"id": "nul", "occurred_at": "2025-03-01", "text": "x\x00"},
        {"id": "year1", "occurred_at": "0001-01-01T00:00:00+01:00"},
    ]
    result = import_records(engine, records, kind="contact", source="api")
    assert (result.report.imported, result.report.quarantined) == (1, 4)
    assert [(error.index, error.field) for error in result.errors] == [
        (1, "revenue"),
        (2, "transfers"),
        (3, "text"),
        (4, "occurred_at"),
    ]


def test_comment_length_limit_is_a_setting(engine: Engine) -> None:
    records = [
        {"id": "short", "occurred_at": "2025-03-01", "text": "x" * 100},
        {"id": "long", "occurred_at": "2025-03-01", "text": "x" * 101},
    ]
    report = import_records(engine, records, kind="review", source="r", limits=ImportLimits(100))
    assert [(error.index, error.field) for error in report.errors] == [(1, "text")]


def test_a_long_source_name_is_cut_stably_and_reported(engine: Engine, tmp_path: Path) -> None:
    long_name = "выгрузка_" + "n" * 200
    path = tmp_path / f"{long_name}.csv"
    shutil.copy(VALUES / "ivr_csat.csv", path)
    first = import_file(engine, path, kind="survey")
    assert len(first.source) == 200 and first.source.startswith(long_name[:190])
    assert first.imported == 14 and "longer than 200" in first.warnings[0]
    again = import_file(engine, path, kind="survey")
    assert (again.source, again.imported, again.duplicates) == (first.source, 0, 14)
    other = import_file(engine, path, kind="survey", source=long_name + "-other")
    assert other.source != first.source and other.imported == 14


def test_a_source_name_with_a_nul_is_refused(engine: Engine) -> None:
    with pytest.raises(ConfigError, match="NUL"):
        import_records(engine, [{"occurred_at": "2025-03-01"}], kind="review", source="a\x00b")


def test_columns_named_alike_that_disagree_are_quarantined(engine: Engine) -> None:
    # Score/score: t1's scores disagree (9 vs 3) → quarantined; t2 agrees; t3's score twin is
    # blank (no disagreement). Comment/comment are two answers, never a disagreement: the
    # first is the text, the second an attribute.
    report = import_file(engine, VALUES / "twin_headers.csv", kind="survey")
    assert (report.read, report.imported, report.quarantined) == (3, 2, 1)
    quarantine = _quarantine(engine, report.run_id)
    assert {line: field for line, (field, _) in quarantine.items()} == {2: "score"}
    assert "'Score' and 'score' disagree" in quarantine[2][1]
    stored = {item["external_id"]: item for item in _items(engine, "twin_headers")}
    assert (stored["t2"]["score"], stored["t2"]["text"]) == (9.0, "b")
    assert (stored["t3"]["score"], stored["t3"]["text"]) == (10.0, "c")
    assert stored["t3"]["attributes"] == {"comment": "d"}


def test_a_repeated_score_column_or_key_that_disagrees_is_quarantined(
    engine: Engine, tmp_path: Path
) -> None:
    # CSV `score,score` (the reader names the second 'score (2)') and a JSON object with
    # "score" twice: a row whose two scores differ is quarantined, equal ones import.
    for name, line, text in (
        (
            "repeat.csv",
            2,  # the header is line 1
            "id,date,score,score,scale\nx1,2025-03-01,9,1,nps\n"
            "x2,2025-03-01,9,9,nps\nx3,2025-03-01,10,,nps\n",
        ),
        (
            "repeat.jsonl",
            1,  # JSON Lines have no header
            '{"id":"x1","date":"2025-03-01","score":9,"score":1,"scale":"nps"}\n'
            '{"id":"x2","date":"2025-03-01","score":9,"score":9,"scale":"nps"}\n'
            '{"id":"x3","date":"2025-03-01","score":10,"scale":"nps"}\n',
        ),
    ):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        report = import_file(engine, path, kind="survey", source=name)
        assert (report.read, report.imported, report.quarantined) == (3, 2, 1), name
        quarantine = _quarantine(engine, report.run_id)
        assert {at: field for at, (field, _) in quarantine.items()} == {line: "score"}, name
        assert report.warnings, name


def test_a_score_header_merged_over_two_columns_is_not_a_repeat(
    engine: Engine, tmp_path: Path
) -> None:
    # SurveyMonkey: the question "score" is merged over B1:C1; C holds another answer, not a
    # second score, so nothing disagrees: both rows import, C kept as the attribute score (2).
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["date", "score", None, "comment"])
    sheet.merge_cells("B1:C1")
    sheet.append(["2025-03-01", 9, "x", "a"])
    sheet.append(["2025-03-02", 7, "y", "b"])
    path = tmp_path / "merged_score.xlsx"
    book.save(path)
    report = import_file(engine, path, kind="survey", source="merged_score")
    assert (report.read, report.imported, report.quarantined) == (2, 2, 0)
    stored = sorted(_items(engine, "merged_score"), key=lambda item: item["occurred_at"])
    assert [(item["score"], item["attributes"]) for item in stored] == [
        (9.0, {"score (2)": "x"}),
        (7.0, {"score (2)": "y"}),
    ]


def test_a_blank_twin_is_no_disagreement(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "blank_twin.csv"
    path.write_text("id,date,score,Score,scale\nb1,2025-03-01,,3,nps\nb2,2025-03-01,8,,nps\n")
    report = import_file(engine, path, kind="survey", source="blank_twin")
    assert (report.read, report.imported, report.quarantined) == (2, 2, 0)


def test_values_overrule_a_header_that_names_the_wrong_scale(
    engine: Engine, tmp_path: Path
) -> None:
    # "Rating" suggests 1–5 stars, but 10, 9, 8 and 7 are 4 of 6 values above 5: the values
    # (0–10 with 8–10 used) make it NPS; nothing is quarantined, and the report says why.
    # NPS by hand: promoters 10, 9 (2); detractors 3, 1 (2); 2 − 2 = 0 of 6 → 0.0.
    path = tmp_path / "rating_ten.csv"
    path.write_text(
        "date,Rating\n"
        + "".join(f"2025-03-0{i + 1},{v}\n" for i, v in enumerate([10, 9, 8, 3, 1, 7]))
    )
    report = import_file(engine, path, kind="survey", source="rating_ten")
    assert (report.read, report.imported, report.quarantined) == (6, 6, 0)
    assert report.detected["scale"].startswith("nps")
    assert any("suggests rating5" in warning for warning in report.warnings)
    scores = [item["score"] for item in _items(engine, "rating_ten")]
    nps = 100 * (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) / len(scores)
    assert nps == 0.0
    # one stray value under a right header still quarantines only itself
    path = tmp_path / "rating_one_stray.csv"
    path.write_text(
        "date,Rating\n"
        + "".join(f"2025-03-0{i + 1},{v}\n" for i, v in enumerate([5, 4, 4, 3, 9, 5]))
    )
    report = import_file(engine, path, kind="survey", source="rating_one_stray")
    assert (report.read, report.imported, report.quarantined) == (6, 5, 1)
    assert report.detected["scale"].startswith("rating5")


@pytest.mark.parametrize(
    ("name", "text", "columns"),
    [
        (
            "forms_es.csv",
            "Marca temporal,Puntuación,Comentario\n"
            "2025-03-01 10:00,9,bien\n2025-03-02 11:00,3,mal\n",
            {"occurred_at": "Marca temporal", "score": "Puntuación", "text": "Comentario"},
        ),
        (
            "surveymonkey.csv",
            "Respondent ID,Start Date,How likely are you to recommend us to a friend?\n"
            "r1,2025-03-01,9\nr2,2025-03-02,10\n",
            {
                "id": "Respondent ID",
                "occurred_at": "Start Date",
                "score": "How likely are you to recommend us to a friend?",
            },
        ),
    ],
)
def test_peer_tool_headers_are_recognised(
    engine: Engine, tmp_path: Path, name: str, text: str, columns: dict[str, str]
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    report = import_file(engine, path, kind="survey", source=name)
    assert (report.read, report.imported, report.quarantined) == (2, 2, 0)
    assert report.detected["columns"] == columns


def test_decomposed_text_is_stored_composed_and_found(engine: Engine, tmp_path: Path) -> None:
    # "Café" and "ёлка" written with combining marks (e + U+0301, е + U+0308), as macOS and
    # some web forms send them: stored in NFC, so a search typed on a keyboard finds them.
    from otklik.ledger import search_items

    decomposed = "Cafe\u0301 хорошее, е\u0308лка красивая"
    path = tmp_path / "nfd.csv"
    path.write_text(f'id,date,score,comment\nd1,2025-03-01,9,"{decomposed}"\n', encoding="utf-8")
    import_file(engine, path, kind="survey", source="nfd", mapping=MappingFile(scale="nps"))
    [item] = _items(engine, "nfd")
    assert item["text"] == "Caf\u00e9 хорошее, \u0451лка красивая"
    for query in ("Café", "CAFÉ", "ёлка", "Ёлка", "Cafe\u0301"):
        _, total = search_items(engine, q=query)
        assert total == 1, query
