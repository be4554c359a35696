"""The rules as a scikit-learn estimator: one target (type, sentiment or topic) per instance.

It follows the estimator contract so it can stand wherever a trained model does (cross-
validation, ``clone``, the evaluation harness): ``__init__`` only stores parameters, ``fit``
compiles the taxonomy and returns ``self``, learned state ends in ``_``, and ``classes_`` lines
up with the columns of ``predict_proba``. Rules learn nothing from ``y``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from otklik.classify.rules import NO_TOPIC, Analysis, RuleSet, default_rules
from otklik.classify.taxonomy import Taxonomy, load_taxonomy
from otklik.errors import ConfigError

__all__ = ["TARGETS", "ItemText", "RulesClassifier"]

TARGETS = ("type", "sentiment", "topic")


@dataclass(frozen=True)
class ItemText:
    """A text with what else the rules may use: its language, score and scale, kind."""

    text: str | None
    language: str | None = None
    score: float | None = None
    scale: str | None = None
    kind: str | None = None


def _as_item(x: Any) -> ItemText:
    if isinstance(x, ItemText):
        return x
    if isinstance(x, Mapping):
        return ItemText(
            x.get("text"), x.get("language"), x.get("score"), x.get("scale"), x.get("kind")
        )
    return ItemText(None if x is None else str(x))


class RulesClassifier:
    """Keyword rules for one ``target``: ``"type"``, ``"sentiment"`` or ``"topic"``.

    ``X`` holds texts, :class:`ItemText` values or mappings with ``text``, ``language``,
    ``score``, ``scale`` and ``kind``. For ``topic``, the prediction is the strongest topic,
    or ``"none"``.
    """

    def __init__(
        self,
        target: str = "type",
        taxonomy: Taxonomy | Path | None = None,
        language: str | None = None,
    ) -> None:
        self.target = target
        self.taxonomy = taxonomy
        self.language = language

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {"target": self.target, "taxonomy": self.taxonomy, "language": self.language}

    def set_params(self, **params: Any) -> RulesClassifier:
        for name, value in params.items():
            if name not in self.get_params():
                raise ValueError(f"invalid parameter {name!r} for RulesClassifier")
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        return f"RulesClassifier(target={self.target!r})"

    def fit(
        self, X: Iterable[Any] | None = None, y: Iterable[Any] | None = None
    ) -> RulesClassifier:
        if self.target not in TARGETS:
            raise ConfigError(f"unknown target {self.target!r}; use one of {', '.join(TARGETS)}")
        if self.taxonomy is None:
            self.rules_ = default_rules()
        elif isinstance(self.taxonomy, Taxonomy):
            self.rules_ = RuleSet(self.taxonomy)
        else:
            self.rules_ = RuleSet(load_taxonomy(Path(self.taxonomy)))
        names = {
            "type": self.rules_.type_names,
            "sentiment": self.rules_.sentiment_names,
            "topic": [*self.rules_.topic_names, NO_TOPIC],
        }[self.target]
        self.classes_ = np.array(sorted(names))
        return self

    def analyse(self, X: Iterable[Any]) -> list[Analysis]:
        """The full rule analysis of each item (every target at once)."""
        rules: RuleSet = self.rules_
        found = []
        for x in X:
            item = _as_item(x)
            found.append(
                rules.analyse(
                    item.text,
                    language=item.language or self.language,
                    score=item.score,
                    scale=item.scale,
                    kind=item.kind,
                )
            )
        return found

    def _scores(self, analysis: Analysis) -> dict[str, float]:
        if self.target == "type":
            return analysis.type_scores
        if self.target == "sentiment":
            return analysis.sentiment_scores
        return analysis.topic_scores

    def predict_proba(self, X: Iterable[Any]) -> npt.NDArray[np.float64]:
        analyses = self.analyse(X)
        proba = np.zeros((len(analyses), len(self.classes_)))
        for row, analysis in enumerate(analyses):
            scores = self._scores(analysis)
            for column, name in enumerate(self.classes_):
                proba[row, column] = scores.get(str(name), 0.0)
        return proba

    def predict(self, X: Iterable[Any]) -> npt.NDArray[np.str_]:
        analyses = self.analyse(X)
        if self.target == "type":
            labels = [a.type for a in analyses]
        elif self.target == "sentiment":
            labels = [a.sentiment for a in analyses]
        else:
            labels = [a.topics[0] if a.topics else NO_TOPIC for a in analyses]
        return np.array(labels, dtype=self.classes_.dtype if len(labels) else str)

    def score(self, X: Iterable[Any], y: Iterable[Any]) -> float:
        """Accuracy, as scikit-learn classifiers define ``score``."""
        predicted = self.predict(X)
        truth = np.array([str(label) for label in y])
        return float(np.mean(predicted == truth)) if len(truth) else 0.0
