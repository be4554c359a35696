"""``otklik topics report``: the library's figures as JSON (the API's shape) and as a table."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy import text

from otklik.classify import MachineLabel, write_machine_labels
from otklik.cli import main
from otklik.ledger import make_engine, upgrade, write_items


def test_report_json_and_table(capsys: pytest.CaptureFixture[str], sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    upgrade(engine)
    scores = [10, 9, 3, 8]  # 2 promoters, 1 detractor of 4: NPS +25
    write_items(
        engine,
        run_id=None,
        source="t",
        items=[
            {
                "external_id": str(i),
                "kind": "survey",
                "occurred_at": datetime(2025, 3, 5),
                "score": float(score),
                "scale": "nps",
                "channel": "app",
            }
            for i, score in enumerate(scores)
        ],
    )
    with engine.connect() as conn:
        ids = list(conn.execute(text("SELECT id FROM feedback_items ORDER BY id")).scalars())
    write_machine_labels(
        engine,
        [
            MachineLabel(
                i, "praise", "positive", ["cards.blocked"], {}, "ru", None, "rules", 1.0, {}
            )
            for i in ids[:3]
        ],
    )
    engine.dispose()
    code = main(["topics", "report", "--period", "2025-03", "--format", "json", "--db", sqlite_url])
    out = capsys.readouterr().out
    assert code == 0
    body = json.loads(out)
    cards = next(r for r in body["topics"] if r["topic"] == "cards" and r["segment"] is None)
    assert cards["volume"] == 3 and cards["share"]["value"] == 75.0
    assert cards["nps"]["value"] == pytest.approx(100 * (2 - 1) / 3)
    assert body["total"][0]["nps"]["value"] == 25.0
    code = main(
        ["topics", "report", "--period", "2025-03", "--split", "channel", "--db", sqlite_url]
    )
    table = capsys.readouterr().out
    assert code == 0 and "Cards" in table and "app" in table
    assert main(["topics", "report", "--split", "colour", "--db", sqlite_url]) != 0
