"""Training models from the team's human labels (``otklik model train``).

One model per target (type, sentiment, topic) that has enough labels: at least ``min_labels``
texts in at least two classes. With 30 labels or more, a stratified 20 % holdout scores the model
first (accuracy, macro-F1); the saved model is then refitted on every label. Models are saved
as ``model_dir/<target>.model`` with their scores and training-data hash; ``otklik classify`` then
prefers them to the rules.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, and_, select

from otklik.classify.estimator import TARGETS
from otklik.classify.rules import NO_TOPIC
from otklik.classify.run import model_path
from otklik.errors import ConfigError
from otklik.ledger import Classification, FeedbackItem

__all__ = ["TargetResult", "TrainReport", "human_training_data", "train_models"]

MIN_LABELS = 10
_HOLDOUT_FROM = 30


@dataclass
class TargetResult:
    target: str
    n: int
    classes: dict[str, int]
    saved: str | None = None
    scores: dict[str, Any] = field(default_factory=dict)
    skipped: str | None = None
    seconds: float = 0.0


@dataclass
class TrainReport:
    model_dir: str
    targets: list[TargetResult] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "model_dir": self.model_dir,
            "targets": [
                {
                    "target": t.target,
                    "n": t.n,
                    "classes": t.classes,
                    "saved": t.saved,
                    "scores": t.scores,
                    "skipped": t.skipped,
                    "seconds": round(t.seconds, 3),
                }
                for t in self.targets
            ],
        }


def human_training_data(engine: Engine, target: str) -> tuple[list[str], list[str]]:
    """(texts, labels) of the items a human labelled for ``target``, in item order."""
    column = {"type": Classification.type, "sentiment": Classification.sentiment}.get(
        target, Classification.topics
    )
    query = (
        select(FeedbackItem.text, column)
        .join(
            Classification,
            and_(Classification.item_id == FeedbackItem.id, Classification.origin == "human"),
        )
        .where(column.is_not(None), FeedbackItem.text.is_not(None))
        .order_by(FeedbackItem.id)
    )
    texts: list[str] = []
    labels: list[str] = []
    with engine.connect() as conn:
        for text, value in conn.execute(query):
            if not text or not text.strip():
                continue
            if target == "topic":
                value = value[0] if value else NO_TOPIC
            texts.append(text)
            labels.append(str(value))
    return texts, labels


def _holdout_scores(texts: list[str], labels: list[str], method: str) -> dict[str, Any]:
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import train_test_split

    from otklik.classify.model import TextClassifier

    counts = Counter(labels)
    stratify = labels if min(counts.values()) >= 2 else None
    train_x, test_x, train_y, test_y = train_test_split(
        texts, labels, test_size=0.2, random_state=0, stratify=stratify
    )
    predicted = TextClassifier(method=method).fit(train_x, train_y).predict(test_x)
    return {
        "holdout_accuracy": round(float(accuracy_score(test_y, predicted)), 4),
        "holdout_macro_f1": round(float(f1_score(test_y, predicted, average="macro")), 4),
        "n_holdout": len(test_y),
    }


def train_models(
    engine: Engine,
    model_dir: Path,
    *,
    targets: tuple[str, ...] = TARGETS,
    method: str = "auto",
    min_labels: int = MIN_LABELS,
) -> TrainReport:
    """Train and save a model for each target with enough human labels."""
    unknown = sorted(set(targets) - set(TARGETS))
    if unknown:
        raise ConfigError(f"unknown target {unknown[0]!r}; use {', '.join(TARGETS)}")
    from otklik.classify.artefacts import save_model, training_hash
    from otklik.classify.model import TextClassifier

    report = TrainReport(model_dir=str(model_dir))
    for target in targets:
        texts, labels = human_training_data(engine, target)
        result = TargetResult(target, len(texts), dict(Counter(labels).most_common()))
        report.targets.append(result)
        if len(texts) < min_labels:
            result.skipped = f"{len(texts)} labelled texts; at least {min_labels} are needed"
            continue
        if len(result.classes) < 2:
            result.skipped = "every label is the same; at least two classes are needed"
            continue
        started = time.perf_counter()
        if len(texts) >= _HOLDOUT_FROM:
            result.scores = _holdout_scores(texts, labels, method)
        result.scores["n_train"] = len(texts)
        model = TextClassifier(method=method).fit(texts, labels)
        path = model_path(model_dir, target)
        save_model(model, path, scores=result.scores, training_hash=training_hash(texts, labels))
        result.saved = str(path)
        result.seconds = time.perf_counter() - started
    return report
