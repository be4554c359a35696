"""A trained model beside the lexicon, once supervisors' decisions give labels.

Labels come from reviews: an item whose latest decision is *confirm* is abusive (its category:
the one recorded with the step, else the surest flag's), one whose latest decision is *reverse*
is not (``none``). :func:`train_conduct_model` fits otklik's TF-IDF
:class:`~otklik.classify.model.TextClassifier` on them; :func:`model_flags` turns its prediction
into a flag (rule ``model``, the whole text as evidence) when the rules found nothing and the
model is sure. The rules stay first: the model only adds what the lexicon does not know yet.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sqlalchemy import Engine, select

from otklik.classify import TextClassifier, load_model, save_model, training_hash
from otklik.conduct.detect import CATEGORIES, NONE, model_flags
from otklik.errors import ConfigError
from otklik.ledger import ConductEvent, ConductFlag, FeedbackItem

__all__ = [
    "MIN_PER_CLASS",
    "MODEL_FILE",
    "NONE",
    "load_conduct_model",
    "model_flags",
    "review_labels",
    "save_conduct_model",
    "train_conduct_model",
]

MODEL_FILE = "conduct.otkmodel"
MIN_PER_CLASS = 10


def review_labels(engine: Engine) -> tuple[list[str], list[str]]:
    """(texts, labels) from supervisors' latest decisions on items with text."""
    with engine.connect() as conn:
        decisions: dict[int, tuple[str, str | None]] = {}
        for item_id, step, category in conn.execute(
            select(ConductEvent.item_id, ConductEvent.step, ConductEvent.category)
            .where(ConductEvent.step.in_(["confirm", "reverse"]))
            .order_by(ConductEvent.at, ConductEvent.id)
        ).all():
            decisions[item_id] = (step, category)
        top: dict[int, str] = {}
        for item_id, category in conn.execute(
            select(ConductFlag.item_id, ConductFlag.category).order_by(ConductFlag.confidence)
        ).all():
            top[item_id] = category
        texts = dict(
            conn.execute(
                select(FeedbackItem.id, FeedbackItem.text).where(
                    FeedbackItem.id.in_(list(decisions)), FeedbackItem.text.is_not(None)
                )
            ).all()
        )
    out_texts, labels = [], []
    for item_id, (step, category) in sorted(decisions.items()):
        text = texts.get(item_id)
        if not text or not text.strip():
            continue
        out_texts.append(text)
        labels.append(NONE if step == "reverse" else (category or top.get(item_id) or "insult"))
    return out_texts, labels


def train_conduct_model(texts: list[str], labels: list[str]) -> TextClassifier:
    """Fit the model; refuses data with fewer than :data:`MIN_PER_CLASS` abusive or clean
    examples (one clear error, nothing written)."""
    counts = Counter(NONE if label == NONE else "abusive" for label in labels)
    if counts["abusive"] < MIN_PER_CLASS or counts[NONE] < MIN_PER_CLASS:
        raise ConfigError(
            f"not enough reviewed items to train: {counts['abusive']} confirmed and "
            f"{counts[NONE]} reversed; at least {MIN_PER_CLASS} of each are needed"
        )
    unknown = sorted({label for label in labels if label != NONE and label not in CATEGORIES})
    if unknown:
        raise ConfigError(f"unknown categories in the labels: {', '.join(unknown)}")
    return TextClassifier(method="tfidf", cv=3).fit(texts, labels)


def save_conduct_model(
    model: TextClassifier, path: Path, texts: list[str], labels: list[str]
) -> None:
    save_model(model, path, training_hash=training_hash(texts, labels))


def load_conduct_model(path: Path) -> TextClassifier | None:
    """The saved model, or None when there is none yet."""
    if not path.exists():
        return None
    model, _ = load_model(path)
    return model
