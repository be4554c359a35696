"""Classifications in a real store (SQLite and PostgreSQL): machine rows, human labels winning,
the ``current_classifications`` view, reclassification, the review queue and label files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text

from otklik.classify import (
    HumanLabel,
    classify_items,
    current_labels,
    import_labels,
    load_taxonomy,
    review_queue,
    write_human_labels,
)
from otklik.errors import InputFileError
from otklik.ingest import MappingFile, import_file
from otklik.ledger import Classification, FeedbackItem
from tests.conftest import DATA


def load_sample(engine: Engine) -> dict[str, int]:
    """The sample feedback file in the store; returns external id → item id."""
    import_file(
        engine,
        DATA / "feedback_classify.csv",
        kind="survey",
        source="sample",
        mapping=MappingFile(scale="nps"),
    )
    with engine.connect() as conn:
        return dict(conn.execute(select(FeedbackItem.external_id, FeedbackItem.id)).all())


def _rows(engine: Engine, origin: str) -> dict[int, Any]:
    with engine.connect() as conn:
        table = Classification.__table__
        found = conn.execute(select(table).where(table.c.origin == origin))
        return {row.item_id: row for row in found}


def test_classify_writes_one_machine_row_per_item(engine: Engine) -> None:
    ids = load_sample(engine)
    report = classify_items(engine, batch_size=5)
    assert report.classified == report.total_items == len(ids) == 12
    machine = _rows(engine, "machine")
    assert set(machine) == set(ids.values())
    login = machine[ids["r1"]]
    assert (login.type, login.sentiment, login.topics, login.language) == (
        "complaint",
        "negative",
        ["app.login"],
        "ru",
    )
    assert login.owner_team == "digital" and login.method == "rules"
    assert 0 < login.confidence <= 1
    assert login.scores["type"]["method"] == "rules"
    assert machine[ids["r2"]].type == "praise"
    assert machine[ids["r9"]].language == "ar" and machine[ids["r8"]].language == "id"
    assert machine[ids["r11"]].topics == [] and machine[ids["r11"]].sentiment == "positive"
    assert "time_effort" in machine[ids["r1"]].tags["pillars"]
    # nothing left to do: a second run classifies nothing
    assert classify_items(engine).classified == 0


def test_human_label_wins_and_survives_reclassification(engine: Engine) -> None:
    ids = load_sample(engine)
    classify_items(engine)
    target = ids["r3"]  # a suggestion by the rules
    write_human_labels(engine, [HumanLabel(target, type="complaint", labelled_by="anna")])
    label = current_labels(engine, [target])[target]
    assert (label["type"], label["method"], label["confidence"]) == ("complaint", "human", 1.0)
    assert label["topics"] == ["app.usability"]  # not labelled by the human: the machine's
    # the view says the same as the function, for every item
    with engine.connect() as conn:
        view = {
            row.item_id: row for row in conn.execute(text("SELECT * FROM current_classifications"))
        }
    everything = current_labels(engine)
    assert set(view) == set(everything) == set(ids.values())
    # routing's brief read: the same labels without tags and per-part methods
    brief = current_labels(engine, brief=True)
    assert brief == {
        item_id: {k: v for k, v in label.items() if k not in ("tags", "methods")}
        for item_id, label in everything.items()
    }
    assert brief[target]["type"] == "complaint" and brief[target]["method"] == "human"
    for item_id, merged in everything.items():
        row = view[item_id]
        assert (row.type, row.sentiment, row.method, row.owner_team) == (
            merged["type"],
            merged["sentiment"],
            merged["method"],
            merged["owner_team"],
        )
    report = classify_items(engine, reclassify=True)
    assert report.classified == 12
    human = _rows(engine, "human")
    assert human[target].type == "complaint" and human[target].labelled_by == "anna"
    assert current_labels(engine, [target])[target]["type"] == "complaint"
    assert len(_rows(engine, "machine")) == 12


def test_explicit_owner_from_import_wins(engine: Engine) -> None:
    ids = load_sample(engine)
    classify_items(engine)
    labels = current_labels(engine)
    assert labels[ids["r12"]]["owner_team"] == "claims_desk"  # the file's owner column
    assert labels[ids["r1"]]["owner_team"] == "digital"


def test_review_queue_is_least_certain_first(engine: Engine) -> None:
    ids = load_sample(engine)
    classify_items(engine)
    queue = review_queue(engine, limit=50)
    confidences = [row["confidence"] for row in queue]
    assert confidences == sorted(confidences)
    assert ids["r11"] not in [row["id"] for row in queue]  # no text: nothing to read
    write_human_labels(engine, [HumanLabel(queue[0]["id"], sentiment="neutral")])
    assert queue[0]["id"] not in [row["id"] for row in review_queue(engine, limit=50)]


def test_label_file_import_reports_bad_rows(engine: Engine, tmp_path: Path) -> None:
    ids = load_sample(engine)
    path = tmp_path / "labels.csv"
    path.write_text(
        "source,external_id,type,topic,sentiment\n"
        "sample,r1,complaint,app.login,negative\n"
        "sample,r3,Предложение,,\n"  # a Russian title is accepted
        "sample,r4,question,payments; cards,neutral\n"
        "sample,r5,rant,,\n"
        "sample,r6,,nowhere,\n"
        "sample,zz,praise,,\n"
        "other,r1,praise,,\n"
        "sample,r7,,,\n",
        encoding="utf-8",
    )
    report = import_labels(engine, path, load_taxonomy(), labelled_by="qa")
    assert (report.read, report.created, report.updated) == (8, 3, 0)
    assert [str(p) for p in report.problems] == [
        "line 5: type: unknown type 'rant'",
        "line 6: topic: unknown topic 'nowhere'",
        "line 9: type: no label given in this row",
        "line 7: external_id: no item 'zz' of source 'sample' in the ledger",
        "line 8: external_id: no item 'r1' of source 'other' in the ledger",
    ]
    human = _rows(engine, "human")
    assert human[ids["r3"]].type == "suggestion"
    assert human[ids["r4"]].topics == ["payments", "cards"]
    assert human[ids["r4"]].owner_team == "payments"
    assert human[ids["r1"]].labelled_by == "qa"
    # by item id, and a re-import updates
    path.write_text(f"item_id,sentiment\n{ids['r1']},neutral\n", encoding="utf-8")
    again = import_labels(engine, path, load_taxonomy())
    assert (again.created, again.updated) == (0, 1)
    assert _rows(engine, "human")[ids["r1"]].type == "complaint"  # kept
    assert _rows(engine, "human")[ids["r1"]].sentiment == "neutral"
    # an id of digits that are no decimal digits ("²": str.isdigit() says yes, int() refuses)
    path.write_text("item_id,sentiment\n²,neutral\n1¹,neutral\n", encoding="utf-8")
    odd = import_labels(engine, path, load_taxonomy())
    assert (odd.created, odd.updated) == (0, 0)
    assert [str(p) for p in odd.problems] == [
        "line 2: item_id: no item '²' in the ledger",
        "line 3: item_id: no item '1¹' in the ledger",
    ]


def test_label_file_needs_item_and_label_columns(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text("text,type\nhello,praise\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="item_id column"):
        import_labels(engine, path, load_taxonomy())
    path.write_text("item_id,comment\n1,hello\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="no label column"):
        import_labels(engine, path, load_taxonomy())
