"""The keyword rules: Russian lemmas, Snowball stems, negation, scores; the estimator contract."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone

from otklik.classify import ItemText, RulesClassifier, default_rules


def analyse(text: str, **kwargs: object):  # type: ignore[no-untyped-def]
    return default_rules().analyse(text, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "type_", "sentiment", "topic"),
    [
        (
            "Не могу войти в приложение, код из СМС не приходит.",
            "complaint",
            "negative",
            "app.login",
        ),
        ("Приложение постоянно вылетает на Android.", "complaint", "negative", "app.crash"),
        (
            "Спасибо оператору Анне, всё решила за пять минут!",
            "praise",
            "positive",
            "support.operator",
        ),
        ("Хотелось бы тёмную тему в приложении.", "suggestion", None, "app.usability"),
        ("Подскажите, как подключить уведомления?", "question", None, None),
        (
            "Высокие комиссии за обслуживание, в других банках бесплатно.",
            None,
            None,
            "payments.fees",
        ),
        ("Курьер опоздал на три часа.", "complaint", "negative", "delivery.late"),
        (
            "Ждал на линии сорок минут, потом оператор бросил трубку.",
            "complaint",
            "negative",
            "support.waiting",
        ),
        (
            "Меня футболят из отдела в отдел, перевели на другого специалиста.",
            None,
            "negative",
            "support.handoffs",
        ),
        ("The app keeps crashing after the update", "complaint", "negative", "app.crash"),
        ("Please add Apple Pay, it would be nice.", "suggestion", None, "cards"),
        ("How do I change my card limit?", "question", None, "cards"),
        ("Aplikasi sering error, kecewa sekali.", "complaint", "negative", "app.crash"),
        ("Pengiriman cepat, barang sesuai deskripsi. Mantap!", "praise", "positive", "delivery"),
        ("التطبيق لا يعمل بعد التحديث", "complaint", "negative", "app"),
        ("La aplicación no funciona, muy lento.", "complaint", "negative", "app"),
        ("Сим-карта не работает в роуминге", "complaint", "negative", "network"),
    ],
)
def test_types_sentiments_and_topics(
    text: str, type_: str | None, sentiment: str | None, topic: str | None
) -> None:
    found = analyse(text)
    if type_ is not None:
        assert found.type == type_, found.type_scores
    if sentiment is not None:
        assert found.sentiment == sentiment, found.sentiment_scores
    if topic is not None:
        assert any(found_topic.startswith(topic) for found_topic in found.topics), found.topics


@pytest.mark.parametrize(
    ("text", "money", "handoff"),
    [
        ("Is there a fee for transfers", True, False),
        ("the transfer took 5 days", True, False),
        ("the money was transferred to the wrong account", True, False),
        ("Transferred again and again, nobody owns my claim", False, True),
        ("I got transferred to another department and hung up on", False, True),
        ("For my claim I was transferred 3 times between the bank and the partner", False, True),
    ],
)
def test_money_transfers_are_not_call_handoffs(text: str, money: bool, handoff: bool) -> None:
    """A bare "transferred" stems to "transfer": it tagged money transfers as hand-offs."""
    topics = analyse(text).topics
    assert ("payments.transfers" in topics) is money, topics
    assert ("support.handoffs" in topics) is handoff, topics


@pytest.mark.parametrize(
    ("text", "not_type", "sentiment"),
    [
        ("Приложение не работает", "praise", "negative"),
        ("Не удобно и не быстро", "praise", "negative"),
        ("Поддержка не помогла, я не доволен", "praise", "negative"),
        ("Not good at all", "praise", "negative"),
        ("The support wasn't helpful", "praise", "negative"),
        ("Ni rápido ni fácil", "praise", "negative"),
        ("Tidak bagus", "praise", "negative"),
        ("Ни разу не было проблем, всё отлично", "complaint", "positive"),
        ("No problems at all, works fine", "complaint", "positive"),
    ],
)
def test_negation_turns_words_around(text: str, not_type: str, sentiment: str) -> None:
    found = analyse(text)
    assert found.type != not_type
    assert found.sentiment == sentiment, found.sentiment_scores


def test_the_clause_after_but_weighs_more() -> None:
    found = analyse("Приложение хорошее, но код для входа приходит с задержкой")
    assert found.sentiment == "negative"
    assert analyse("Приложение хорошее").sentiment == "positive"


def test_the_score_speaks_when_the_text_does_not() -> None:
    assert analyse("", score=3, scale="nps").sentiment == "negative"
    assert analyse("", score=3, scale="nps").type == "complaint"
    assert analyse("", score=5, scale="csat5").sentiment == "positive"
    assert analyse("", score=8, scale="nps").sentiment == "neutral"
    assert analyse("").type == "other"
    # a clear text outweighs a lukewarm score
    assert analyse("Отлично, спасибо, всё быстро и удобно!", score=6, scale="nps").sentiment == (
        "positive"
    )


def test_pillars_and_churn_reasons() -> None:
    found = analyse("Оператор нахамил, ждал ответа два часа", kind="survey")
    assert {"empathy", "time_effort"} <= set(found.pillars)
    assert found.churn_reasons == []
    leaving = analyse("Ухожу в другой банк, у вас слишком дорого", kind="exit")
    assert set(leaving.churn_reasons) == {"competitor", "price"}
    assert analyse("Too expensive, switched to a competitor", kind="exit").churn_reasons == [
        "competitor",
        "price",
    ]


def test_confidence_grows_with_evidence() -> None:
    weak = analyse("Проблема")
    strong = analyse("Ужасно, ничего не работает, проблема за проблемой, верните деньги")
    assert strong.sentiment_confidence > weak.sentiment_confidence
    assert 0 < weak.confidence <= 1
    for found in (weak, strong):
        assert sum(found.type_scores.values()) == pytest.approx(1)
        assert sum(found.sentiment_scores.values()) == pytest.approx(1)
        assert sum(found.topic_scores.values()) == pytest.approx(1)


def test_estimator_contract() -> None:
    texts = ["Не могу войти", "Спасибо, всё отлично!", "Подскажите, где выписка?", ""]
    for target in ("type", "sentiment", "topic"):
        estimator = RulesClassifier(target=target)
        assert estimator.fit(texts) is estimator
        assert list(estimator.classes_) == sorted(estimator.classes_)
        proba = estimator.predict_proba(texts)
        assert proba.shape == (4, len(estimator.classes_))
        assert np.allclose(proba.sum(axis=1), 1)
        predicted = estimator.predict(texts)
        assert list(predicted) == [estimator.classes_[i] for i in proba.argmax(axis=1)]
    cloned = clone(RulesClassifier(target="sentiment"))
    assert cloned.get_params()["target"] == "sentiment"
    assert not hasattr(cloned, "classes_")
    with pytest.raises(ValueError, match="invalid parameter"):
        cloned.set_params(depth=3)


def test_estimator_reads_scores_and_languages() -> None:
    estimator = RulesClassifier(target="sentiment").fit()
    items = [ItemText("", score=2, scale="nps"), {"text": "", "score": 10, "scale": "nps"}]
    assert list(estimator.predict(items)) == ["negative", "positive"]
    assert estimator.score(["Ужасно", "Отлично"], ["negative", "positive"]) == 1.0
