"""The shipped feedback-type models (issue 13) and how ``auto`` combines them with the rules:
the rules' type, unless the rules say ``other`` and the model is sure enough, or the model is
sure past the ``override`` threshold of another type (``hybrid``)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from otklik.classify import classify_items, default_rules
from otklik.classify.evaluation import evaluate_ready
from otklik.classify.pretrained import (
    auto_choices,
    hybrid_guard,
    hybrid_override,
    hybrid_pick,
    hybrid_threshold,
    preferred_method,
    ready_pick,
    shipped_languages,
    shipped_model,
)
from otklik.ledger import Classification, FeedbackItem
from tests.conftest import DATA, import_comments

TYPES = ("complaint", "other", "praise", "question", "suggestion")

# Written for this test (in no file of tests/data), labelled by the rules of
# tests/data/comments_type_blind.md: a fact about a failure is a complaint (rule 3), a request
# for information without "?" a question (2), a wish for something new a suggestion (6),
# order numbers other (7). The first three Russian ones state a fact the rules find no word for.
CASES = [
    ("ru", "Курьер оставил посылку у двери, хотя я просил позвонить", "complaint"),
    ("ru", "В чеке лишняя позиция на 450 рублей", "complaint"),
    ("ru", "Возврат пришёл на старую карту, которую я закрыл", "complaint"),
    ("ru", "Доставили за 20 минут, всё горячее", "praise"),
    ("ru", "Девушка в чате за пару минут нашла мой платёж", "praise"),
    ("ru", "Как поменять номер телефона в личном кабинете", "question"),
    ("ru", "Хотелось бы видеть статус заказа в уведомлениях", "suggestion"),
    ("ru", "Заказ 58213", "other"),
    ("en", "Box arrived crushed and the lid was missing", "complaint"),
    ("en", "How do I change the phone number on my account", "question"),
    ("en", "Would be nice to get a text when the order ships", "suggestion"),
    ("en", "Super quick delivery, driver was lovely", "praise"),
]


def test_cases_are_in_no_training_file() -> None:
    written = set()
    for path in DATA.glob("comments*.csv"):
        with path.open(encoding="utf-8") as handle:
            written |= {row["text"].strip().casefold() for row in csv.DictReader(handle)}
    assert not {text.strip().casefold() for _language, text, _type in CASES} & written


def test_shipped_type_models_load_and_auto_combines_them() -> None:
    assert {"ru", "en", "id", "es", "ar"} <= set(shipped_languages("type"))
    for language in ("ru", "en", "id", "es", "ar"):
        model = shipped_model("type", language)
        assert model is not None and model.classes == TYPES
        assert model.version == f"shipped:type-{language}"
        choice = auto_choices()["type"][language]
        assert preferred_method("type", language) == choice["method"] == "hybrid"
        assert hybrid_threshold("type", language) == choice["threshold"]
        assert 0 < choice["threshold"] < 1
    # a language with no written comments: the rules alone
    assert shipped_model("type", "pt") is None
    assert preferred_method("type", "pt") == "rules"


def test_hybrid_pick_for_types() -> None:
    # the model speaks only where the rules say "other", and only when sure enough
    assert hybrid_pick("other", 0.4, ("complaint", 0.6), silent="other", threshold=0.5) == (
        "complaint",
        0.6,
        True,
    )
    assert hybrid_pick("other", 0.4, ("complaint", 0.45), silent="other", threshold=0.5) == (
        "other",
        0.4,
        False,
    )
    assert hybrid_pick("praise", 0.5, ("complaint", 0.99), silent="other", threshold=0.5) == (
        "praise",
        0.5,
        False,
    )
    # with an override threshold, a model that sure of another type overrules the rules
    assert hybrid_pick(
        "praise", 0.5, ("complaint", 0.8), silent="other", threshold=0.5, override=0.7
    ) == ("complaint", 0.8, True)
    assert hybrid_pick(
        "praise", 0.5, ("complaint", 0.69), silent="other", threshold=0.5, override=0.7
    ) == ("praise", 0.5, False)
    # the model's "other" never takes back a type the rules found, however sure it is
    assert hybrid_pick(
        "complaint", 0.6, ("other", 0.99), silent="other", threshold=0.5, override=0.7
    ) == ("complaint", 0.6, False)
    # agreeing with the rules, the answer stays the rules' own
    assert hybrid_pick(
        "praise", 0.5, ("praise", 0.95), silent="other", threshold=0.5, override=0.7
    ) == ("praise", 0.5, False)
    # with a guard, the rules' complaint turns into praise only past it (no case would open)
    guarded = {"silent": "other", "threshold": 0.3, "override": 0.6, "guard": 0.9}
    assert hybrid_pick("complaint", 0.6, ("praise", 0.85), **guarded) == ("complaint", 0.6, False)
    assert hybrid_pick("complaint", 0.6, ("praise", 0.95), **guarded) == ("praise", 0.95, True)
    # the guard is about complaints read as praise only
    assert hybrid_pick("question", 0.6, ("praise", 0.85), **guarded) == ("praise", 0.85, True)
    assert hybrid_pick("complaint", 0.6, ("question", 0.85), **guarded) == (
        "question",
        0.85,
        True,
    )
    # without one, the override alone decides
    assert hybrid_pick(
        "complaint", 0.6, ("praise", 0.85), silent="other", threshold=0.3, override=0.6
    ) == ("praise", 0.85, True)


def test_override_recorded_per_language_is_above_the_threshold() -> None:
    for language in ("ru", "en", "id", "es", "ar"):
        override = hybrid_override("type", language)
        assert override == auto_choices()["type"][language].get("override")
        if override is not None:
            assert hybrid_threshold("type", language) <= override < 1
        guard = hybrid_guard("type", language)
        assert guard == auto_choices()["type"][language].get("praise_over_complaint")
        if guard is not None:
            assert override is not None and override <= guard < 1
    # sentiment keeps the plain hybrid: the model speaks only where the rules see nothing
    assert hybrid_override("sentiment", "ru") is None


def test_default_classification_types_clear_cases(engine: Engine, tmp_path: Path) -> None:
    import_comments(engine, tmp_path, [(text, language) for language, text, _type in CASES])
    report = classify_items(engine)
    with engine.connect() as conn:
        rows = {
            row.text: row
            for row in conn.execute(
                select(
                    FeedbackItem.text,
                    Classification.type,
                    Classification.method,
                    Classification.scores,
                    Classification.model_version,
                ).join(Classification, Classification.item_id == FeedbackItem.id)
            )
        }
    rules = default_rules()
    corrected = 0
    for language, text, expected in CASES:
        row = rows[text]
        assert row.type == expected, text
        said = rules.analyse(text, language=language).type
        model = shipped_model("type", language)
        assert model is not None
        proba = model.predict_proba([text])[0]
        guess, confidence = str(model.classes[int(proba.argmax())]), float(proba.max())
        override = hybrid_override("type", language)
        speaks = (said == "other" and confidence >= hybrid_threshold("type", language)) or (
            override is not None and guess not in (said, "other") and confidence >= override
        )
        if speaks:  # the model's answer, recorded as such
            assert row.scores["type"]["method"] == "shipped"
            assert "shipped:type-" + language in (row.model_version or "").split(";")
            assert row.method == "model"
            corrected += said != expected
        else:
            assert row.scores["type"]["method"] == "rules"
            assert row.type == said
    # the rules alone would have left these as "other" (since the rules read "done fast" as
    # praise, «Доставили за 20 минут…» and «…за пару минут нашла мой платёж» are theirs)
    assert corrected >= 2
    assert report.by_part["type"]["shipped"] == sum(
        row.scores["type"]["method"] == "shipped" for row in rows.values()
    )
    # with the shipped models off, the type is the rules' everywhere
    off = classify_items(engine, reclassify=True, use_shipped=False)
    assert dict(off.by_part["type"]) == {"rules": len(CASES)}


@pytest.mark.parametrize("language", ["ru", "en"])
def test_model_eval_compares_rules_and_hybrid_for_types(tmp_path: Path, language: str) -> None:
    path = tmp_path / "cases.csv"
    chosen = [(text, kind) for lang, text, kind in CASES if lang == language]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "type"])
        writer.writerows(chosen)
    result = evaluate_ready(
        path, text_column="text", label_column="type", target="type", language=language
    )
    assert result["target"] == "type" and result["method"] == "hybrid"
    assert set(result["compared"]) == {"rules", "shipped", "hybrid"}
    assert result["compared"]["hybrid"]["accuracy"] == 1.0  # every case above is right


@pytest.mark.parametrize(
    ("name", "language", "floor"),
    [
        ("comments_type_ru_blind2", "ru", 0.78),
        ("comments_type_en_blind2", "en", 0.78),
        ("comments_type_ru_blind3", "ru", 0.88),
        ("comments_type_en_blind3", "en", 0.88),
        ("comments_type_ru_blind4", "ru", 0.88),
        ("comments_type_en_blind4", "en", 0.88),
        ("comments_type_id_blind3", "id", 0.86),
        ("comments_type_es_blind3", "es", 0.86),
        ("comments_type_ar_blind3", "ar", 0.81),
        ("comments_type_id_blind4", "id", 0.82),
        ("comments_type_es_blind4", "es", 0.84),
        ("comments_type_ar_blind4", "ar", 0.78),
    ],
)
def test_day_one_type_accuracy_on_the_blind_sets(name: str, language: str, floor: float) -> None:
    # Written by someone who saw no code (tests/data/comments_type_blind{2,3}.md). The second
    # set was read in the fifth round of rule changes and trained on since (rules at d5cd6d0
    # 0.662 / 0.590, auto before that round 0.802 / 0.803). The third was never read nor
    # trained on: rules 0.600 / 0.583, auto with the written training sets 0.928 / 0.933
    # (measured once, after every choice was made), 0.920 / 0.917 since the model's "other" no
    # longer overrules the rules. The fourth (an ordinary day of one company's feedback, not
    # hard cases): rules 0.800 / 0.730, auto 0.935 / 0.930, now 0.930 / 0.900. The Indonesian,
    # Spanish and Arabic blind sets (tests/data/comments_type_blind_id_es_ar.md; 2026-12-01,
    # measured once after every choice): rules 0.735 / 0.720 / 0.520, auto 0.880 / 0.890 /
    # 0.840; the code before that work (rules only) 0.570 / 0.575 / 0.390. With the rebuke
    # training sets: blind3 ru 0.928, en 0.917; blind4 ru 0.935, en 0.930. With the guard
    # against complaints read as praise: blind3 ru 0.924, en 0.917, id 0.870, es 0.880, ar
    # 0.835; blind4 ru 0.940, en 0.930. With one more training set per language (…_trainB)
    # and fresh blind sets (…_blind4, written by other writers, measured before and after
    # the rebuild): blind4 id 0.835 → 0.860, es 0.855 → 0.875, ar 0.810 → 0.810; blind3 id
    # 0.870 → 0.910, es 0.880 → 0.900, ar 0.835 → 0.845. Floors, so that a change that loses
    # unseen-text accuracy fails here.
    with (DATA / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) >= (200 if language == "ru" else 100)
    rules = default_rules()
    found = [rules.analyse(row["text"], language=language) for row in rows]
    model = shipped_model("type", language)
    assert model is not None and preferred_method("type", language) == "hybrid"
    proba = model.predict_proba([row["text"] for row in rows])
    typed = [
        ready_pick(
            "type",
            language,
            a.type,
            a.type_confidence,
            (str(model.classes[int(p.argmax())]), float(p.max())),
        )[0]
        for a, p in zip(found, proba, strict=True)
    ]
    right = sum(t == row["type"] for t, row in zip(typed, rows, strict=True))
    assert right / len(rows) >= floor


@pytest.mark.parametrize(
    ("name", "language", "type_floor", "sentiment_floor"),
    # `auto`'s type / sentiment, measured 2026-12-01 on the first set: ru 0.845 / 0.770, en
    # 0.810 / 0.660, id 0.825 / 0.925, es 0.775 / 0.650, ar 0.825 / 0.650. After the eighteenth
    # round of rule kinds (2026-12-03, docs/benchmarks-classify.md): kinds ru 0.965 / 0.96, en
    # 0.96 / 0.95, id 0.925 / 0.925, es 0.95 / 0.825, ar 0.90 / 0.775; kinds2 ru 0.94 / 0.95, en
    # 0.95 / 0.92, id 0.925 / 0.875, es 1.00 / 0.90, ar 0.90 / 0.675; the third set, blind until
    # then, ru 0.92 / 0.89, en 0.88 / 0.88, id 0.90 / 0.90, es 0.85 / 0.725, ar 0.80 / 0.725. The
    # floors leave a few texts of room below those figures.
    [
        ("comments_issue_kinds", "ru", 0.93, 0.92),
        ("comments_issue_kinds", "en", 0.92, 0.90),
        ("comments_issue_kinds", "id", 0.87, 0.87),
        ("comments_issue_kinds", "es", 0.90, 0.77),
        ("comments_issue_kinds", "ar", 0.85, 0.72),
        ("comments_issue_kinds2", "ru", 0.91, 0.92),
        ("comments_issue_kinds2", "en", 0.91, 0.88),
        ("comments_issue_kinds2", "id", 0.87, 0.82),
        ("comments_issue_kinds2", "es", 0.95, 0.85),
        ("comments_issue_kinds2", "ar", 0.85, 0.62),
        ("comments_issue_kinds3", "ru", 0.89, 0.86),
        ("comments_issue_kinds3", "en", 0.84, 0.84),
        ("comments_issue_kinds3", "id", 0.85, 0.85),
        ("comments_issue_kinds3", "es", 0.80, 0.67),
        ("comments_issue_kinds3", "ar", 0.75, 0.67),
        # the fourth set, blind until the twentieth round: ru 0.875 / 0.885, en 0.82 / 0.83, id
        # 0.80 / 0.80, es 0.925 / 0.80, ar 0.825 / 0.65
        ("comments_issue_kinds4", "ru", 0.84, 0.85),
        ("comments_issue_kinds4", "en", 0.78, 0.79),
        ("comments_issue_kinds4", "id", 0.75, 0.75),
        ("comments_issue_kinds4", "es", 0.87, 0.75),
        ("comments_issue_kinds4", "ar", 0.77, 0.60),
        # the fifth set, blind until the twenty-second round: before it ru 0.865 / 0.87, en
        # 0.89 / 0.84, id 0.875 / 0.825, es 0.725 / 0.60, ar 0.925 / 0.75; after it ru 0.94 /
        # 0.925, en 0.96 / 0.91, id 0.95 / 0.875, es 0.925 / 0.75, ar 0.95 / 0.775
        ("comments_issue_kinds5", "ru", 0.91, 0.90),
        ("comments_issue_kinds5", "en", 0.93, 0.88),
        ("comments_issue_kinds5", "id", 0.90, 0.82),
        ("comments_issue_kinds5", "es", 0.87, 0.70),
        ("comments_issue_kinds5", "ar", 0.90, 0.72),
        # the sixth set, blind until the twenty-third round: ru 0.91 / 0.89, en 0.90 / 0.89, id
        # 0.925 / 0.875, es 0.925 / 0.875, ar 0.85 / 0.725; after it ru 0.955 / 0.93, en 0.95 /
        # 0.94, id 0.925 / 0.875, es 0.975 / 0.90, ar 0.90 / 0.775
        ("comments_issue_kinds6", "ru", 0.92, 0.90),
        ("comments_issue_kinds6", "en", 0.92, 0.91),
        ("comments_issue_kinds6", "id", 0.87, 0.82),
        ("comments_issue_kinds6", "es", 0.92, 0.85),
        ("comments_issue_kinds6", "ar", 0.85, 0.72),
    ],
)
def test_the_issue_kinds_on_day_one(
    tmp_path: Path, name: str, language: str, type_floor: float, sentiment_floor: float
) -> None:
    # tests/data/comments_issue_kinds.md: the kinds of issue 13, item 3 (fillers that are no
    # praise, rebukes, slang and outages, questions without "?", facts that are complaints,
    # praise in slang), written by someone who saw no code; read after one measurement, never
    # trained on. `otklik model eval` on the type and on the sentiment, as `classify` stores them.
    path = DATA / f"{name}_{language}.csv"
    kind = evaluate_ready(
        path, text_column="text", label_column="type", target="type", language=language
    )
    feeling = evaluate_ready(
        path,
        text_column="text",
        label_column="sentiment",
        target="sentiment",
        language=language,
        kind="survey",  # as `otklik classify` reads a survey comment: sentiment follows type
    )
    assert kind["n_test"] >= 40 and feeling["n_test"] == kind["n_test"]
    assert kind["accuracy"] >= type_floor
    assert feeling["accuracy"] >= sentiment_floor
