"""The trained text classifier: TF-IDF, sentence embeddings, or both, with calibrated probabilities.

:class:`TextClassifier` follows scikit-learn's estimator contract (``__init__`` stores the
parameters, ``fit`` returns ``self``, learned state ends in ``_``, ``classes_`` lines up with
the columns of ``predict_proba``), so it clones, grid-searches and pickles like any estimator.

Methods:

``tfidf``
    word (1–2) and character (2–5, inside word boundaries) n-gram TF-IDF → ``LinearSVC``,
    probabilities by temperature scaling fitted on cross-validated decision values
    (``CalibratedClassifierCV(method="temperature", ensemble=False)``): the argmax is the SVM's
    own, the probabilities say how sure it is. No torch.
``embeddings``
    sentence embeddings (the embedding model: below) → logistic regression, calibrated the
    same way.
``ensemble``
    the weighted mean of the two probability matrices (``tfidf_weight`` on TF-IDF).
``combined``
    one ``LinearSVC`` over the TF-IDF n-grams and the sentence embedding side by side (each
    embedding of length ``embedding_scale``; with ``prior``, the prior's features too),
    calibrated as ``tfidf``: the n-grams and the embedding learn together which of them to
    trust (docs/benchmarks-classify.md, "Multilingual e5").
``prior`` (with any method that has TF-IDF)
    ``"shipped"`` adds six features next to the n-grams: the rules' sentiment scores and the
    probabilities of the sentiment model shipped for the texts' language
    (:class:`~otklik.classify.pretrained.ShippedPrior`), with balanced class weights — the
    shipped model fine-tuned on the labels. ``"auto"`` does so when the labels are sentiments
    (negative/neutral/positive) and otklik ships a model for the language most training texts
    are in; ``"none"`` (the default) never: on our own held-out comments the prior did not help
    (docs/benchmarks-classify.md), so it stays a choice.
``auto``
    ``ensemble`` when an embedding model is configured, or when the shipped one (the
    ``embeddings`` extra: all-MiniLM-L6-v2, an English model) is installed and most training
    texts are English; else ``tfidf``. On Russian and Arabic reviews the English model only
    added noise (see docs/benchmarks-classify.md). ``auto`` never picks ``combined``: e5 reads
    ~40 texts a second on two cores, a choice for the team to make.

The embedding model: ``embedding_model`` when given (a sentence-transformers folder, or
``"e5"``); else, for mostly English texts, the MiniLM model of the ``embeddings`` extra and
for other texts multilingual-e5-small of the ``e5`` extra (each the other's fall-back when
only one is installed).

With fewer than two examples of some label there is nothing to cross-validate on: the linear
model is then a plain logistic regression and ``calibrated_`` is False.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_is_fitted

from otklik.classify.features import (
    E5_MODEL,
    SentenceEmbedder,
    as_texts,
    default_embedding_model_path,
    e5_available,
    tfidf_features,
)
from otklik.errors import ConfigError

__all__ = ["METHODS", "TextClassifier", "default_embedding_model_path"]

METHODS = ("auto", "tfidf", "embeddings", "ensemble", "combined")


class TextClassifier(ClassifierMixin, BaseEstimator):
    """A text classifier trained on labelled examples; see the module docstring for methods.

    Parameters
    ----------
    method : "auto", "tfidf", "embeddings", "ensemble" or "combined".
    embedding_model : folder of a sentence-transformers model, or "e5"; None chooses by the
        texts' language among the installed extras (see above).
    embedding_scale : length of each embedding next to the n-grams, with ``combined``.
    C : regularisation of the TF-IDF ``LinearSVC`` (smaller is stronger).
    embedding_C : regularisation of the logistic regression on embeddings.
    tfidf_weight : share of the TF-IDF probabilities in the ensemble (the rest is embeddings).
    word_ngrams, char_ngrams, min_df : TF-IDF vocabulary.
    cv : folds for calibration (fewer when a label has fewer examples).
    batch_size : texts per embedding batch.
    random_state : seed for the folds and the solvers.
    prior : "auto", "shipped" or "none": start from the shipped sentiment model (see above).
    """

    def __init__(
        self,
        method: str = "auto",
        embedding_model: str | None = None,
        C: float = 0.5,
        embedding_C: float = 20.0,
        tfidf_weight: float = 0.35,
        embedding_scale: float = 2.0,
        word_ngrams: tuple[int, int] = (1, 2),
        char_ngrams: tuple[int, int] = (2, 5),
        min_df: int = 1,
        cv: int = 5,
        batch_size: int = 64,
        random_state: int = 0,
        prior: str = "none",
    ) -> None:
        self.method = method
        self.embedding_model = embedding_model
        self.C = C
        self.embedding_C = embedding_C
        self.tfidf_weight = tfidf_weight
        self.embedding_scale = embedding_scale
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.cv = cv
        self.batch_size = batch_size
        self.random_state = random_state
        self.prior = prior

    # -- fitting -----------------------------------------------------------------------------

    def fit(self, texts: Sequence[str], labels: Sequence[Any]) -> TextClassifier:
        """Learn from ``texts`` and their ``labels``; returns ``self``."""
        items = as_texts(texts)
        y = np.asarray(list(labels))
        if y.ndim != 1 or len(y) != len(items):
            raise ValueError(f"{len(items)} texts but {len(y)} labels; give one label per text")
        counts = Counter(y.tolist())
        if len(counts) < 2:
            raise ValueError(
                "TextClassifier needs samples of at least 2 classes in the data; "
                f"got {len(counts)} class"
            )
        method, model_path = self._resolve_method(items)
        fewest = min(counts.values())
        prior_language = self._prior_language(items, counts)
        pipelines: dict[str, Pipeline] = {}
        if method in ("tfidf", "ensemble", "combined"):
            features: Any = tfidf_features(
                word_ngrams=tuple(self.word_ngrams),  # type: ignore[arg-type]
                char_ngrams=tuple(self.char_ngrams),  # type: ignore[arg-type]
                min_df=self.min_df,
            )
            if prior_language:
                from otklik.classify.pretrained import ShippedPrior

                features = FeatureUnion(
                    [("ngrams", features), ("prior", ShippedPrior(prior_language))]
                )
            if method == "combined":
                embedder = SentenceEmbedder(
                    model_path, batch_size=self.batch_size, scale=self.embedding_scale
                )
                features = FeatureUnion([("text", features), ("embedding", embedder)])
            pipelines[method if method == "combined" else "tfidf"] = Pipeline(
                [
                    ("features", features),
                    (
                        "classifier",
                        self._calibrated(
                            LinearSVC(
                                C=self.C,
                                random_state=self.random_state,
                                class_weight="balanced" if prior_language else None,
                            ),
                            fewest,
                            fallback_C=10.0,
                        ),
                    ),
                ]
            )
        if method in ("embeddings", "ensemble"):
            pipelines["embeddings"] = Pipeline(
                [
                    ("features", SentenceEmbedder(model_path, batch_size=self.batch_size)),
                    (
                        "classifier",
                        self._calibrated(
                            self._logistic(self.embedding_C), fewest, fallback_C=self.embedding_C
                        ),
                    ),
                ]
            )
        for pipeline in pipelines.values():
            pipeline.fit(items, y)
        self.classes_ = np.unique(y)
        for name, pipeline in pipelines.items():
            if not np.array_equal(pipeline.classes_, self.classes_):  # pragma: no cover
                raise RuntimeError(f"the {name} pipeline's classes do not line up")
        self.method_ = method
        self.prior_ = prior_language
        self.embedding_model_ = model_path
        self.pipelines_ = pipelines
        self.weights_ = self._weights(method)
        self.calibrated_ = fewest >= 2
        self.n_train_ = len(items)
        return self

    def _resolve_method(self, texts: list[str]) -> tuple[str, str | None]:
        if self.method not in METHODS:
            raise ConfigError(f"unknown method {self.method!r}; use {', '.join(METHODS)}")
        if self.method == "auto":
            if self.embedding_model:
                return "ensemble", self.embedding_model
            english = default_embedding_model_path()
            if english and _mostly_english(texts):
                return "ensemble", english
            return "tfidf", None
        if self.method == "tfidf":
            return "tfidf", None
        path = self.embedding_model or _embedding_model_for(texts)
        if not path:
            raise ConfigError(
                f"method {self.method!r} needs a sentence-embedding model: install "
                "otklik[e5] (any language) or otklik[embeddings] (English), or pass a "
                "local model folder"
            )
        return self.method, path

    def _prior_language(self, texts: list[str], counts: Counter[Any]) -> str | None:
        """The language whose shipped model starts the TF-IDF model, or None."""
        if self.prior not in ("auto", "shipped", "none"):
            raise ConfigError(f"unknown prior {self.prior!r}; use auto, shipped or none")
        if self.prior == "none":
            return None
        from otklik.classify.pretrained import shipped_model

        language = _main_language(texts)
        shipped = shipped_model("sentiment", language) if language else None
        if self.prior == "shipped":
            if shipped is None:
                raise ConfigError(f"otklik ships no sentiment model for language {language!r}")
            return language
        labels = {str(label) for label in counts}
        if shipped is not None and labels <= {"negative", "neutral", "positive"}:
            return language
        return None

    def _logistic(self, C: float) -> LogisticRegression:
        return LogisticRegression(C=C, max_iter=3000, random_state=self.random_state)

    def _calibrated(self, estimator: Any, fewest: int, *, fallback_C: float) -> Any:
        if fewest < 2:
            return self._logistic(fallback_C)
        folds = StratifiedKFold(
            n_splits=max(2, min(self.cv, fewest)), shuffle=True, random_state=self.random_state
        )
        return CalibratedClassifierCV(estimator, method="temperature", cv=folds, ensemble=False)

    def _weights(self, method: str) -> dict[str, float]:
        if method != "ensemble":
            return {method: 1.0}
        if not 0.0 <= self.tfidf_weight <= 1.0:
            raise ConfigError(f"tfidf_weight must be between 0 and 1, not {self.tfidf_weight}")
        return {"tfidf": self.tfidf_weight, "embeddings": 1.0 - self.tfidf_weight}

    # -- prediction --------------------------------------------------------------------------

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probabilities, one column per entry of ``classes_``; rows sum to 1."""
        check_is_fitted(self, "pipelines_")
        items = as_texts(texts)
        proba = np.zeros((len(items), len(self.classes_)), dtype=np.float64)
        if not items:
            return proba
        for name, pipeline in self.pipelines_.items():
            proba += self.weights_[name] * pipeline.predict_proba(items)
        proba /= proba.sum(axis=1, keepdims=True)
        return proba

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """The most probable label of each text."""
        proba = self.predict_proba(texts)
        return np.asarray(self.classes_[proba.argmax(axis=1)]) if len(proba) else self.classes_[:0]

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags


def _embedding_model_for(texts: list[str]) -> str | None:
    """The installed embedding model for these texts: MiniLM (English only) for mostly English
    texts, multilingual e5 for the others; the other one when only one is installed."""
    english = default_embedding_model_path()
    multilingual = E5_MODEL if e5_available() else None
    if _mostly_english(texts):
        return english or multilingual
    return multilingual or english


def _main_language(texts: list[str], sample: int = 200) -> str | None:
    """The most frequent detected language of an even sample of the texts."""
    from otklik.classify.signals import detect_language

    step = max(1, len(texts) // sample)
    found = Counter(detect_language(text)[0] for text in texts[::step][:sample])
    found.pop(None, None)
    return str(found.most_common(1)[0][0]) if found else None


def _mostly_english(texts: list[str], sample: int = 200) -> bool:
    """Whether at least half of an even sample of the texts (with a language) is English."""
    from otklik.classify.signals import detect_language

    step = max(1, len(texts) // sample)
    found = [detect_language(text)[0] for text in texts[::step][:sample]]
    known = [code for code in found if code]
    return bool(known) and sum(code == "en" for code in known) / len(known) >= 0.5
