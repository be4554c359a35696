"""Exports in the five languages. Headers that are the questions: the score column, its scale
and the follow-up comment are found in Spanish, Indonesian and Arabic as in Russian and English,
on both import paths (before, all three imported without scores and kept the comment as an
attribute). Dates written with the month's name in any of the five languages, or in
Arabic-Indic digits, import; a date that does not exist is quarantined."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from otklik.ingest import import_file
from otklik.ledger import FeedbackItem

EXPORTS = {
    "es": (
        "Fecha,¿Qué tan probable es que nos recomiende a un amigo?,"
        "¿Por qué nos dio esa calificación?",
        ["2026-11-01,9,Muy rápido el envío", "2026-11-02,3,Nunca llegó mi pedido"],
    ),
    "id": (
        "Tanggal,Seberapa besar kemungkinan Anda merekomendasikan kami kepada teman?,"
        "Apa alasan utama Anda memberi nilai tersebut?",
        ["2026-11-01,9,Pengiriman cepat", "2026-11-02,3,Paket belum sampai"],
    ),
    "ar": (
        "التاريخ,ما مدى احتمال أن توصي بنا لصديق؟,ما سبب تقييمك؟",
        ["2026-11-01,9,التوصيل سريع", "2026-11-02,3,الطلب ما وصل"],
    ),
}


@pytest.mark.parametrize("fast", [False, True], ids=["rows", "columnar"])
@pytest.mark.parametrize("language", sorted(EXPORTS))
def test_question_headers_give_score_scale_and_text(
    engine: Engine, tmp_path: Path, language: str, fast: bool
) -> None:
    header, rows = EXPORTS[language]
    path = tmp_path / f"survey_{language}.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    report = import_file(engine, path, kind="survey", source=language, columnar=fast)
    assert (report.read, report.imported, report.quarantined) == (2, 2, 0)
    with engine.connect() as conn:
        stored = conn.execute(
            select(FeedbackItem.score, FeedbackItem.scale, FeedbackItem.text)
            .where(FeedbackItem.source == language)
            .order_by(FeedbackItem.score)
        ).all()
    expected = [(float(row.split(",")[1]), "nps", row.split(",")[2]) for row in rows]
    assert [tuple(row) for row in stored] == sorted(expected)


def test_named_month_dates_import_and_bad_ones_are_quarantined(engine: Engine) -> None:
    from otklik.ledger import list_quarantine
    from tests.conftest import DATA

    path = DATA / "survey_named_months.csv"
    report = import_file(engine, path, kind="survey", source="months")
    assert (report.read, report.imported, report.quarantined) == (9, 7, 2)
    with engine.connect() as conn:
        stored = dict(
            conn.execute(
                select(FeedbackItem.external_id, FeedbackItem.occurred_at).where(
                    FeedbackItem.source == "months"
                )
            ).all()
        )
    assert {key: str(value)[:16] for key, value in stored.items()} == {
        "m1": "2026-11-03 14:30",
        "m2": "2026-11-03 00:00",
        "m3": "2026-11-03 14:30",
        "m4": "2026-11-03 00:00",
        "m5": "2026-08-12 14:30",
        "m6": "2026-11-03 00:00",
        "m7": "2026-11-03 00:00",
    }
    quarantined = {
        (row["line"], row["field"]) for row in list_quarantine(engine, run_id=report.run_id)
    }
    assert quarantined == {(9, "occurred_at"), (10, "occurred_at")}
