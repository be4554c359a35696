"""Retraining on the team's human labels, with the model in force and the new one scored on
the same held-out labels before anything changes (the web's "retrain" button).

The held-out set is cut **by time**: the human-labelled items of a target are ordered by
``occurred_at`` (then id) and the most recent ``holdout`` share (20 %, at least one item) is
held out, so the scores say how each model does on feedback newer than what it learnt from.
"Before" is what classifies items now: the target's saved model in ``model_dir`` when there is
one, else the rules of ``rules``' taxonomy. "After" is a model of the same ``method`` fitted
on the older labels only. Both are scored on the held-out labels with accuracy and macro-F1
(:func:`otklik.classify.evaluation.score`). The candidate saved for activation is then refitted
on every label, as ``otklik model train`` does, into ``model_dir/candidate/``; nothing in force
changes until :func:`activate_candidate` moves it in (the replaced models go to
``model_dir/previous/``). Note that a model in force trained on all labels earlier has seen
the held-out ones: its "before" is then optimistic, never pessimistic.
"""

from __future__ import annotations

import json
import shutil
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, and_, select

from otklik.classify.estimator import TARGETS
from otklik.classify.rules import NO_TOPIC, RuleSet
from otklik.classify.run import model_path
from otklik.classify.train import MIN_LABELS
from otklik.errors import ConfigError, NotFoundError, OtklikError
from otklik.ledger import Classification, FeedbackItem

__all__ = [
    "CANDIDATE_FOLDER",
    "PREVIOUS_FOLDER",
    "HeldOutScores",
    "LabelledItem",
    "RetrainReport",
    "activate_candidate",
    "candidate_report",
    "discard_candidate",
    "human_labelled_items",
    "models_in_force",
    "retrain_with_comparison",
    "split_by_time",
]

CANDIDATE_FOLDER = "candidate"
PREVIOUS_FOLDER = "previous"
_REPORT = "comparison.json"
Progress = Callable[[str], None]  # a short note of the step reached


@dataclass(frozen=True)
class LabelledItem:
    """One human-labelled item of a target: what the rules and the models read of it."""

    item_id: int
    occurred_at: datetime
    text: str
    label: str
    language: str | None = None
    score: float | None = None
    scale: str | None = None
    kind: str | None = None


@dataclass
class HeldOutScores:
    """One target: the same held-out labels scored for the model in force and the new one.

    ``truth``, ``before_predicted`` and ``after_predicted`` line up item by item
    (``holdout_ids``), so anyone can recompute the figures.
    """

    target: str
    n_labels: int
    n_train: int = 0
    n_holdout: int = 0
    classes: dict[str, int] = field(default_factory=dict)
    before_method: str | None = None  # "model" or "rules"
    before: dict[str, float] = field(default_factory=dict)  # accuracy, macro_f1
    after: dict[str, float] = field(default_factory=dict)
    holdout_from: str | None = None  # ISO time of the oldest held-out item
    holdout_ids: list[int] = field(default_factory=list)
    truth: list[str] = field(default_factory=list)
    before_predicted: list[str] = field(default_factory=list)
    after_predicted: list[str] = field(default_factory=list)
    candidate: str | None = None
    skipped: str | None = None

    @property
    def better(self) -> bool | None:
        """Whether the new model beats the one in force on held-out macro-F1 (None: no figures)."""
        if not self.before or not self.after:
            return None
        return self.after["macro_f1"] > self.before["macro_f1"]


@dataclass
class RetrainReport:
    model_dir: str
    method: str
    holdout: float
    started_at: str
    seconds: float = 0.0
    targets: list[HeldOutScores] = field(default_factory=list)
    activated_at: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RetrainReport:
        targets = [HeldOutScores(**target) for target in data.get("targets", [])]
        return cls(**{**data, "targets": targets})


def human_labelled_items(engine: Engine, target: str) -> list[LabelledItem]:
    """The items a human labelled for ``target`` (with text), oldest first.

    The label is read as ``otklik model train`` reads it: the type, the sentiment, or the first
    topic (:data:`~otklik.classify.rules.NO_TOPIC` for "no topic").
    """
    if target not in TARGETS:
        raise ConfigError(f"unknown target {target!r}; use {', '.join(TARGETS)}")
    column = {"type": Classification.type, "sentiment": Classification.sentiment}.get(
        target, Classification.topics
    )
    query = (
        select(
            FeedbackItem.id,
            FeedbackItem.occurred_at,
            FeedbackItem.text,
            column,
            FeedbackItem.language,
            FeedbackItem.score,
            FeedbackItem.scale,
            FeedbackItem.kind,
        )
        .join(
            Classification,
            and_(Classification.item_id == FeedbackItem.id, Classification.origin == "human"),
        )
        .where(column.is_not(None), FeedbackItem.text.is_not(None))
        .order_by(FeedbackItem.occurred_at, FeedbackItem.id)
    )
    found = []
    with engine.connect() as conn:
        for item_id, at, text, value, language, score, scale, kind in conn.execute(query):
            if not text or not text.strip():
                continue
            if target == "topic":
                value = value[0] if value else NO_TOPIC
            found.append(LabelledItem(item_id, at, text, str(value), language, score, scale, kind))
    return found


def split_by_time(
    items: list[LabelledItem], holdout: float = 0.2
) -> tuple[list[LabelledItem], list[LabelledItem]]:
    """(older items to train on, the most recent ``holdout`` share held out; at least one)."""
    if not 0 < holdout < 1:
        raise ConfigError(f"holdout must be between 0 and 1, not {holdout}")
    ordered = sorted(items, key=lambda item: (item.occurred_at, item.item_id))
    cut = len(ordered) - max(1, round(len(ordered) * holdout))
    return ordered[:cut], ordered[cut:]


def _rules_prediction(rules: RuleSet, target: str, item: LabelledItem) -> str:
    analysis = rules.analyse(
        item.text, language=item.language, score=item.score, scale=item.scale, kind=item.kind
    )
    if target == "type":
        return analysis.type
    if target == "sentiment":
        return analysis.sentiment
    return analysis.topics[0] if analysis.topics else NO_TOPIC


def _score_target(
    target: str,
    items: list[LabelledItem],
    *,
    model_dir: Path,
    candidate_dir: Path,
    rules: RuleSet,
    method: str,
    holdout: float,
    min_labels: int,
) -> HeldOutScores:
    from otklik.classify.artefacts import load_model, save_model, training_hash
    from otklik.classify.evaluation import score
    from otklik.classify.model import TextClassifier

    result = HeldOutScores(target, len(items), classes=dict(Counter(i.label for i in items)))
    if len(items) < min_labels:
        result.skipped = f"{len(items)} labelled texts; at least {min_labels} are needed"
        return result
    train, held = split_by_time(items, holdout)
    train_labels = [item.label for item in train]
    if len(set(train_labels)) < 2:
        result.skipped = "the older labels are all the same; at least two classes are needed"
        return result
    result.n_train, result.n_holdout = len(train), len(held)
    result.holdout_from = held[0].occurred_at.isoformat()
    result.holdout_ids = [item.item_id for item in held]
    result.truth = [item.label for item in held]
    texts = [item.text for item in held]
    in_force = model_path(model_dir, target)
    if in_force.exists():
        model, _ = load_model(in_force)
        result.before_method = "model"
        result.before_predicted = [str(label) for label in model.predict(texts)]
    else:
        result.before_method = "rules"
        result.before_predicted = [_rules_prediction(rules, target, item) for item in held]
    new = TextClassifier(method=method).fit([item.text for item in train], train_labels)
    result.after_predicted = [str(label) for label in new.predict(texts)]
    result.before = score(result.truth, result.before_predicted)
    result.after = score(result.truth, result.after_predicted)
    all_texts = [item.text for item in items]
    all_labels = [item.label for item in items]
    final = TextClassifier(method=method).fit(all_texts, all_labels)
    path = model_path(candidate_dir, target)
    save_model(
        final,
        path,
        scores={
            "holdout_accuracy": result.after["accuracy"],
            "holdout_macro_f1": result.after["macro_f1"],
            "n_holdout": result.n_holdout,
            "n_train": len(all_texts),
        },
        training_hash=training_hash(all_texts, all_labels),
    )
    result.candidate = str(path)
    return result


def retrain_with_comparison(
    engine: Engine,
    model_dir: Path,
    rules: RuleSet,
    *,
    targets: tuple[str, ...] = TARGETS,
    method: str = "auto",
    holdout: float = 0.2,
    min_labels: int = MIN_LABELS,
    progress: Progress | None = None,
) -> RetrainReport:
    """Score the models in force and new ones on the same held-out labels; save candidates.

    The report is also written to ``model_dir/candidate/comparison.json``
    (:func:`candidate_report` reads it). Raises :class:`ConfigError` for an unknown target
    or a holdout share outside (0, 1).
    """
    unknown = sorted(set(targets) - set(TARGETS))
    if unknown:
        raise ConfigError(f"unknown target {unknown[0]!r}; use {', '.join(TARGETS)}")
    if not 0 < holdout < 1:
        raise ConfigError(f"holdout must be between 0 and 1, not {holdout}")
    started = time.perf_counter()
    candidate_dir = model_dir / CANDIDATE_FOLDER
    if candidate_dir.exists():
        shutil.rmtree(candidate_dir)
    report = RetrainReport(
        model_dir=str(model_dir),
        method=method,
        holdout=holdout,
        started_at=datetime.now().astimezone().isoformat(timespec="seconds"),
    )
    for target in targets:
        if progress is not None:
            progress(target)
        items = human_labelled_items(engine, target)
        report.targets.append(
            _score_target(
                target,
                items,
                model_dir=model_dir,
                candidate_dir=candidate_dir,
                rules=rules,
                method=method,
                holdout=holdout,
                min_labels=min_labels,
            )
        )
    report.seconds = round(time.perf_counter() - started, 3)
    candidate_dir.mkdir(parents=True, exist_ok=True)
    (candidate_dir / _REPORT).write_text(
        json.dumps(report.as_dict(), ensure_ascii=False, default=str), encoding="utf-8"
    )
    return report


def candidate_report(model_dir: Path) -> RetrainReport | None:
    """The comparison of the candidate waiting in ``model_dir`` (None: no candidate)."""
    path = model_dir / CANDIDATE_FOLDER / _REPORT
    if not path.is_file():
        return None
    return RetrainReport.from_dict(json.loads(path.read_text(encoding="utf-8")))


def activate_candidate(model_dir: Path) -> list[str]:
    """Put the candidate models in force (the replaced ones go to ``previous/``); returns the
    targets activated. Raises :class:`NotFoundError` when no candidate is waiting."""
    candidate_dir = model_dir / CANDIDATE_FOLDER
    report = candidate_report(model_dir)
    if report is None:
        raise NotFoundError("no retrained model is waiting: retrain first")
    previous = model_dir / PREVIOUS_FOLDER
    activated = []
    for target in TARGETS:
        new = model_path(candidate_dir, target)
        if not new.exists():
            continue
        current = model_path(model_dir, target)
        if current.exists():
            previous.mkdir(parents=True, exist_ok=True)
            current.replace(model_path(previous, target))
        new.replace(current)
        activated.append(target)
    shutil.rmtree(candidate_dir, ignore_errors=True)
    return activated


def discard_candidate(model_dir: Path) -> bool:
    """Drop the candidate waiting in ``model_dir``; False when there was none."""
    candidate_dir = model_dir / CANDIDATE_FOLDER
    if not candidate_dir.exists():
        return False
    shutil.rmtree(candidate_dir, ignore_errors=True)
    return True


def models_in_force(engine: Engine, model_dir: Path) -> list[dict[str, Any]]:
    """Per target: ``target``, ``labels`` (human-labelled texts), ``model`` (the saved model's
    metadata, None when the rules classify) and ``error`` (a model file that cannot be read)."""
    from otklik.classify.artefacts import read_metadata

    rows = []
    for target in TARGETS:
        path = model_path(model_dir, target)
        row: dict[str, Any] = {
            "target": target,
            "labels": len(human_labelled_items(engine, target)),
            "model": None,
            "error": None,
        }
        if path.exists():
            try:
                row["model"] = read_metadata(path)
            except OtklikError as exc:
                row["error"] = str(exc)
        rows.append(row)
    return rows
