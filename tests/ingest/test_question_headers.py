"""Survey exports whose headers are the questions, in Spanish, Indonesian and Arabic: the score
column, its scale and the follow-up comment are found as for Russian and English exports, on
both import paths (before, all three imported without scores and kept the comment as an
attribute)."""

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
