"""The detector on single messages: obfuscations, hard negatives, masking; and the corpus's
precision and recall, computed here from the labels."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import yaml

from otklik.conduct import detect, is_abusive, mask
from otklik.conduct.detect import DEFAULT_LEXICON

CORPUS = Path(__file__).resolve().parents[1] / "data" / "conduct_corpus.csv"


def categories(text: str) -> set[str]:
    return {f.category for f in detect(text) if f.confidence >= 0.6}


@pytest.mark.parametrize(
    ("text", "category", "evidence"),
    [
        ("Вы там совсем охуели?", "obscenity", "охуели"),
        ("х.у.й вам, а не отзыв", "obscenity", "х.у.й"),
        ("п и з д е ц просто", "obscenity", "п и з д е ц"),
        ("Бляяяять, опять ждать", "obscenity", "Бляяяять"),
        ("xyйня полная", "obscenity", "xyйня"),  # Latin x and y
        ("ну вы и пи3дец", "obscenity", "пи3дец"),  # digit for a letter
        ("б**ть, когда вернете", "obscenity", "б**ть"),  # masked letters
        ("бл@дь, когда это кончится", "obscenity", "бл@дь"),  # @ for а
        ("пиzдец с доставкой", "obscenity", "пиzдец"),  # Latin z for з
        ("вы все ху*ло", "obscenity", "ху*ло"),  # masked letter
        ("сyка, верни деньги", "insult", "сyка"),  # Latin y
        ("Идиоты, верните деньги!", "insult", "Идиоты"),  # vocative
        ("Ты тупая или притворяешься?", "insult", "тупая"),
        ("Я тебя убью", "threat", "тебя убью"),
        ("Знаю, где ты живёшь.", "threat", "Знаю, где ты живёшь"),
        ("Что на тебе сейчас надето?", "harassment", "Что на тебе сейчас надето"),
        ("nahuy такую поддержку", "obscenity", "nahuy"),
        ("F*ck this company", "obscenity", "F*ck"),
        ("a$$hole operator hung up", "insult", "a$$hole"),
        ("I'll break your face.", "threat", "break your face"),
        ("What are you wearing right now?", "harassment", "What are you wearing"),
    ],
)
def test_abuse_found_with_its_evidence(text: str, category: str, evidence: str) -> None:
    found = [f for f in detect(text) if f.category == category]
    assert found, text
    assert found[0].evidence == evidence
    assert text[found[0].start : found[0].end] == evidence


@pytest.mark.parametrize(
    "text",
    [
        "Ужасный сервис, верните деньги!",
        "Вы мошенники?",  # an accusation about the company: a complaint, not abuse
        "Я вас засужу.",  # a legal threat is a customer's right
        "Убью время, пока жду ответа.",
        "употреблять, оскорблять, рубль, рубля, корабля, гребля, себе, тебе, небо, вебинар",
        "страхуй посылки, не психуй, плохую, тихую, сухую, хлебало, мудрый, мандарин, команда",
        "Бляха-муха, опять задержка.",
        "я как идиот жду второй час",
        "Вы меня за идиота держите?",
        "Оператор назвал меня дурой, разберитесь!",
        "Ваш сайт тупой, у вас тупой интерфейс",
        "kill the process and restart",
        "This app is killing my battery.",
        "I feel like an idiot for trusting you.",
        "Do you think I'm stupid?",
        "I will sue you.",
        "Scunthorpe branch, shiitake, cocktail, assess, Fukuoka",
        "Cashback-nya besar, suka sekali.",  # Indonesian "suka": like
        "Huy Nguyen called about the order",  # a Vietnamese name
        "Заказ из Zara пришёл мятый, в zoom поддержка не отвечает",  # z reads as з
        "Блатной номер, блат, блаженство, благодарю",  # "бла[дт]ь" only as a whole word
    ],
)
def test_hard_negatives_stay_clean(text: str) -> None:
    assert detect(text) == [], [(f.rule, f.evidence) for f in detect(text)]


def test_profanity_in_passing_is_still_obscenity_by_policy() -> None:
    # Decision (docs/conduct.md): mat is a violation however it is used, so "тебе бля..." fires.
    assert categories("тебе бля что трудно ответить") == {"obscenity"}


def test_mask_keeps_first_letters_only() -> None:
    assert mask("сука") == "с***"
    assert mask("тебя убью") == "т*** у***"
    assert mask("б**ть") == "б****"
    flag = detect("Вы там совсем охуели?")[0]
    assert flag.masked == "о*****" and flag.to_dict()["evidence"] == "о*****"


def test_lexicon_cyrillic_patterns_have_no_doubled_letters() -> None:
    """Tokens are matched with repeated letters collapsed, so a doubled Cyrillic letter in a
    pattern could never match."""
    data = yaml.safe_load(DEFAULT_LEXICON.read_text(encoding="utf-8"))
    sources = [r["pattern"] for r in data["rules"]] + [data["addressees"]["ru"]["persons"]]
    for source in sources:
        assert not re.search(r"([а-яё])\1", source), source


def _corpus() -> list[dict[str, str]]:
    with CORPUS.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _scores(rows: list[dict[str, str]]) -> tuple[float, float, int]:
    tp = fp = fn = 0
    for row in rows:
        predicted = is_abusive(detect(row["text"]))
        actual = row["abusive"] == "1"
        tp += predicted and actual
        fp += predicted and not actual
        fn += actual and not predicted
    return tp / (tp + fp), tp / (tp + fn), len(rows)


def test_corpus_shape() -> None:
    rows = _corpus()
    assert len(rows) >= 400
    ru = [r for r in rows if r["lang"] == "ru"]
    assert len(ru) >= 200
    abusive = [r for r in ru if r["abusive"] == "1"]
    assert 0.4 <= len(abusive) / len(ru) <= 0.6
    assert {r["category"] for r in abusive} == {"obscenity", "insult", "threat", "harassment"}
    assert {r["split"] for r in rows} == {"tune", "heldout"}


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_precision_and_recall_on_the_tuning_split(lang: str) -> None:
    precision, recall, n = _scores(
        [r for r in _corpus() if r["lang"] == lang and r["split"] == "tune"]
    )
    assert n >= 100
    assert precision >= 0.95 and recall >= 0.85, (precision, recall)


def test_precision_and_recall_on_the_held_out_split() -> None:
    """Written after the lexicon was tuned and never tuned on (docs/conduct.md reports the
    figures): the Russian target holds; English is reported as measured."""
    rows = [r for r in _corpus() if r["split"] == "heldout"]
    ru_precision, ru_recall, n = _scores([r for r in rows if r["lang"] == "ru"])
    assert n >= 100
    assert ru_precision >= 0.95 and ru_recall >= 0.85, (ru_precision, ru_recall)
    en_precision, en_recall, _ = _scores([r for r in rows if r["lang"] == "en"])
    assert en_precision >= 0.95 and en_recall >= 0.75, (en_precision, en_recall)
