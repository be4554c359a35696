"""The labelling loop's training step: human labels in the store → saved models → classify.

Needs the trained-model modules (``otklik.classify.model`` and ``artefacts``)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from otklik.classify import (
    HumanLabel,
    classify_items,
    load_trained_models,
    train_models,
    write_human_labels,
)
from otklik.ledger import Classification, FeedbackItem, write_items

pytest.importorskip("otklik.classify.model")
pytest.importorskip("otklik.classify.artefacts")

COMPLAINTS = [
    "Курьер опоздал на {n} часа, посылка помята",
    "Списали комиссию {n} рублей без предупреждения",
    "Приложение вылетает уже {n} день подряд",
    "Оператор бросил трубку после {n} минут ожидания",
]
PRAISE = [
    "Спасибо за быструю доставку, всё пришло за {n} дня",
    "Отличное приложение, пользуюсь {n} лет",
    "Оператор помог за {n} минут, спасибо",
    "Кэшбэк {n} процентов пришёл вовремя, супер",
]


def _labelled_store(engine: Engine) -> list[int]:
    items = [
        {
            "external_id": f"{kind}-{i}-{n}",
            "kind": "review",
            "occurred_at": datetime(2025, 5, 1),
            "text": template.format(n=n),
        }
        for kind, templates in (("c", COMPLAINTS), ("p", PRAISE))
        for i, template in enumerate(templates)
        for n in range(2, 7)
    ]
    write_items(engine, run_id=None, source="t", items=items)
    with engine.connect() as conn:
        rows = conn.execute(select(FeedbackItem.id, FeedbackItem.external_id)).all()
    write_human_labels(
        engine,
        [
            HumanLabel(item_id, type="complaint" if ext.startswith("c") else "praise")
            for item_id, ext in rows
        ],
    )
    return [item_id for item_id, _ in rows]


def test_train_saves_models_that_classify_then_uses(engine: Engine, tmp_path: Path) -> None:
    ids = _labelled_store(engine)
    report = train_models(engine, tmp_path / "models", method="tfidf")
    results = {result.target: result for result in report.targets}
    assert results["type"].n == len(ids) == 40
    assert results["type"].classes == {"complaint": 20, "praise": 20}
    assert results["type"].saved is not None
    assert 0 <= results["type"].scores["holdout_accuracy"] <= 1
    assert results["sentiment"].skipped and "at least 10" in results["sentiment"].skipped
    models = load_trained_models(tmp_path / "models")
    assert set(models) == {"type"}
    classify_items(engine, models=models)
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Classification.method, Classification.model_version, Classification.scores
            ).where(Classification.origin == "machine")
        ).all()
    assert len(rows) == 40
    assert {row.method for row in rows} == {"model"}
    assert all(row.model_version and row.model_version.startswith("type:") for row in rows)
    assert {row.scores["sentiment"]["method"] for row in rows} == {"rules"}


def test_one_class_is_not_enough(engine: Engine, tmp_path: Path) -> None:
    ids = _labelled_store(engine)
    write_human_labels(engine, [HumanLabel(item_id, type="praise") for item_id in ids])
    report = train_models(engine, tmp_path / "models", targets=("type",), method="tfidf")
    assert report.targets[0].skipped == "every label is the same; at least two classes are needed"
    assert load_trained_models(tmp_path / "models") == {}
