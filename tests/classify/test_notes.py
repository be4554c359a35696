"""Notes that close or void a case are ``other``/``neutral``, whatever their words or score say
(issue 13, item 3; :mod:`otklik.classify.notes`). Sentences written for these tests."""

from __future__ import annotations

import pytest

from otklik.classify import default_rules
from otklik.classify.notes import MAX_WORDS, closing_note
from otklik.classify.pretrained import hybrid_pick, ready_pick


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("деньги вернули, обращение можно закрывать", "ru"),
        ("вопрос снят, спасибо", "ru"),
        ("всё заработало, заявку можно закрыть", "ru"),
        ("Refund arrived, you can close the case", "en"),
        ("gave 1 star by mistake, please ignore", "en"),
        ("нажала на звезду случайно, не обращайте внимания", "ru"),
        ("ya me llegó, pueden cerrar el reclamo", "es"),
        ("paketnya sudah sampai, tiketnya bisa ditutup", "id"),
        ("ضغطت على النجمة بالخطأ", "ar"),
        # a rating meant otherwise, or left for later
        ("wanted 5, thumb slipped sorry", "en"),
        ("meant to rate five stars not one", "en"),
        ("parcel not here yet, will review it later", "en"),
        ("хотела поставить 5, палец соскочил", "ru"),
        ("заказ ещё не получил, оценю позже", "ru"),
        ("quise dar 5 estrellas, se me resbaló el dedo", "es"),
        ("maaf maksudnya kasih bintang 5", "id"),
        # the writer will call or write later
        ("перезвоню вам завтра утром", "ru"),
        ("I'll ring you back tomorrow", "en"),
        ("les escribo más tarde con el número de pedido", "es"),
        ("nanti saya telepon lagi", "id"),
        ("всё получила, обращение неактуально", "ru"),
        ("звёзды ткнула не глядя, игнорьте", "ru"),
        ("ещё не распаковала, потом отпишусь", "ru"),
        ("all good now, feel free to close the case", "en"),
        ("hit one star by mistake", "en"),
        # the twenty-second round: a numbered case, the wrong place, nothing to judge yet
        ("сами справились, заявка № 5512 уже неактуальна", "ru"),
        ("ой, отправила не туда, извините", "ru"),
        ("sorry, sent this to the wrong chat", "en"),
        ("not delivered yet, ask me again next week", "en"),
        ("belum coba, baru daftar kemarin", "id"),
    ],
)
def test_a_closing_note_is_other_and_neutral(text: str, language: str) -> None:
    found = default_rules().analyse(text, language=language)
    assert (found.type, found.sentiment) == ("other", "neutral"), text
    assert found.settled


def test_a_voided_rating_says_nothing_through_its_score() -> None:
    rules = default_rules()
    text = "поставил единицу случайно, не обращайте внимания"
    voided = rules.analyse(text, language="ru", score=1, scale="csat5")
    assert (voided.type, voided.sentiment) == ("other", "neutral")
    # the same score on a plain comment still counts
    plain = rules.analyse("курьер опоздал", language="ru", score=1, scale="csat5")
    assert plain.sentiment == "negative"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Please don't close the ticket, still no internet", "en"),
        ("не закрывайте заявку, свет так и не дали", "ru"),
        ("close my account, I'm done with you", "en"),
        ("I sometimes press the wrong button, the buttons are tiny", "en"),
        # someone else's words: a promise the text says was broken
        ("оператор сказал перезвоню и пропал", "ru"),
        ("the agent said I'll call you back and never did", "en"),
        ("haven't received my refund yet, three weeks now", "en"),  # not yet: still a failure
        ("belum coba lagi karena aplikasinya error terus", "id"),
    ],
)
def test_what_is_no_closing_note(text: str, language: str) -> None:
    found = default_rules().analyse(text, language=language)
    assert not found.settled


def test_a_long_story_that_ends_with_a_note_is_still_read() -> None:
    story = (
        "Третий раз за месяц пропадал интернет на весь день, мастер пришёл только на "
        "четвёртые сутки, сейчас работает, заявку можно закрыть"
    )
    assert len(story.split()) > MAX_WORDS
    assert not closing_note(story.lower())
    assert default_rules().analyse(story, language="ru").type == "complaint"


def test_no_model_fills_in_a_settled_answer() -> None:
    # the shipped model 0.95 sure of praise fills in the rules' silent "other" …
    assert hybrid_pick("other", 0.45, ("praise", 0.95), silent="other", threshold=0.3) == (
        "praise",
        0.95,
        True,
    )
    # … but not where the rules read a closing note
    assert hybrid_pick(
        "other", 0.45, ("praise", 0.95), silent="other", threshold=0.3, rules_settled=True
    ) == ("other", 0.45, False)
    assert ready_pick("sentiment", "ru", "neutral", 0.55, ("positive", 0.99), False, True) == (
        "neutral",
        0.55,
        False,
    )
