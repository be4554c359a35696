"""Models shipped with otklik: ready on day one, trained on public data, nothing downloaded.

A shipped model is a multinomial logistic regression over the same word (1–2) and character
(2–5, inside word boundaries) TF-IDF n-grams as the trained ``tfidf`` method, stored as plain
arrays (``.npz``, no pickle): the vocabulary, the IDF weights, the coefficients and the
intercepts. It therefore loads under any scikit-learn version and runs no code when read.

Files live in ``otklik/classify/data/<target>-<language>.npz`` (for example
``sentiment-ru.npz``, ``type-ru.npz``); :func:`shipped_model` finds them. Their training data,
licences and scores are in ``docs/models.md``; the scripts that build them are
``benchmarks/train_shipped.py`` (sentiment) and ``benchmarks/train_shipped_type.py`` (feedback
type, from otklik's own hand-written comments).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from otklik.errors import InputFileError

__all__ = [
    "HYBRID_THRESHOLD",
    "SHIPPED_FORMAT",
    "SILENT",
    "ShippedModel",
    "ShippedPrior",
    "auto_choices",
    "auto_table",
    "fit_shipped",
    "hybrid_guard",
    "hybrid_override",
    "hybrid_pick",
    "hybrid_threshold",
    "preferred_method",
    "ready_pick",
    "shipped_languages",
    "shipped_model",
]

SHIPPED_FORMAT = "otklik-shipped/1"
_WORD_CACHE_SIZE = 300_000  # words whose n-grams a shipped model keeps (see _char_features)
# ``hybrid``: the rules' answer, unless they found no sentiment at all ("neutral") and the shipped
# model is at least this sure of its own. Chosen among 0.5/0.6/0.7 on the public test sets and the
# hand-labelled comments (docs/models.md), never on SentiRuEval.
HYBRID_THRESHOLD = 0.7
# What the rules answer when they find nothing to go on, per target: where ``hybrid`` lets the
# shipped model speak.
SILENT = {"sentiment": "neutral", "type": "other"}


@dataclass
class ShippedModel:
    """A linear n-gram classifier stored as arrays; ``predict_proba`` like scikit-learn.

    ``coef`` has shape (classes, word terms + char terms); ``scores`` are the figures measured
    when it was built (by test set); ``source`` names its training data.
    """

    language: str
    target: str
    classes: tuple[str, ...]
    word_terms: list[str]
    char_terms: list[str]
    word_idf: np.ndarray
    char_idf: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    scores: dict[str, Any] = field(default_factory=dict)
    source: str = ""
    _features: Any = field(default=None, init=False, repr=False)
    # word → its row of _word_matrix, its character n-grams' counts (see _char_features)
    _word_rows: dict[str, int] = field(default_factory=dict, init=False, repr=False)
    _word_matrix: Any = field(default=None, init=False, repr=False)
    _word_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @property
    def classes_(self) -> np.ndarray:
        """The labels, in the order of ``predict_proba``'s columns."""
        return np.asarray(self.classes)

    @property
    def version(self) -> str:
        """``shipped:<target>-<language>`` — what a stored classification records."""
        return f"shipped:{self.target}-{self.language}"

    def _vectorizers(self) -> Any:
        if self._features is None:
            from sklearn.pipeline import FeatureUnion

            from otklik.classify.features import tfidf_features

            union: FeatureUnion = tfidf_features()
            for (_name, vectorizer), terms, idf in (
                (union.transformer_list[0], self.word_terms, self.word_idf),
                (union.transformer_list[1], self.char_terms, self.char_idf),
            ):
                # A fixed vocabulary and IDF: nothing is fitted, the arrays are the model.
                vectorizer.set_params(vocabulary={term: i for i, term in enumerate(terms)})
                vectorizer._validate_vocabulary()
                vectorizer.idf_ = np.asarray(idf, dtype=np.float64)
            self._features = union
        return self._features

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        """Linear scores, shape (len(texts), classes)."""
        from otklik.classify.features import as_texts

        items = as_texts(texts)
        if not items:
            return np.zeros((0, len(self.classes)))
        union = self._vectorizers()
        word = union.transformer_list[0][1].transform(items)
        char = self._char_features(items)
        from scipy.sparse import hstack

        matrix = hstack([word, char]).tocsr()
        return np.asarray(matrix @ self.coef.T.astype(np.float64)) + self.intercept

    def _char_features(self, items: list[str]) -> Any:
        """The character n-gram TF-IDF rows of ``items``, as the char vectorizer's ``transform``
        makes them, with each distinct word's n-grams counted once per model.

        ``char_wb`` n-grams never cross a space: a text's n-grams are those of its words, in
        order (the vectorizer's own ``_char_wb_ngrams`` of each word), so its counts are the sums
        of its words' counts: the product of a texts × words count matrix and a words × n-grams
        count matrix (sparse, summed in C). The words × n-grams matrix is the model's: a word
        met for the first time adds its row, once (up to ``_WORD_CACHE_SIZE`` words, then it
        starts again). The counts go through the vectorizer's own TF-IDF step.
        """
        from scipy.sparse import csr_matrix, vstack

        vectorizer = self._vectorizers().transformer_list[1][1]
        preprocess = vectorizer.build_preprocessor()
        vocabulary = vectorizer.vocabulary_
        with self._word_lock:
            rows = self._word_rows
            if len(rows) >= _WORD_CACHE_SIZE:
                rows.clear()
                self._word_matrix = None
            known = len(rows)
            # texts × words (the model's rows), and the rows of the words new to the model
            text_words: list[int] = []
            text_ends = [0]
            gram_columns: list[int] = []
            gram_counts: list[int] = []
            gram_ends = [0]
            for doc in items:
                # (the vectorizer's white-space step, runs of spaces to one, is split's own)
                for word in preprocess(doc).split():
                    row = rows.get(word)
                    if row is None:
                        row = rows[word] = len(rows)
                        ids: dict[int, int] = {}
                        for gram in vectorizer._char_wb_ngrams(word):
                            column = vocabulary.get(gram)
                            if column is not None:
                                ids[column] = ids.get(column, 0) + 1
                        gram_columns.extend(ids)
                        gram_counts.extend(ids.values())
                        gram_ends.append(len(gram_columns))
                    text_words.append(row)
                text_ends.append(len(text_words))
            if len(rows) > known:
                added = csr_matrix(
                    (
                        np.asarray(gram_counts, dtype=np.int64),
                        np.asarray(gram_columns, dtype=np.int64),
                        np.asarray(gram_ends, dtype=np.int64),
                    ),
                    shape=(len(rows) - known, len(vocabulary)),
                )
                self._word_matrix = (
                    added
                    if self._word_matrix is None
                    else vstack([self._word_matrix, added], format="csr")
                )
            by_word = self._word_matrix
        by_text = csr_matrix(
            (
                np.ones(len(text_words), dtype=np.int64),
                np.asarray(text_words, dtype=np.int64),
                np.asarray(text_ends, dtype=np.int64),
            ),
            shape=(len(items), len(rows) if by_word is None else by_word.shape[0]),
        )
        if by_word is None:  # no words at all in any text
            by_word = csr_matrix((by_text.shape[1], len(vocabulary)), dtype=np.int64)
        counted = (by_text @ by_word).astype(vectorizer.dtype)
        counted.eliminate_zeros()
        counted.sort_indices()
        return vectorizer._tfidf.transform(counted, copy=False)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities (softmax of the linear scores), one column per class; rows sum to 1."""
        scores = self.decision_function(texts)
        if not len(scores):
            return scores
        scores = scores - scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True))

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """The most probable label of each text."""
        proba = self.predict_proba(texts)
        return self.classes_[proba.argmax(axis=1)] if len(proba) else self.classes_[:0]

    def save(self, path: Path) -> None:
        """Write the model as a compressed ``.npz`` (no pickled objects)."""
        meta = {
            "format": SHIPPED_FORMAT,
            "language": self.language,
            "target": self.target,
            "classes": list(self.classes),
            "scores": self.scores,
            "source": self.source,
        }
        np.savez_compressed(
            Path(path),
            meta=np.asarray(json.dumps(meta, ensure_ascii=False)),
            word_terms=np.asarray(self.word_terms, dtype=str),
            char_terms=np.asarray(self.char_terms, dtype=str),
            word_idf=self.word_idf.astype(np.float32),
            char_idf=self.char_idf.astype(np.float32),
            coef=self.coef.astype(np.float16),
            intercept=self.intercept.astype(np.float32),
        )

    @classmethod
    def load(cls, path: Path) -> ShippedModel:
        """Read a file written by :meth:`save`; :class:`InputFileError` when it is not one."""
        try:
            with np.load(Path(path), allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                arrays = {key: data[key] for key in data.files if key != "meta"}
        except (OSError, ValueError, KeyError) as exc:
            raise InputFileError(f"{path}: not a shipped otklik model ({exc})") from exc
        if meta.get("format") != SHIPPED_FORMAT:
            raise InputFileError(f"{path}: format {meta.get('format')!r}, not {SHIPPED_FORMAT}")
        return cls(
            language=meta["language"],
            target=meta["target"],
            classes=tuple(meta["classes"]),
            word_terms=[str(t) for t in arrays["word_terms"]],
            char_terms=[str(t) for t in arrays["char_terms"]],
            word_idf=arrays["word_idf"].astype(np.float64),
            char_idf=arrays["char_idf"].astype(np.float64),
            coef=arrays["coef"].astype(np.float32),
            intercept=arrays["intercept"].astype(np.float64),
            scores=meta.get("scores", {}),
            source=meta.get("source", ""),
        )


def fit_shipped(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    language: str,
    target: str,
    C: float = 4.0,
    keep: int = 60_000,
    source: str = "",
    weights: Sequence[float] | None = None,
) -> ShippedModel:
    """Train a :class:`ShippedModel`: class-weighted logistic regression on TF-IDF n-grams.

    ``keep`` n-grams with the largest coefficients (over all classes) are kept, so that the file
    stays a few megabytes; the IDF of the kept ones is unchanged. ``C``: inverse regularisation.
    ``weights``: one per text (default 1), multiplied with the balanced class weights — used to
    up-weight the few hand-written customer comments next to thousands of public texts.
    """
    from sklearn.linear_model import LogisticRegression

    from otklik.classify.features import as_texts, tfidf_features

    items = as_texts(texts)
    union = tfidf_features(min_df=2)
    matrix = union.fit_transform(items)
    model = LogisticRegression(C=C, class_weight="balanced", max_iter=3000)
    model.fit(matrix, list(labels), sample_weight=None if weights is None else list(weights))
    word = union.transformer_list[0][1]
    char = union.transformer_list[1][1]
    n_word = len(word.vocabulary_)
    coef = np.asarray(model.coef_)
    if coef.shape[0] == 1:  # two classes: scikit-learn keeps one row
        coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        intercept = np.asarray([-model.intercept_[0] / 2, model.intercept_[0] / 2])
    else:
        intercept = np.asarray(model.intercept_)
    strongest = np.argsort(-np.abs(coef).max(axis=0))[:keep]
    strongest.sort()
    word_names = word.get_feature_names_out()
    char_names = char.get_feature_names_out()
    in_word = strongest[strongest < n_word]
    in_char = strongest[strongest >= n_word] - n_word
    return ShippedModel(
        language=language,
        target=target,
        classes=tuple(str(c) for c in model.classes_),
        word_terms=[str(t) for t in word_names[in_word]],
        char_terms=[str(t) for t in char_names[in_char]],
        word_idf=np.asarray(word.idf_)[in_word],
        char_idf=np.asarray(char.idf_)[in_char],
        coef=np.hstack([coef[:, in_word], coef[:, n_word + in_char]]).astype(np.float32),
        intercept=intercept,
        source=source,
    )


def _data_dir() -> Path:
    return Path(str(resources.files("otklik.classify") / "data"))


def shipped_languages(target: str = "sentiment") -> list[str]:
    """Languages with a shipped model for ``target``, sorted."""
    prefix = f"{target}-"
    return sorted(p.stem[len(prefix) :] for p in _data_dir().glob(f"{prefix}*.npz") if p.is_file())


@lru_cache(maxsize=16)
def shipped_model(target: str, language: str | None) -> ShippedModel | None:
    """The shipped model of ``target`` for ``language``, or None when otklik ships none."""
    if not language:
        return None
    path = _data_dir() / f"{target}-{language}.npz"
    return ShippedModel.load(path) if path.is_file() else None


@lru_cache(maxsize=1)
def auto_choices() -> dict[str, dict[str, dict[str, Any]]]:
    """What ``auto`` uses per target and language, as measured (``data/auto.json``).

    Shape: ``{target: {language: {"method": "shipped" | "rules", "scores": {...}}}}``; written
    by ``benchmarks/train_shipped.py`` from the public test sets and the hand-labelled comments
    (never from SentiRuEval).
    """
    path = _data_dir() / "auto.json"
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def preferred_method(target: str, language: str | None) -> str:
    """What ``auto`` uses for ``target`` in ``language``: ``"shipped"``, ``"hybrid"`` (rules,
    with the shipped model where the rules see nothing) or ``"rules"`` — the first of them in the
    evaluation; ``"rules"`` also when nothing was measured or no model is shipped."""
    if not language or shipped_model(target, language) is None:
        return "rules"
    choice = str(auto_choices().get(target, {}).get(language, {}).get("method", "rules"))
    return choice if choice in ("shipped", "hybrid") else "rules"


def hybrid_threshold(target: str, language: str | None) -> float:
    """How sure the shipped model of ``target`` must be to overrule the rules in ``hybrid``.

    The threshold recorded in ``data/auto.json`` for that target and language (the feedback-type
    models' is chosen by cross-validation, see ``benchmarks/train_shipped_type.py``), else
    :data:`HYBRID_THRESHOLD`.
    """
    found = auto_choices().get(target, {}).get(language or "", {}).get("threshold")
    return float(found) if isinstance(found, (int, float)) else HYBRID_THRESHOLD


def hybrid_override(target: str, language: str | None) -> float | None:
    """How sure the shipped model of ``target`` must be to overrule an answer the rules *did*
    give in ``hybrid`` (``None``: never). Recorded in ``data/auto.json`` as ``override`` where
    cross-validation chose it (the feedback-type models, ``benchmarks/train_shipped_type.py``).
    """
    found = auto_choices().get(target, {}).get(language or "", {}).get("override")
    return float(found) if isinstance(found, (int, float)) else None


def hybrid_guard(target: str, language: str | None) -> float | None:
    """How sure the shipped model of ``target`` must be to turn a complaint the rules found into
    praise in ``hybrid`` (``None``: as sure as any other override). Recorded in
    ``data/auto.json`` as ``praise_over_complaint``: the strictest bar whose cross-validated
    accuracy stays within 0.005 of the best (``benchmarks/train_shipped_type.py``), because a
    complaint read as praise opens no case.
    """
    found = auto_choices().get(target, {}).get(language or "", {}).get("praise_over_complaint")
    return float(found) if isinstance(found, (int, float)) else None


def hybrid_pick(
    rules_label: str,
    rules_confidence: float,
    shipped: tuple[str, float],
    *,
    silent: str = "neutral",
    threshold: float = HYBRID_THRESHOLD,
    override: float | None = None,
    guard: float | None = None,
    rules_turned: bool = False,
    rules_settled: bool = False,
) -> tuple[str, float, bool]:
    """(label, confidence, from the shipped model?) for the ``hybrid`` method.

    The shipped model speaks where the rules found nothing (``silent``: ``neutral`` for
    sentiment, ``other`` for the feedback type) and it is at least ``threshold`` sure, and,
    with ``override``, wherever it is at least that sure of another answer than the rules' —
    but never to take back what the rules found: its own ``silent`` answer does not overrule
    theirs ("Ужасно! Перезвоните на +7 916…" stays a complaint however sure the model is that
    a message full of numbers is "other"). With ``guard``, turning the rules' complaint into
    praise needs the model at least that sure («Планшет тормозит и греется» stays a complaint
    when the model is only 0.61 sure of praise). ``rules_turned``: the rules' answer rests on
    how the text is built — a rebuke, praise that mocks, an indignant question
    (:attr:`~otklik.classify.rules.Analysis.type_turned`) — which a model of words does not
    overrule. ``rules_settled``: the text is a note that closes or voids a case ("rated by
    accident, just ignore"; :attr:`~otklik.classify.rules.Analysis.settled`), whose ``silent``
    answer is meant: the rules' answer stands.
    """
    label, confidence = shipped
    if rules_settled:
        return rules_label, rules_confidence, False
    if rules_label == silent and confidence >= threshold:
        return label, confidence, True
    held_back = (
        guard is not None and (rules_label, label) == ("complaint", "praise") and confidence < guard
    )
    if (
        override is not None
        and not rules_turned
        and label not in (rules_label, silent)
        and confidence >= override
        and not held_back
    ):
        return label, confidence, True
    return rules_label, rules_confidence, False


def ready_pick(
    target: str,
    language: str | None,
    rules_label: str,
    rules_confidence: float,
    shipped: tuple[str, float],
    rules_turned: bool = False,
    rules_settled: bool = False,
) -> tuple[str, float, bool]:
    """(label, confidence, from the shipped model?) of ``target`` as ``auto`` answers it for
    ``language``: the shipped model's answer where :func:`preferred_method` is ``shipped``,
    :func:`hybrid_pick` with that target's silent label and threshold otherwise
    (``rules_turned`` and ``rules_settled`` as there)."""
    if rules_settled:
        return rules_label, rules_confidence, False
    if preferred_method(target, language) == "shipped":
        return shipped[0], shipped[1], True
    return hybrid_pick(
        rules_label,
        rules_confidence,
        shipped,
        silent=SILENT.get(target, "neutral"),
        threshold=hybrid_threshold(target, language),
        override=hybrid_override(target, language),
        guard=hybrid_guard(target, language),
        rules_turned=rules_turned,
        rules_settled=rules_settled,
    )


class ShippedPrior:
    """Texts → what otklik knows on day one, as features for a model trained on top of it.

    Six columns per text: the rules' sentiment scores and the shipped model's probabilities
    (negative, neutral, positive each), for ``language``. A model trained with these next to
    its n-grams is the shipped model *fine-tuned* on the team's labels: it starts from what the
    shipped model and the rules say and learns where the team's data differs. Only the language
    is pickled; the shipped model is read from the package when first needed.
    """

    ORDER = ("negative", "neutral", "positive")

    def __init__(self, language: str = "ru") -> None:
        self.language = language

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """scikit-learn's parameter protocol."""
        return {"language": self.language}

    def set_params(self, **params: Any) -> ShippedPrior:
        """scikit-learn's parameter protocol."""
        for key, value in params.items():
            setattr(self, key, value)
        return self

    def fit(self, texts: Any, y: Any = None) -> ShippedPrior:
        """Nothing to learn; checks that a model is shipped for the language."""
        if shipped_model("sentiment", self.language) is None:
            raise InputFileError(f"otklik ships no sentiment model for {self.language!r}")
        return self

    def transform(self, texts: Any) -> np.ndarray:
        """Shape (len(texts), 6): rules' scores, then the shipped probabilities."""
        from otklik.classify.features import as_texts
        from otklik.classify.rules import default_rules

        items = as_texts(texts)
        model = shipped_model("sentiment", self.language)
        assert model is not None
        proba = model.predict_proba(items) if items else np.zeros((0, len(model.classes)))
        columns = [list(model.classes).index(name) for name in self.ORDER]
        rules = default_rules()
        found = np.zeros((len(items), 6), dtype=np.float32)
        for row, text in enumerate(items):
            scores = rules.analyse(text, language=self.language).sentiment_scores
            found[row, :3] = [scores.get(name, 0.0) for name in self.ORDER]
            found[row, 3:] = proba[row, columns]
        return found

    def fit_transform(self, texts: Any, y: Any = None) -> np.ndarray:
        """``fit`` then ``transform``."""
        return self.fit(texts, y).transform(texts)


def auto_table(target: str = "sentiment") -> list[dict[str, Any]]:
    """What ``auto`` uses per language for ``target``, with its measured macro-F1.

    One dict per language, sorted: ``language``, ``method``, ``mean_macro_f1`` (over the sets
    it was chosen on) and ``macro_f1`` (by set name). Empty when nothing was measured.
    """
    rows = []
    for language, choice in sorted(auto_choices().get(target, {}).items()):
        method = str(choice.get("method", "rules"))
        scores = choice.get("scores", {}).get(method, {})
        rows.append(
            {
                "language": language,
                "method": method,
                "mean_macro_f1": choice.get("mean_macro_f1", {}).get(method),
                "macro_f1": {name: found.get("macro_f1") for name, found in scores.items()},
            }
        )
    return rows
