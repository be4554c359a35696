"""Day one without labels: the rules on hand-written comments, the shipped sentiment models,
the hybrid of the two, per-part methods in stored classifications, and the honest holdout."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, select

from otklik.classify import (
    HumanLabel,
    classify_items,
    current_labels,
    default_rules,
    write_human_labels,
)
from otklik.classify.evaluation import evaluate_ready
from otklik.classify.pretrained import (
    HYBRID_THRESHOLD,
    ShippedModel,
    auto_choices,
    fit_shipped,
    preferred_method,
    shipped_languages,
    shipped_model,
)
from otklik.classify.run import method_mix
from otklik.classify.train import holdout_split, near_duplicate_key
from otklik.ledger import Classification, FeedbackItem
from tests.conftest import DATA, import_comments


def _comments(name: str) -> list[dict[str, str]]:
    with (DATA / f"{name}.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _type_accuracy(name: str, language: str) -> float:
    rules = default_rules()
    rows = _comments(name)
    right = sum(rules.analyse(r["text"], language=language).type == r["type"] for r in rows)
    return right / len(rows)


# -- feedback type on short comments, day one ------------------------------------------------


@pytest.mark.parametrize(
    ("name", "language", "size"), [("comments_ru", "ru", 200), ("comments_en", "en", 100)]
)
def test_rules_type_accuracy_on_hand_written_comments(name: str, language: str, size: int) -> None:
    # The rules were improved while looking at these sets (they are the development sets);
    # the held-out sets below were written afterwards and are reported in the benchmarks.
    assert len(_comments(name)) >= size
    assert _type_accuracy(name, language) >= 0.90


@pytest.mark.parametrize(
    ("name", "language"), [("comments_ru_heldout", "ru"), ("comments_en_heldout", "en")]
)
def test_rules_type_accuracy_on_held_out_comments(name: str, language: str) -> None:
    # 0.72 on both when written; read in issue 13's second round of rule changes (now 1.0).
    assert _type_accuracy(name, language) >= 0.70


@pytest.mark.parametrize(
    ("text", "language", "kind"),
    [
        ("Сколько идёт перевод по СБП в другой банк", "ru", "question"),
        ("До скольки работает поддержка", "ru", "question"),
        ("Работает ли карта в Армении", "ru", "question"),
        ("Топ поддержка, ответили за 2 минуты 👍", "ru", "praise"),
        ("посылка вскрыта, половины товара нет", "ru", "complaint"),
        ("Кэшбэк не начислили за прошлый месяц", "ru", "complaint"),
        ("my parcel was marked delivered but it never arrived", "en", "complaint"),
        ("How long does a transfer to another bank take", "en", "question"),
        ("Do you deliver to Leeds", "en", "question"),
        ("Kapan paket saya sampai di Jakarta", "id", "question"),
        ("Paket saya belum sampai sudah seminggu", "id", "complaint"),
        ("¿Cuándo llega mi pedido", "es", "question"),
        ("Mi pedido nunca llegó", "es", "complaint"),
        ("متى يصل الطلب الخاص بي", "ar", "question"),
    ],
)
def test_rules_read_the_kinds_named_in_the_issue(text: str, language: str, kind: str) -> None:
    assert default_rules().analyse(text, language=language).type == kind


@pytest.mark.parametrize(
    "text",
    [
        "Нормально",
        "Просто",
        "Лучше разберитесь с персоналом",
        "Целый час в очереди просидела просто так!",
    ],
)
def test_filler_words_are_not_praise(text: str) -> None:
    found = default_rules().analyse(text, language="ru")
    assert found.type != "praise" and found.sentiment != "positive"


@pytest.mark.parametrize(
    "text", ["Поганый сервис", "Кидалово", "Интернет лежит", "Без связи с утра", "СМС не доходят"]
)
def test_negative_slang_and_outages(text: str) -> None:
    assert default_rules().analyse(text, language="ru").sentiment == "negative"


def test_as_usual_and_unknowns_are_not_questions_or_complaints() -> None:
    rules = default_rules()
    assert rules.analyse("Как всегда", language="ru").type == "other"
    assert rules.analyse("Пока не пользовался", language="ru").sentiment == "neutral"
    assert rules.analyse("Will order again, thanks", language="en").type == "praise"


# -- shipped models ---------------------------------------------------------------------------


def test_shipped_models_are_package_data_of_a_few_megabytes() -> None:
    assert {"ru", "en"} <= set(shipped_languages("sentiment"))
    for language in ("ru", "en"):
        model = shipped_model("sentiment", language)
        assert model is not None and model.classes == ("negative", "neutral", "positive")
        assert model.version == f"sentiment-{language}".join(("shipped:", ""))
    assert shipped_model("sentiment", "xx") is None and shipped_model("sentiment", None) is None


def test_shipped_russian_model_reads_clear_cases() -> None:
    model = shipped_model("sentiment", "ru")
    assert model is not None
    predicted = model.predict(
        ["Я так рада, это лучший подарок, спасибо!", "Мне очень грустно и страшно"]
    )
    assert list(predicted) == ["positive", "negative"]
    proba = model.predict_proba(["любой текст", ""])
    assert proba.shape == (2, 3) and np.allclose(proba.sum(axis=1), 1.0)


def test_fit_shipped_matches_scikit_learn_and_survives_a_round_trip(tmp_path: Path) -> None:
    from sklearn.linear_model import LogisticRegression

    from otklik.classify.features import tfidf_features

    texts = ["good service thanks", "great fast help", "bad slow support", "awful rude staff"] * 3
    texts += ["love it", "hate it", "so good", "so bad"]
    labels = ["positive", "positive", "negative", "negative"] * 3 + ["positive", "negative"] * 2
    model = fit_shipped(texts, labels, language="en", target="sentiment", keep=10**6)
    union = tfidf_features(min_df=2)
    reference = LogisticRegression(C=4.0, class_weight="balanced", max_iter=3000)
    reference.fit(union.fit_transform(texts), labels)
    new = ["good help", "rude and slow"]
    expected = reference.predict_proba(union.transform(new))
    assert np.allclose(model.predict_proba(new), expected, atol=1e-3)
    model.save(tmp_path / "m.npz")
    loaded = ShippedModel.load(tmp_path / "m.npz")
    assert np.allclose(loaded.predict_proba(new), expected, atol=2e-3)  # coefficients as float16
    assert list(loaded.predict(new)) == ["positive", "negative"]


def test_auto_is_what_the_evaluation_put_first() -> None:
    for language, choice in auto_choices()["sentiment"].items():
        means = choice["mean_macro_f1"]
        assert choice["method"] == max(means, key=means.__getitem__)
        assert preferred_method("sentiment", language) == choice["method"]
    assert preferred_method("sentiment", "xx") == "rules"


def test_model_eval_without_training_scores_rules_by_hand() -> None:
    result = evaluate_ready(
        DATA / "comments_ru_heldout.csv", text_column="text", label_column="sentiment"
    )
    rows = _comments("comments_ru_heldout")
    rules = default_rules()
    right = sum(rules.analyse(r["text"], language="ru").sentiment == r["sentiment"] for r in rows)
    assert result["compared"]["rules"]["accuracy"] == round(right / len(rows), 4)
    assert result["language"] == "ru" and result["target"] == "sentiment"
    assert result["method"] == preferred_method("sentiment", "ru")
    assert set(result["compared"]) == {"rules", "shipped", "hybrid"}
    assert result["auto"]["ru"]["method"] == result["method"]


# -- stored classifications say which method made each part ---------------------------------


def test_each_part_records_its_method(engine: Engine, tmp_path: Path) -> None:
    model = shipped_model("sentiment", "ru")
    assert model is not None
    rules = default_rules()
    candidates = [
        "Обожаю этот магазин всей душой",
        "Мне очень грустно и страшно",
        "Открыл вклад",
        "Я так рада, это лучший подарок",
    ]
    import_comments(engine, tmp_path, [(text, None) for text in candidates])
    report = classify_items(engine)
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                FeedbackItem.text,
                Classification.method,
                Classification.sentiment,
                Classification.scores,
                Classification.model_version,
            ).join(Classification, Classification.item_id == FeedbackItem.id)
        ).all()
    type_model = shipped_model("type", "ru")
    assert type_model is not None
    shipped_count = 0
    any_shipped = 0
    for text, method, sentiment, scores, version in rows:
        analysis = rules.analyse(text, language="ru")
        proba = model.predict_proba([text])[0]
        sure = float(proba.max()) >= HYBRID_THRESHOLD and analysis.sentiment == "neutral"
        # the type model speaks where the rules say "other" and it is as sure as auto.json asks,
        # or where it is past the override threshold of another type than the rules'
        type_proba = type_model.predict_proba([text])[0]
        guess, confidence = (
            str(type_model.classes[int(type_proba.argmax())]),
            float(type_proba.max()),
        )
        threshold = auto_choices()["type"]["ru"]["threshold"]
        override = auto_choices()["type"]["ru"].get("override")
        type_sure = preferred_method("type", "ru") == "hybrid" and (
            (analysis.type == "other" and confidence >= threshold)
            or (
                override is not None
                and confidence >= override
                and guess not in (analysis.type, "other")
            )
        )
        expected_version = []
        if type_sure:
            assert scores["type"]["method"] == "shipped"
            expected_version.append("shipped:type-ru")
        else:
            assert scores["type"]["method"] == "rules"
        if preferred_method("sentiment", "ru") == "hybrid" and sure:
            shipped_count += 1
            assert sentiment == model.classes[int(proba.argmax())]
            assert scores["sentiment"]["method"] == "shipped"
            expected_version.append("shipped:sentiment-ru")
        else:
            assert sentiment == analysis.sentiment
            assert scores["sentiment"]["method"] == "rules"
        assert method == ("model" if expected_version else "rules")
        assert version == (";".join(expected_version) or None)
        any_shipped += bool(expected_version)
    assert shipped_count >= 1  # at least one text where the rules see nothing
    # by_method names the methods of each item's parts: topics by the rules, sentiment (and
    # the type, where the rules said "other") by the shipped models
    assert report.by_method.get("rules+shipped", 0) == any_shipped
    assert report.by_method.get("rules", 0) == len(candidates) - any_shipped
    assert report.by_part["sentiment"].get("shipped", 0) == shipped_count
    # read back: each part's method, a person's correction of one part shown as "human"
    labels = current_labels(engine)
    by_text = {text: labels[item_id] for item_id, text in _texts(engine).items()}
    for text, method, _sentiment, scores, _version in rows:
        assert by_text[text]["methods"] == {
            "type": scores["type"]["method"],
            "sentiment": scores["sentiment"]["method"],
            "topics": "rules",
        }
        assert by_text[text]["method"] == method
    shipped_text = next(t for t, _m, _s, sc, _v in rows if sc["sentiment"]["method"] == "shipped")
    shipped_id = next(i for i, t in _texts(engine).items() if t == shipped_text)
    write_human_labels(engine, [HumanLabel(item_id=shipped_id, sentiment="neutral")])
    corrected = current_labels(engine, [shipped_id])[shipped_id]
    shipped_type = next(sc["type"]["method"] for t, _m, _s, sc, _v in rows if t == shipped_text)
    assert corrected["methods"] == {"type": shipped_type, "sentiment": "human", "topics": "rules"}
    assert corrected["method"] == "human" and corrected["sentiment"] == "neutral"
    # without the shipped models, everything is the rules'
    off = classify_items(engine, reclassify=True, use_shipped=False)
    assert dict(off.by_method) == {"rules": len(candidates)}


def _texts(engine: Engine) -> dict[int, str]:
    with engine.connect() as conn:
        return {
            row.id: str(row.text)
            for row in conn.execute(select(FeedbackItem.id, FeedbackItem.text))
        }


def test_method_mix() -> None:
    assert method_mix({p: {"method": "rules"} for p in ("type", "sentiment", "topics")}) == "rules"
    mixed = {"type": {"method": "model"}, "sentiment": {"method": "shipped"}, "topics": {}}
    assert method_mix(mixed, "model") == "model+shipped"  # topics without one: the fallback
    assert method_mix(None, "rules") == "rules"  # rows written before per-part methods


# -- honest holdout ---------------------------------------------------------------------------


def test_near_duplicates_share_a_key() -> None:
    assert near_duplicate_key("RT @bank: Карта не работает! http://t.co/x1") == near_duplicate_key(
        "Карта не работает 2"
    )
    assert near_duplicate_key("Карта не работает") != near_duplicate_key("Карта работает")


def test_holdout_is_the_latest_groups_and_keeps_copies_together() -> None:
    start = datetime(2025, 1, 1)
    texts = [f"отзыв номер {chr(1072 + i)}" for i in range(10)]
    labels = ["positive", "negative"] * 5
    times = [start + timedelta(days=i) for i in range(10)]
    # a copy of the first text, written last: it must stay with its original (in training)
    texts.append("RT отзыв номер а!")
    labels.append("positive")
    times.append(start + timedelta(days=30))
    train, holdout, facts = holdout_split(texts, labels, times)
    assert facts["holdout"] == "latest"
    assert holdout == [8, 9]  # 20 % of 11 is 2: the two groups seen last
    assert 0 in train and 10 in train
    assert facts["duplicate_share"] == round(1 / 11, 4) and "warning" not in facts


def test_many_copies_warn() -> None:
    texts = ["одно и то же"] * 5 + ["другое", "третье", "четвертое", "пятое", "шестое"]
    labels = ["negative"] * 5 + ["positive", "negative", "positive", "negative", "positive"]
    train, holdout, facts = holdout_split(texts, labels)
    assert "warning" in facts and facts["duplicate_share"] == 0.4
    assert not ({0, 1, 2, 3, 4} & set(holdout)) or {0, 1, 2, 3, 4} <= set(holdout)
    assert sorted(train + holdout) == list(range(10))


# -- `otklik model eval` without training -----------------------------------------------------


def test_cli_scores_the_rules_on_types_without_training(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from otklik.cli import main

    path = DATA / "comments_en_heldout.csv"
    argv = ["model", "eval", "--test", str(path), "--text-column", "text"]
    assert main([*argv, "--label-column", "type", "--method", "rules", "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["target"] == "type" and result["method"] == "rules"
    assert result["accuracy"] == round(_type_accuracy("comments_en_heldout", "en"), 4)
    # the table form names what auto uses per language
    assert main([*argv, "--label-column", "sentiment"]) == 0
    assert "auto.ru.method" in capsys.readouterr().out


def test_cli_refuses_training_for_ready_methods(capsys: pytest.CaptureFixture[str]) -> None:
    from otklik.cli import main
    from otklik.errors import ConfigError

    path = str(DATA / "comments_en.csv")
    argv = ["model", "eval", "--train", path, "--test", path, "--text-column", "text"]
    assert main([*argv, "--label-column", "type", "--method", "rules"]) == ConfigError.exit_code
    assert "trains nothing" in capsys.readouterr().err


# -- Indonesian: IndoNLU SmSA model ------------------------------------------------------------


def test_shipped_indonesian_model_loads_and_auto_follows_auto_json() -> None:
    model = shipped_model("sentiment", "id")
    assert model is not None and "id" in shipped_languages("sentiment")
    assert model.classes == ("negative", "neutral", "positive")
    assert model.version == "shipped:sentiment-id"
    assert "IndoNLU SmSA" in model.source and "Apache-2.0" in model.source
    assert "ce728f6926a36174b9923dfe49d6a6839b6e9bb7" in model.source
    # SmSA test is scored into the model, never used for auto's choice
    assert model.scores["smsa_test"]["n"] == 500
    choice = auto_choices()["sentiment"]["id"]
    assert "smsa_test" not in choice["scores"]["rules"]
    assert set(choice["scores"]["rules"]) == {"smsa_valid", "comments_id_heldout"}
    assert preferred_method("sentiment", "id") == choice["method"] in ("shipped", "hybrid")
    assert (DATA.parents[1] / "src/otklik/classify/data/sentiment-id.npz").stat().st_size <= 10**6


def _auto_sentiment(texts: list[str], language: str) -> list[str]:
    """``auto``'s sentiment as auto.json says, worked out from the rules and the model."""
    rules = default_rules()
    model = shipped_model("sentiment", language)
    assert model is not None
    method = preferred_method("sentiment", language)
    found = []
    for text, proba in zip(texts, model.predict_proba(texts), strict=True):
        said = rules.analyse(text, language=language).sentiment
        guess, sure = str(model.classes[int(proba.argmax())]), float(proba.max())
        if method == "shipped" or (
            method == "hybrid" and said == "neutral" and sure >= HYBRID_THRESHOLD
        ):
            found.append(guess)
        else:
            found.append(said)
    return found


@pytest.mark.parametrize(
    ("name", "floor"),
    # comments_id_heldout: 40 comments written and labelled for these tests (not from SmSA), one
    # of the two sets auto is chosen on (with SmSA valid), never trained on. With SmSA train
    # alone the model scored 0.775 there and auto (then hybrid) 0.950; since the written
    # Indonesian comments (comments_type_id_trainA) joined the training data, auto is the model
    # alone (chosen by the script: mean macro-F1 0.842 vs hybrid 0.836 vs rules 0.761): 0.850.
    # comments_type_id_blind3: 200 comments never read nor trained on (sentiment fixed by type,
    # tests/data/comments_type_blind_id_es_ar.md): rules 0.815, model (= auto) 0.850.
    [("comments_id_heldout", 0.80), ("comments_type_id_blind3", 0.80)],
)
def test_indonesian_sentiment_floor_on_hand_written_comments(name: str, floor: float) -> None:
    rows = _comments(name)
    assert len(rows) >= 30
    found = _auto_sentiment([r["text"] for r in rows], "id")
    right = sum(f == r["sentiment"] for f, r in zip(found, rows, strict=True))
    assert right / len(rows) >= floor
    model = shipped_model("sentiment", "id")
    assert model is not None
    alone = model.predict([r["text"] for r in rows])
    assert np.mean(alone == np.asarray([r["sentiment"] for r in rows])) >= 0.80


def test_indonesian_items_are_classified_with_the_shipped_model(
    engine: Engine, tmp_path: Path
) -> None:
    # the rules see no sentiment in the first three; the model is sure they are positive
    texts = [
        "Nasi gorengnya gurih banget",
        "Suasananya adem, cocok buat keluarga",
        "Pemandangannya indah",
        "Restoran ini kotor dan mahal",
        "Saya buka rekening kemarin",
    ]
    import_comments(engine, tmp_path, [(text, "id") for text in texts], prefix="i")
    report = classify_items(engine)
    with engine.connect() as conn:
        rows = {
            row.text: row
            for row in conn.execute(
                select(FeedbackItem.text, Classification.sentiment, Classification.scores).join(
                    Classification, Classification.item_id == FeedbackItem.id
                )
            )
        }
    expected = _auto_sentiment(texts, "id")
    rules = default_rules()
    alone = preferred_method("sentiment", "id") == "shipped"
    for text, sentiment in zip(texts, expected, strict=True):
        row = rows[text]
        assert row.sentiment == sentiment, text
        by_rules = rules.analyse(text, language="id").sentiment
        used = "rules" if sentiment == by_rules and by_rules != "neutral" else None
        if by_rules == "neutral" and sentiment != "neutral":
            used = "shipped"
        if alone:  # auto is the model alone: every part says so
            used = "shipped"
        if used:
            assert row.scores["sentiment"]["method"] == used, text
    assert [rows[t].sentiment for t in texts[:3]] == ["positive"] * 3
    assert rows[texts[3]].sentiment == "negative"
    assert {rows[t].scores["sentiment"]["method"] for t in texts[:3]} == {"shipped"}
    assert rows[texts[3]].scores["sentiment"]["method"] == ("shipped" if alone else "rules")
    assert report.by_part["sentiment"].get("shipped", 0) >= 3
