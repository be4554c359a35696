"""The trained text classifier: estimator contract, probabilities, multilingual learning."""

from __future__ import annotations

import csv
import pickle
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import (
    check_get_params_invariance,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
)

from otklik.classify import model as model_module
from otklik.classify.features import normalize_text
from otklik.classify.model import TextClassifier
from otklik.errors import ConfigError

DATA = Path(__file__).parents[1] / "data"


def _read(name: str) -> tuple[list[str], list[str], list[str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [r["text"] for r in rows], [r["topic"] for r in rows], [r["language"] for r in rows]


@pytest.fixture(scope="module")
def toy() -> tuple[list[str], list[str], list[str], list[str], list[str]]:
    train_x, train_y, _ = _read("classify_train.csv")
    test_x, test_y, test_lang = _read("classify_test.csv")
    return train_x, train_y, test_x, test_y, test_lang


@pytest.fixture(scope="module")
def fitted(toy: tuple) -> TextClassifier:
    train_x, train_y, *_ = toy
    return TextClassifier(method="tfidf").fit(train_x, train_y)


@pytest.fixture
def no_embeddings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model_module, "default_embedding_model_path", lambda: None)
    monkeypatch.setattr(model_module, "e5_available", lambda: False)


@pytest.mark.parametrize(
    "check",
    [
        check_parameters_default_constructible,
        check_no_attributes_set_in_init,
        check_get_params_invariance,
        check_set_params,
    ],
)
def test_sklearn_parameter_checks(check: Callable[[str, TextClassifier], None]) -> None:
    check("TextClassifier", TextClassifier())


def test_init_only_stores_parameters() -> None:
    model = TextClassifier(method="ensemble", embedding_model="/nowhere", C=2.0)
    assert model.get_params()["embedding_model"] == "/nowhere"
    assert not [name for name in vars(model) if name.endswith("_")]
    copy = clone(model)
    assert copy.get_params() == model.get_params()


def test_fit_returns_self_and_learned_state_ends_with_underscore(toy: tuple) -> None:
    train_x, train_y, *_ = toy
    model = TextClassifier(method="tfidf")
    assert model.fit(train_x, train_y) is model
    assert list(model.classes_) == ["app", "delivery", "payment"]
    assert model.method_ == "tfidf" and model.calibrated_ and model.n_train_ == len(train_x)


def test_probabilities_line_up_with_classes(fitted: TextClassifier, toy: tuple) -> None:
    *_, test_x, _test_y, _ = toy
    proba = fitted.predict_proba(test_x)
    assert proba.shape == (len(test_x), len(fitted.classes_))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-9)
    assert ((proba >= 0) & (proba <= 1)).all()
    assert list(fitted.predict(test_x)) == list(fitted.classes_[proba.argmax(axis=1)])
    # the column of a class is that class's probability: a clear delivery text peaks there
    delivery = list(fitted.classes_).index("delivery")
    assert fitted.predict_proba(["The courier was three hours late"])[0].argmax() == delivery


def test_learns_a_multilingual_toy_set_better_than_chance(
    fitted: TextClassifier, toy: tuple
) -> None:
    *_, test_x, test_y, test_lang = toy
    predicted = fitted.predict(test_x)
    assert np.mean(predicted == np.asarray(test_y)) >= 0.8  # chance is 1/3
    for language in ("ru", "en", "id", "ar", "es"):
        hits = [p == y for p, y, lang in zip(predicted, test_y, test_lang, strict=True)]
        rows = [h for h, lang in zip(hits, test_lang, strict=True) if lang == language]
        assert sum(rows) / len(rows) > 1 / 3, language


def test_predict_before_fit_raises() -> None:
    with pytest.raises(NotFittedError):
        TextClassifier().predict(["text"])


def test_empty_input_gives_empty_output(fitted: TextClassifier) -> None:
    assert fitted.predict_proba([]).shape == (0, 3)
    assert fitted.predict([]).shape == (0,)


def test_bad_training_data_is_refused() -> None:
    with pytest.raises(ValueError, match="one label per text"):
        TextClassifier(method="tfidf").fit(["a", "b"], ["x"])
    with pytest.raises(ValueError, match="at least 2 classes"):
        TextClassifier(method="tfidf").fit(["a", "b"], ["x", "x"])
    with pytest.raises(ValueError, match="sequence of texts"):
        TextClassifier(method="tfidf").fit("ab", ["x", "y"])
    with pytest.raises(ConfigError, match="unknown method"):
        TextClassifier(method="magic").fit(["a", "b"], ["x", "y"])


def test_a_label_with_one_example_falls_back_to_logistic_regression() -> None:
    texts = ["card blocked", "card frozen", "card stolen", "parcel late"]
    model = TextClassifier(method="tfidf").fit(texts, ["card", "card", "card", "parcel"])
    assert not model.calibrated_
    assert model.predict(["parcel very late"])[0] == "parcel"
    np.testing.assert_allclose(model.predict_proba(texts).sum(axis=1), 1.0)


def test_numeric_labels_and_missing_texts(toy: tuple) -> None:
    train_x, train_y, *_ = toy
    codes = {"app": -1, "delivery": 0, "payment": 1}
    texts: list[str | None] = [*train_x, None]
    labels = [codes[y] for y in train_y] + [0]
    model = TextClassifier(method="tfidf").fit(texts, labels)  # type: ignore[arg-type]
    assert list(model.classes_) == [-1, 0, 1]
    assert model.predict(["Курьер опоздал"])[0] == 0


def test_auto_without_an_embedding_model_is_tfidf(no_embeddings: None, toy: tuple) -> None:
    train_x, train_y, *_ = toy
    assert TextClassifier().fit(train_x, train_y).method_ == "tfidf"


@pytest.mark.parametrize("method", ["embeddings", "ensemble", "combined"])
def test_embedding_methods_need_a_model(no_embeddings: None, method: str) -> None:
    with pytest.raises(ConfigError, match="sentence-embedding model"):
        TextClassifier(method=method).fit(["a", "b"], ["x", "y"])


def test_embedding_model_folder_must_exist(tmp_path: Path) -> None:
    model = TextClassifier(method="embeddings", embedding_model=str(tmp_path / "missing"))
    with pytest.raises(ConfigError, match="not found"):
        model.fit(["a", "b"], ["x", "y"])


def test_pickles_and_predicts_the_same(fitted: TextClassifier, toy: tuple) -> None:
    *_, test_x, _, _ = toy
    copy = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_allclose(copy.predict_proba(test_x), fitted.predict_proba(test_x))


def test_normalisation_is_language_agnostic() -> None:
    assert normalize_text("  Ёлка  ЗЕЛЁНАЯ\t2024 ") == "елка зеленая 0000"
    assert normalize_text("مُمْتَاز جـدا") == "ممتاز جدا"  # harakat and tatweel dropped
    assert normalize_text("ＡＢＣ Straße") == "abc strasse"
    assert normalize_text("Pelayanan BAGUS") == "pelayanan bagus"
