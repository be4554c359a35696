"""Training models from the team's human labels (``otklik model train``).

One model per target (type, sentiment, topic) that has enough labels: at least ``min_labels``
texts in at least two classes. With 30 labels or more, a holdout scores the model first
(accuracy, macro-F1); the saved model is then refitted on every label.

The holdout is honest about what comes next: it is the *latest* 20 % of the labelled items (by
``occurred_at``), and near-duplicates (the same text once links, @mentions, digits, "RT" and
punctuation are removed: retweets, copied texts; or texts sharing most of their three-word
shingles: a copy with a few words edited) stay together on one side. A random split would
put copies of a training text in the test set and report a score the next period never sees.
Where the latest items hold fewer than two classes, the groups are split at random instead, and
the scores say so (``holdout``); ``warning`` flags a label set where many texts are copies, and
``random_split_leak`` says what share of a random 20 % holdout would have been copies of
training texts (how optimistic a random split would have been).
Models are saved as ``model_dir/<target>.model`` with their scores and training-data hash;
``otklik classify`` then prefers them to the rules.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, and_, select

from otklik.classify.estimator import TARGETS
from otklik.classify.rules import NO_TOPIC
from otklik.classify.run import model_path
from otklik.errors import ConfigError
from otklik.ledger import Classification, FeedbackItem

__all__ = [
    "TargetResult",
    "TrainReport",
    "holdout_split",
    "human_training_data",
    "human_training_rows",
    "near_duplicate_groups",
    "near_duplicate_key",
    "random_split_leak",
    "train_models",
]

MIN_LABELS = 10
_HOLDOUT_FROM = 30
_HOLDOUT_SHARE = 0.2
_DUPLICATE_WARNING = 0.1  # warn when more than this share of texts repeat another
_NOISE = re.compile(r"https?://\S+|www\.\S+|[@#]\w+|\brt\b|\d+|[^\w\s]|_", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_SHINGLE = 3  # words per shingle
_SHINGLE_SIMILAR = 0.5  # Jaccard of word shingles at or above which two texts are copies
_SHINGLE_COMMON = 50  # a shingle in more texts than this is a set phrase, not a copy


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


def human_training_rows(engine: Engine, target: str) -> list[tuple[str, str, datetime | None]]:
    """(text, label, occurred_at) of the items a human labelled for ``target``, in item order."""
    column = {"type": Classification.type, "sentiment": Classification.sentiment}.get(
        target, Classification.topics
    )
    query = (
        select(FeedbackItem.text, column, FeedbackItem.occurred_at)
        .join(
            Classification,
            and_(Classification.item_id == FeedbackItem.id, Classification.origin == "human"),
        )
        .where(column.is_not(None), FeedbackItem.text.is_not(None))
        .order_by(FeedbackItem.id)
    )
    rows: list[tuple[str, str, datetime | None]] = []
    with engine.connect() as conn:
        for text, value, occurred_at in conn.execute(query):
            if not text or not text.strip():
                continue
            if target == "topic":
                value = value[0] if value else NO_TOPIC
            rows.append((text, str(value), occurred_at))
    return rows


def human_training_data(engine: Engine, target: str) -> tuple[list[str], list[str]]:
    """(texts, labels) of the items a human labelled for ``target``, in item order."""
    rows = human_training_rows(engine, target)
    return [text for text, _, _ in rows], [label for _, label, _ in rows]


def near_duplicate_key(text: str) -> str:
    """The text with links, @mentions, #tags, "RT", digits and punctuation removed, case-folded:
    equal keys are near-duplicates (a retweet, a copied text with another number)."""
    return _SPACES.sub(" ", _NOISE.sub(" ", text.casefold())).strip()


def _shingles(key: str) -> set[tuple[str, ...]]:
    words = key.split()
    if len(words) < _SHINGLE + 1:  # short texts: the exact key decides
        return set()
    return {tuple(words[i : i + _SHINGLE]) for i in range(len(words) - _SHINGLE + 1)}


def near_duplicate_groups(texts: Sequence[str]) -> list[list[int]]:
    """Indices of ``texts`` grouped so that near-duplicates share a group, in first-seen order.

    Two texts are near-duplicates when their :func:`near_duplicate_key` is equal, or when they
    have four words or more and their sets of three-word shingles overlap by a Jaccard index of
    at least 0.5 (a copied text with a few words added, cut or changed). Shingles found in more
    than 50 texts (set phrases) do not link texts. Each index is in exactly one group.
    """
    by_key: dict[str, int] = {}
    keys: list[str] = []
    owner: list[int] = []
    for index, text in enumerate(texts):
        key = near_duplicate_key(text) or f"\x00{index}"
        if key not in by_key:
            by_key[key] = len(keys)
            keys.append(key)
        owner.append(by_key[key])
    parent = list(range(len(keys)))

    def root(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    shingles = [_shingles(key) for key in keys]
    index_of: dict[tuple[str, ...], list[int]] = {}
    for node, found in enumerate(shingles):
        for shingle in found:
            index_of.setdefault(shingle, []).append(node)
    for node, found in enumerate(shingles):
        candidates: set[int] = set()
        for shingle in found:
            members = index_of[shingle]
            if len(members) <= _SHINGLE_COMMON:
                candidates.update(m for m in members if m > node)
        for other in candidates:
            union = len(found | shingles[other])
            if union and len(found & shingles[other]) / union >= _SHINGLE_SIMILAR:
                parent[root(other)] = root(node)
    groups: dict[int, list[int]] = {}
    for index, node in enumerate(owner):
        groups.setdefault(root(node), []).append(index)
    return sorted(groups.values(), key=lambda members: members[0])


def holdout_split(
    texts: Sequence[str],
    labels: Sequence[str],
    times: Sequence[datetime | None] | None = None,
    *,
    share: float = _HOLDOUT_SHARE,
) -> tuple[list[int], list[int], dict[str, Any]]:
    """(train indices, holdout indices, facts) for an honest holdout.

    Near-duplicate texts form one group; the holdout is the groups seen last (by the earliest
    time in each group; by position where times are missing) until ``share`` of the texts is
    reached. When that holds fewer than two classes, groups are drawn at random (seed 0)
    instead. ``facts``: ``holdout`` ("latest" or "random groups"), ``duplicate_share`` (texts
    that repeat an earlier one), ``random_split_leak`` (see :func:`random_split_leak`) and,
    when the duplicate share is high, ``warning``.
    """
    import numpy as np

    grouped = near_duplicate_groups(texts)
    floor = datetime.min

    def first_seen(members: list[int]) -> tuple[datetime, int]:
        found: list[datetime] = []
        for i in members:
            when = times[i] if times is not None else None
            if when is not None:
                found.append(when)
        return (min(found) if found else floor, members[0])

    ordered = sorted(grouped, key=first_seen)
    target = max(1, round(len(texts) * share))
    holdout: list[int] = []
    for members in reversed(ordered):
        if len(holdout) >= target:
            break
        holdout.extend(members)
    how = "latest"
    if len({labels[i] for i in holdout}) < 2:
        how = "random groups"
        order = np.random.default_rng(0).permutation(len(ordered))
        holdout = []
        for position in order:
            if len(holdout) >= target:
                break
            holdout.extend(ordered[int(position)])
    chosen = set(holdout)
    train = [i for i in range(len(texts)) if i not in chosen]
    repeats = len(texts) - len(grouped)
    facts: dict[str, Any] = {
        "holdout": how,
        "duplicate_share": round(repeats / len(texts), 4) if texts else 0.0,
        "random_split_leak": random_split_leak(grouped, len(texts), share),
    }
    if texts and repeats / len(texts) > _DUPLICATE_WARNING:
        facts["warning"] = (
            f"{repeats} of {len(texts)} labelled texts repeat another (retweets, copies); "
            "they were kept on one side of the holdout (a random 20 % holdout would have been "
            f"{facts['random_split_leak']:.0%} copies of training texts), but expect the model "
            "to do worse on new texts than on copies"
        )
    return sorted(train), sorted(holdout), facts


def random_split_leak(
    groups: Sequence[Sequence[int]], n: int, share: float = _HOLDOUT_SHARE
) -> float:
    """The share of a random ``share`` holdout (seed 0) whose texts have a near-duplicate in
    training: how much of a random split's score would come from copies (0 when none repeat).
    """
    import numpy as np

    if not n:
        return 0.0
    size = max(1, round(n * share))
    held = set(np.random.default_rng(0).permutation(n)[:size].tolist())
    leaked = sum(
        1
        for members in groups
        if len(members) > 1
        for i in members
        if i in held and any(j not in held for j in members)
    )
    return round(leaked / size, 4)


def _holdout_scores(
    texts: list[str],
    labels: list[str],
    method: str,
    times: Sequence[datetime | None] | None = None,
) -> dict[str, Any]:
    from sklearn.metrics import accuracy_score, f1_score

    from otklik.classify.model import TextClassifier

    train, holdout, facts = holdout_split(texts, labels, times)
    train_y = [labels[i] for i in train]
    test_y = [labels[i] for i in holdout]
    if len(set(train_y)) < 2:
        return {**facts, "n_holdout": 0, "holdout": "none: the rest holds one class only"}
    model = TextClassifier(method=method).fit([texts[i] for i in train], train_y)
    predicted = model.predict([texts[i] for i in holdout])
    return {
        "holdout_accuracy": round(float(accuracy_score(test_y, predicted)), 4),
        "holdout_macro_f1": round(float(f1_score(test_y, predicted, average="macro")), 4),
        "n_holdout": len(test_y),
        **facts,
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
        rows = human_training_rows(engine, target)
        texts = [text for text, _, _ in rows]
        labels = [label for _, label, _ in rows]
        times = [when for _, _, when in rows]
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
            result.scores = _holdout_scores(texts, labels, method, times)
        result.scores["n_train"] = len(texts)
        model = TextClassifier(method=method).fit(texts, labels)
        path = model_path(model_dir, target)
        save_model(model, path, scores=result.scores, training_hash=training_hash(texts, labels))
        result.saved = str(path)
        result.seconds = time.perf_counter() - started
    return report
