"""A complaint is negative and praise positive: where the sentiment reading finds none, the
sentiment of direct feedback follows the type (otklik.classify.coherence); social posts keep
their reading."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from otklik.classify import classify_items
from otklik.classify.coherence import sentiment_of_type
from otklik.classify.evaluation import evaluate_ready
from otklik.errors import ConfigError
from otklik.ingest import import_file
from otklik.ledger import Classification, FeedbackItem

# Written for this test and labelled by the rules of tests/data/comments_type_blind2.md: a
# stated failure is a complaint (rule 3), an outcome beyond the expected minimum praise (rule
# 8); sentiment fixed by type. The rules find no sentiment word in any of them.
CASES = [
    ("en", "driver turned up 40 min after the slot", "complaint", "negative"),
    ("ru", "В чеке лишняя позиция на 450 рублей", "complaint", "negative"),
    ("ru", "курьер поднял коробки на 5 этаж без лифта", "praise", "positive"),
]


def test_the_rule_itself() -> None:
    assert sentiment_of_type("complaint", "neutral", "survey") == "negative"
    assert sentiment_of_type("praise", "neutral", "contact") == "positive"
    assert sentiment_of_type("praise", None, "review") == "positive"
    # a reading with a polarity stands, whatever the type
    assert sentiment_of_type("complaint", "positive", "survey") is None
    assert sentiment_of_type("praise", "negative", "survey") is None
    # the other types carry no sentiment
    for type_ in ("question", "suggestion", "other", None):
        assert sentiment_of_type(type_, "neutral", "survey") is None
    # a social post is not addressed to the company: its reading stands
    assert sentiment_of_type("complaint", "neutral", "social") is None


def _import(engine: Engine, folder: Path, kind: str) -> None:
    path = folder / f"{kind}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "date", "comment", "language"])
        for number, (language, text, _type, _sentiment) in enumerate(CASES):
            writer.writerow([f"{kind}{number}", "2025-03-01 10:00", text, language])
    import_file(engine, path, kind=kind, source=kind)


def test_classify_stores_the_sentiment_of_the_type_except_for_social_posts(
    engine: Engine, tmp_path: Path
) -> None:
    _import(engine, tmp_path, "survey")
    _import(engine, tmp_path, "social")
    report = classify_items(engine)
    with engine.connect() as conn:
        rows = {
            (row.kind, row.text): row
            for row in conn.execute(
                select(
                    FeedbackItem.kind,
                    FeedbackItem.text,
                    Classification.type,
                    Classification.sentiment,
                    Classification.scores,
                ).join(Classification, Classification.item_id == FeedbackItem.id)
            )
        }
    assert len(rows) == 2 * len(CASES)
    for _language, text, type_, sentiment in CASES:
        survey, social = rows[("survey", text)], rows[("social", text)]
        # the same text, the same type, whatever its kind
        assert survey.type == social.type == type_, text
        assert survey.sentiment == sentiment, text
        # the sentiment is the type's: its method and its confidence
        assert survey.scores["sentiment"] == survey.scores["type"], text
        # the social post keeps what was read: no polarity in these words
        assert social.sentiment == "neutral", text
        assert social.scores["sentiment"] != social.scores["type"], text
    assert report.classified == 2 * len(CASES)


def test_the_same_text_of_another_kind_gets_its_own_label(engine: Engine, tmp_path: Path) -> None:
    """Labels are made once per reading and reused for equal texts: the kind is part of that."""
    _import(engine, tmp_path, "social")
    _import(engine, tmp_path, "survey")  # the survey items come after the social ones
    classify_items(engine)
    with engine.connect() as conn:
        found = {
            (row.kind, row.text): row.sentiment
            for row in conn.execute(
                select(FeedbackItem.kind, FeedbackItem.text, Classification.sentiment).join(
                    Classification, Classification.item_id == FeedbackItem.id
                )
            )
        }
    for _language, text, _type, sentiment in CASES:
        assert found[("survey", text)] == sentiment
        assert found[("social", text)] == "neutral"


@pytest.mark.parametrize("language", ["ru", "en"])
def test_model_eval_reads_texts_as_items_of_a_kind(tmp_path: Path, language: str) -> None:
    chosen = [(text, sentiment) for lang, text, _type, sentiment in CASES if lang == language]
    path = tmp_path / "cases.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "sentiment"])
        writer.writerows(chosen)
    alone = evaluate_ready(path, text_column="text", label_column="sentiment", language=language)
    as_survey = evaluate_ready(
        path, text_column="text", label_column="sentiment", language=language, kind="survey"
    )
    as_social = evaluate_ready(
        path, text_column="text", label_column="sentiment", language=language, kind="social"
    )
    # every case is read neutral on its own, and is right as a survey comment
    assert alone["accuracy"] == 0.0
    assert as_survey["accuracy"] == 1.0 and as_survey["kind"] == "survey"
    assert as_social["accuracy"] == 0.0
    with pytest.raises(ConfigError, match="--kind must be one of"):
        evaluate_ready(path, text_column="text", label_column="sentiment", kind="tweet")
