"""The evaluation harness: train on one labelled file, score on another (``otklik model eval``).

Files are read by the ingest readers (CSV with any delimiter and encoding, TSV, JSON lines,
JSON, XLSX); rows with an empty label are left out. ``few_shot=K`` trains on K random examples
of each label (all of a label's examples when it has fewer), the same ones for the same seed.
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

__all__ = ["evaluate", "few_shot_indices", "read_labelled", "score", "write_predictions"]


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

    return {
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "macro_f1": round(float(f1_score(truth, predicted, average="macro", zero_division=0)), 4),
    }


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
) -> dict[str, Any]:
    """Train a :class:`TextClassifier` on ``train``, score it on ``test``.

    Returns accuracy, macro-F1, the row counts, the fit time and the prediction throughput
    (texts per second, features included), and the method that ran. With ``predictions``,
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
    model = TextClassifier(method=method, random_state=seed)
    started = time.perf_counter()
    model.fit(train_texts, train_labels)
    fit_seconds = time.perf_counter() - started
    started = time.perf_counter()
    predicted = [str(label) for label in model.predict(test_texts)]
    predict_seconds = time.perf_counter() - started
    if predictions is not None:
        write_predictions(Path(predictions), test_texts, test_labels, predicted)
    return {
        **score(test_labels, predicted),
        "n_train": len(train_texts),
        "n_test": len(test_texts),
        "fit_seconds": round(fit_seconds, 3),
        "predict_per_second": round(len(test_texts) / max(predict_seconds, 1e-9), 1),
        "method": model.method_,
    }


def write_predictions(
    path: Path, texts: Sequence[str], labels: Sequence[str], predicted: Sequence[str]
) -> None:
    """A CSV (UTF-8) with the columns ``text, label, predicted``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv_writer(handle)
        writer.writerow(["text", "label", "predicted"])
        writer.writerows(zip(texts, labels, predicted, strict=True))
