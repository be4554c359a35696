"""Retraining with before/after figures: the held-out set is the most recent labels by date,
the same for both models, and every figure equals one recomputed here from the predictions."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from otklik.classify import (
    HumanLabel,
    RuleSet,
    activate_candidate,
    candidate_report,
    discard_candidate,
    load_taxonomy,
    retrain_with_comparison,
    write_human_labels,
)
from otklik.classify.model import TextClassifier
from otklik.errors import NotFoundError
from otklik.ledger import make_engine, upgrade, write_items

WORDS = {
    "complaint": ["ужасно", "медленно", "ошибка", "списали", "верните"],
    "praise": ["спасибо", "отлично", "быстро", "удобно", "молодцы"],
    "question": ["как", "подключить", "где", "узнать", "можно"],
}


def _rows() -> list[dict[str, object]]:
    rows = []
    start = datetime(2025, 1, 1, 9, 0)
    for i in range(60):
        label = list(WORDS)[i % 3]
        words = WORDS[label]
        # deliberately noisy: every seventh text borrows a word of another class
        other = WORDS[list(WORDS)[(i + 1) % 3]]
        body = f"{words[i % 5]} {words[(i + 2) % 5]} {other[i % 5] if i % 7 == 0 else ''} {i}"
        rows.append(
            {
                "external_id": f"r{i}",
                "kind": "review",
                # dates out of id order: the hold-out must follow the date, not the id
                "occurred_at": start + timedelta(days=(i * 37) % 60),
                "text": body.strip(),
                "label": label,
            }
        )
    return rows


def _accuracy(truth: list[str], predicted: list[str]) -> float:
    return sum(t == p for t, p in zip(truth, predicted, strict=True)) / len(truth)


def _macro_f1(truth: list[str], predicted: list[str]) -> float:
    labels = sorted(set(truth) | set(predicted))
    scores = []
    for label in labels:
        tp = sum(t == p == label for t, p in zip(truth, predicted, strict=True))
        fp = sum(p == label != t for t, p in zip(truth, predicted, strict=True))
        fn = sum(t == label != p for t, p in zip(truth, predicted, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


@pytest.fixture
def labelled(store_url: str) -> object:
    engine = make_engine(store_url)
    upgrade(engine)
    rows = _rows()
    write_items(
        engine,
        run_id=None,
        source="s",
        items=[{k: v for k, v in row.items() if k != "label"} for row in rows],
    )
    with engine.connect() as conn:
        ids = dict(conn.execute(text("SELECT external_id, id FROM feedback_items")).all())
    write_human_labels(
        engine,
        [HumanLabel(item_id=ids[row["external_id"]], type=row["label"]) for row in rows],
    )
    yield engine, rows, ids
    engine.dispose()


def test_before_and_after_equal_an_independent_computation(labelled: tuple, tmp_path: Path) -> None:
    engine, rows, ids = labelled
    rules = RuleSet(load_taxonomy())
    report = retrain_with_comparison(engine, tmp_path, rules, targets=("type",), method="tfidf")
    result = report.targets[0]
    # the held-out set by hand: the 12 most recent (20 % of 60) by date, then id
    ordered = sorted(rows, key=lambda row: (row["occurred_at"], ids[row["external_id"]]))
    held, older = ordered[-12:], ordered[:-12]
    assert result.holdout_ids == [ids[row["external_id"]] for row in held]
    assert result.truth == [row["label"] for row in held]
    assert (result.n_train, result.n_holdout, result.before_method) == (48, 12, "rules")
    # before: the rules' own predictions on those texts
    before = [
        rules.analyse(row["text"], kind="review").type  # type: ignore[arg-type]
        for row in held
    ]
    assert result.before_predicted == before
    # after: a model of the same method fitted here on the older labels only
    model = TextClassifier(method="tfidf").fit(
        [row["text"] for row in older], [row["label"] for row in older]
    )
    after = [str(p) for p in model.predict([row["text"] for row in held])]
    assert result.after_predicted == after
    truth = [row["label"] for row in held]
    assert result.before["accuracy"] == pytest.approx(_accuracy(truth, before), abs=1e-4)
    assert result.before["macro_f1"] == pytest.approx(_macro_f1(truth, before), abs=1e-4)
    assert result.after["accuracy"] == pytest.approx(_accuracy(truth, after), abs=1e-4)
    assert result.after["macro_f1"] == pytest.approx(_macro_f1(truth, after), abs=1e-4)
    # nothing in force changed; the candidate waits with its report
    assert not (tmp_path / "type.model").exists()
    waiting = candidate_report(tmp_path)
    assert waiting is not None and waiting.targets[0].after == result.after
    assert activate_candidate(tmp_path) == ["type"]
    assert (tmp_path / "type.model").exists() and candidate_report(tmp_path) is None

    # a second run scores the activated model as "before", on the same kind of hold-out
    from otklik.classify import load_model

    second = retrain_with_comparison(engine, tmp_path, rules, targets=("type",), method="tfidf")
    again = second.targets[0]
    assert again.before_method == "model"
    in_force, _ = load_model(tmp_path / "type.model")
    expected = [str(p) for p in in_force.predict([row["text"] for row in held])]
    assert again.before_predicted == expected
    assert again.before["accuracy"] == pytest.approx(_accuracy(truth, expected), abs=1e-4)
    assert discard_candidate(tmp_path) and candidate_report(tmp_path) is None
    with pytest.raises(NotFoundError):
        activate_candidate(tmp_path)
    assert (tmp_path / "type.model").exists()


def test_too_few_labels_is_said_not_raised(store_url: str, tmp_path: Path) -> None:
    engine = make_engine(store_url)
    upgrade(engine)
    report = retrain_with_comparison(engine, tmp_path, RuleSet(load_taxonomy()), method="tfidf")
    assert [target.skipped for target in report.targets] == [
        "0 labelled texts; at least 10 are needed"
    ] * 3
    engine.dispose()
