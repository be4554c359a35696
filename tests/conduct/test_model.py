"""The model beside the lexicon: trained on reviewed items, it adds flags the rules miss; it
refuses too few labels; the CLI trains and scan uses it."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from otklik.cli import main
from otklik.conduct import apply_step, list_flags, load_policy, review, scan_items
from otklik.conduct.detect import NONE, model_flags
from otklik.conduct.model import review_labels, train_conduct_model
from otklik.errors import ConfigError
from otklik.ledger import FeedbackItem, make_engine, upgrade, write_items

CORPUS = Path(__file__).resolve().parents[1] / "data" / "conduct_corpus.csv"
POLICY = load_policy()


def test_model_learns_from_the_corpus_and_generalises() -> None:
    with CORPUS.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    train = [r for r in rows if r["split"] == "tune"]
    test = [r for r in rows if r["split"] == "heldout"]
    model = train_conduct_model(
        [r["text"] for r in train],
        [r["category"] if r["abusive"] == "1" else NONE for r in train],
    )
    predicted = model.predict([r["text"] for r in test])
    hits = sum((p != NONE) == (r["abusive"] == "1") for p, r in zip(predicted, test, strict=True))
    # Far better than chance on text it never saw (the rules remain the first line).
    assert hits / len(test) >= 0.7


def test_too_few_labels_is_one_clear_error() -> None:
    with pytest.raises(ConfigError, match="at least 10 of each"):
        train_conduct_model(["сука"] * 3 + ["спасибо"] * 3, ["insult"] * 3 + [NONE] * 3)


def _reviewed_store(engine: Engine) -> None:
    abusive = [f"Ты полный кринжовый шизоид номер {i}" for i in range(12)]
    clean = [f"Спасибо, вопрос номер {i} решён" for i in range(12)]
    write_items(
        engine,
        run_id=None,
        source="t",
        items=[
            {
                "external_id": f"x{i}",
                "kind": "contact",
                "occurred_at": datetime(2026, 1, 1),
                "text": text,
                "customer_id": f"c{i}",
                "agent": "a",
            }
            for i, text in enumerate(abusive + clean)
        ],
    )
    with engine.connect() as conn:
        ids = list(conn.execute(select(FeedbackItem.id).order_by(FeedbackItem.id)).scalars())
    for n, item_id in enumerate(ids):
        apply_step(engine, POLICY, item_id, "end", by="a", now=datetime(2026, 1, 2))
        review(
            engine,
            POLICY,
            item_id,
            "confirm" if n < 12 else "reverse",
            by="sv",
            now=datetime(2026, 1, 3),
        )


def test_labels_from_reviews_and_the_cli(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(sqlite_url)
    upgrade(engine)
    _reviewed_store(engine)
    texts, labels = review_labels(engine)
    assert len(texts) == 24 and labels.count(NONE) == 12
    assert set(labels) == {NONE, "insult"}  # no flag on these texts: the default category
    model = train_conduct_model(texts, labels)
    assert model_flags(model, "Ты полный кринжовый шизоид") != []
    assert model_flags(model, "Спасибо, вопрос решён") == []
    monkeypatch.setenv("OTKLIK_MODEL_DIR", str(tmp_path / "models"))
    assert main(["conduct", "train", "--db", sqlite_url]) == 0
    assert (tmp_path / "models" / "conduct.otkmodel").exists()
    write_items(
        engine,
        run_id=None,
        source="t",
        items=[
            {
                "external_id": "new",
                "kind": "contact",
                "occurred_at": datetime(2026, 2, 1),
                "text": "Вы кринжовый шизоид",
            }
        ],
    )
    scan_items(engine, rescan=True)  # without the model: the lexicon does not know the words
    assert all(f["external_id"] != "new" for f in list_flags(engine))
    assert main(["conduct", "scan", "--all", "--db", sqlite_url]) == 0
    new = [f for f in list_flags(engine) if f["external_id"] == "new"]
    assert new and new[0]["category"] == "insult"
    engine.dispose()
