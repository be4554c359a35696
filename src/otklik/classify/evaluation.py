"""The evaluation harness: train on one labelled file, score on another (``otklik model eval``).

Files are read by the ingest readers (CSV with any delimiter and encoding, TSV, JSON lines,
JSON, XLSX); rows with an empty label are left out. ``few_shot=K`` trains on K random examples
of each label (all of a label's examples when it has fewer), the same ones for the same seed.

:func:`evaluate_ready` scores what works with no training — the keyword ``rules`` and the
``shipped`` model of the texts' language — and shows what ``auto`` picks per language. Where
the labels hold ``positive`` and ``negative``, the scores add ``macro_f1_pos_neg``: macro-F1
over those two classes only, the SentiRuEval measure.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from otklik.classify.model import TextClassifier
from otklik.errors import ConfigError, InputFileError
from otklik.sheets import csv_writer
from otklik.types import Kind

__all__ = [
    "READY_METHODS",
    "evaluate",
    "evaluate_ready",
    "few_shot_indices",
    "read_labelled",
    "score",
    "write_predictions",
]

READY_METHODS = ("rules", "shipped", "hybrid")
KINDS = tuple(kind.value for kind in Kind)  # what --kind accepts: the ledger's item kinds


def read_labelled(
    path: Path, *, text_column: str, label_column: str
) -> tuple[list[str], list[str]]:
    """(texts, labels) from a table file; rows with an empty label are skipped."""
    from otklik.ingest import open_table

    table = open_table(Path(path))
    positions = {}
    for column in (text_column, label_column):
        if column not in table.headers:
            raise ConfigError(
                f"{path}: no column {column!r}; the columns are {', '.join(table.headers)}"
            )
        positions[column] = table.headers.index(column)
    texts: list[str] = []
    labels: list[str] = []
    for _line, values in table.rows():
        label = _cell(values, positions[label_column])
        if not label:
            continue
        texts.append(_cell(values, positions[text_column]))
        labels.append(label)
    if not labels:
        raise InputFileError(f"{path}: no labelled rows in column {label_column!r}")
    return texts, labels


def _cell(values: list[Any], position: int) -> str:
    value = values[position] if position < len(values) else None
    return "" if value is None else str(value).strip()


def few_shot_indices(labels: Sequence[str], k: int, *, seed: int = 0) -> list[int]:
    """Indices of ``k`` random examples of every label (all of them where a label has fewer)."""
    if k < 1:
        raise ConfigError(f"--few-shot must be at least 1, not {k}")
    rng = np.random.default_rng(seed)
    by_label: dict[str, list[int]] = {}
    for index, label in enumerate(labels):
        by_label.setdefault(label, []).append(index)
    chosen: list[int] = []
    for label in sorted(by_label):
        members = by_label[label]
        if len(members) <= k:
            chosen.extend(members)
        else:
            chosen.extend(int(i) for i in rng.choice(members, size=k, replace=False))
    return sorted(chosen)


def score(truth: Sequence[str], predicted: Sequence[str]) -> dict[str, float]:
    """Accuracy and macro-F1 (over the labels present in either list)."""
    from sklearn.metrics import accuracy_score, f1_score

    found: dict[str, float] = {
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "macro_f1": round(float(f1_score(truth, predicted, average="macro", zero_division=0)), 4),
    }
    if {"positive", "negative"} <= set(truth):
        pair = f1_score(
            truth, predicted, labels=["positive", "negative"], average="macro", zero_division=0
        )
        found["macro_f1_pos_neg"] = round(float(pair), 4)
    return found


def evaluate(
    train: Path,
    test: Path,
    *,
    text_column: str,
    label_column: str,
    few_shot: int | None = None,
    seed: int = 0,
    method: str = "auto",
    predictions: Path | None = None,
    prior: str = "none",
) -> dict[str, Any]:
    """Train a :class:`TextClassifier` on ``train``, score it on ``test``.

    ``prior="shipped"`` (or ``"auto"``) starts the TF-IDF model from the shipped sentiment
    model and the rules (see :class:`TextClassifier`).

    Returns accuracy, macro-F1, the row counts, the fit time and the prediction throughput
    (texts per second, features included), the method that ran and, where it embedded the
    texts, the embedding model (``embedding_model``). With ``predictions``,
    writes a CSV with the columns ``text, label, predicted``.
    """
    train_texts, train_labels = read_labelled(
        train, text_column=text_column, label_column=label_column
    )
    test_texts, test_labels = read_labelled(
        test, text_column=text_column, label_column=label_column
    )
    if few_shot is not None:
        chosen = few_shot_indices(train_labels, few_shot, seed=seed)
        train_texts = [train_texts[i] for i in chosen]
        train_labels = [train_labels[i] for i in chosen]
    if len(set(train_labels)) < 2:
        raise ConfigError(f"{train}: every label is the same; at least two are needed")
    model = TextClassifier(method=method, random_state=seed, prior=prior)
    started = time.perf_counter()
    model.fit(train_texts, train_labels)
    fit_seconds = time.perf_counter() - started
    started = time.perf_counter()
    predicted = [str(label) for label in model.predict(test_texts)]
    predict_seconds = time.perf_counter() - started
    if predictions is not None:
        write_predictions(Path(predictions), test_texts, test_labels, predicted)
    result = {
        **score(test_labels, predicted),
        "n_train": len(train_texts),
        "n_test": len(test_texts),
        "fit_seconds": round(fit_seconds, 3),
        "predict_per_second": round(len(test_texts) / max(predict_seconds, 1e-9), 1),
        "method": model.method_,
    }
    if model.embedding_model_:
        from otklik.classify.features import embedding_model_name

        result["embedding_model"] = embedding_model_name(model.embedding_model_)
    if model.prior_:
        result["prior"] = f"shipped:sentiment-{model.prior_}"
    return result


def write_predictions(
    path: Path, texts: Sequence[str], labels: Sequence[str], predicted: Sequence[str]
) -> None:
    """A CSV (UTF-8) with the columns ``text, label, predicted``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv_writer(handle)
        writer.writerow(["text", "label", "predicted"])
        writer.writerows(zip(texts, labels, predicted, strict=True))


def _target_of(labels: Sequence[str], target: str | None) -> str:
    from otklik.classify.rules import default_rules

    if target:
        if target not in ("type", "sentiment"):
            raise ConfigError(f"--target must be type or sentiment, not {target!r}")
        return target
    rules = default_rules()
    if set(labels) <= set(rules.sentiment_names):
        return "sentiment"
    if set(labels) <= set(rules.type_names):
        return "type"
    raise ConfigError(
        "the labels are neither sentiments nor feedback types of the taxonomy; "
        "rules and shipped models predict only those (pass --train to train a model)"
    )


def _majority_language(texts: Sequence[str], sample: int = 300) -> str | None:
    from collections import Counter

    from otklik.classify.signals import detect_language

    step = max(1, len(texts) // sample)
    found = Counter(detect_language(text)[0] for text in texts[::step][:sample])
    found.pop(None, None)
    return found.most_common(1)[0][0] if found else None


def _ready_predict(method: str, target: str, texts: list[str], language: str | None) -> list[str]:
    from otklik.classify.pretrained import shipped_model
    from otklik.classify.rules import default_rules

    if method == "rules":
        rules = default_rules()
        return [getattr(rules.analyse(text, language=language), target) for text in texts]
    from otklik.classify.pretrained import (
        SILENT,
        hybrid_guard,
        hybrid_override,
        hybrid_pick,
        hybrid_threshold,
    )

    model = shipped_model(target, language)
    if model is None:
        raise ConfigError(f"otklik ships no {target} model for language {language!r}")
    proba = model.predict_proba(texts)
    best = [(str(model.classes[int(row.argmax())]), float(row.max())) for row in proba]
    if method == "shipped":
        return [label for label, _ in best]
    rules = default_rules()
    found = []
    for text, pick in zip(texts, best, strict=True):
        analysis = rules.analyse(text, language=language)
        said = analysis.type if target == "type" else analysis.sentiment
        sure = analysis.type_confidence if target == "type" else analysis.sentiment_confidence
        found.append(
            hybrid_pick(
                said,
                sure,
                pick,
                silent=SILENT.get(target, "neutral"),
                threshold=hybrid_threshold(target, language),
                override=hybrid_override(target, language),
                guard=hybrid_guard(target, language),
                rules_turned=target == "type" and analysis.type_turned,
                rules_settled=analysis.settled,
            )[0]
        )
    return found


def _following_type(
    method: str, sentiments: list[str], texts: list[str], language: str | None, kind: str
) -> list[str]:
    """``sentiments`` (read by ``method``) after :func:`~otklik.classify.coherence.
    sentiment_of_type`, with each text's type read by the same method (the rules' for
    ``rules``; ``auto``'s type for the language otherwise, as ``otklik classify`` stores it)."""
    from otklik.classify.coherence import UNADDRESSED_KINDS, sentiment_of_type
    from otklik.classify.pretrained import preferred_method, shipped_model

    if kind in UNADDRESSED_KINDS:
        return sentiments
    type_method = method
    if method != "rules":
        type_method = preferred_method("type", language)
        if type_method != "rules" and shipped_model("type", language) is None:
            type_method = "rules"
    types = _ready_predict(type_method, "type", texts, language)
    return [
        sentiment_of_type(type_, sentiment, kind) or sentiment
        for type_, sentiment in zip(types, sentiments, strict=True)
    ]


def evaluate_ready(
    test: Path,
    *,
    text_column: str,
    label_column: str,
    method: str = "auto",
    target: str | None = None,
    language: str | None = None,
    predictions: Path | None = None,
    kind: str | None = None,
) -> dict[str, Any]:
    """Score the rules (``method="rules"``), the shipped model (``"shipped"``), the two together
    (``"hybrid"``: the model where the rules find nothing — no sentiment, type ``other``) or,
    with ``"auto"``, all three where a model is shipped, on a labelled file; nothing is trained.

    ``target`` (``type`` or ``sentiment``) defaults to the one the labels belong to; ``language``
    to the most frequent detected language of the texts. The result holds the scores of the
    method run (for ``auto``: of the one ``auto`` uses for that language, with every method's
    scores under ``compared``) and ``auto``: what ``auto`` picks per language and the quality
    measured when otklik was built (see docs/models.md).

    ``kind``: score the texts as items of that kind (``survey``, ``contact``, ``review``,
    ``social``…), as ``otklik classify`` reads them: a sentiment read as ``neutral`` follows a
    complaint or praise type of the same method, except for ``social``
    (:mod:`otklik.classify.coherence`). Without it each target is read on its own, as before.
    """
    from otklik.classify.pretrained import auto_table, preferred_method, shipped_model

    if method not in (*READY_METHODS, "auto"):
        raise ConfigError(f"method {method!r} needs --train; without it use rules, shipped, auto")
    if kind is not None and kind not in KINDS:
        raise ConfigError(f"--kind must be one of {', '.join(KINDS)}, not {kind!r}")
    texts, labels = read_labelled(test, text_column=text_column, label_column=label_column)
    target = _target_of(labels, target)
    language = language or _majority_language(texts)
    if method == "auto":
        runs = ["rules"] + (["shipped", "hybrid"] if shipped_model(target, language) else [])
        chosen = preferred_method(target, language)
    else:
        runs, chosen = [method], method
    compared: dict[str, dict[str, Any]] = {}
    kept: list[str] = []
    for name in runs:
        started = time.perf_counter()
        predicted = _ready_predict(name, target, texts, language)
        if kind is not None and target == "sentiment":
            predicted = _following_type(name, predicted, texts, language, kind)
        seconds = time.perf_counter() - started
        compared[name] = {
            **score(labels, predicted),
            "predict_per_second": round(len(texts) / max(seconds, 1e-9), 1),
        }
        if name == chosen:
            kept = predicted
    if predictions is not None:
        write_predictions(Path(predictions), texts, labels, kept)
    result: dict[str, Any] = {
        **{k: v for k, v in compared[chosen].items()},
        "n_test": len(texts),
        "target": target,
        "language": language,
        "method": chosen,
    }
    if kind is not None:
        result["kind"] = kind
    if method == "auto":
        result["compared"] = compared
    result["auto"] = {
        row["language"]: {key: value for key, value in row.items() if key != "language"}
        for row in auto_table(target)
    }
    return result
