"""Odd text never fails the text readers: 1,000 strings glued from the pieces that broke or
nearly broke them (digits that are no decimal digits, joiners, direction marks, masks, counts,
the number patterns' words in five languages), through the rules (one text and a batch with odd
scores), PII masking, language detection and the conduct check. A fixed seed: the same strings
on every run."""

from __future__ import annotations

import math
import random

import pytest

from otklik.classify import default_rules, detect_language, mask_pii
from otklik.conduct import detect

PIECES = [
    "²", "³", "①", "፫", "٣", "۵", "߁", "𝟓", "Ⅻ", "½", "\u200b", "\u200d", "\u202e", "\u0301",
    "\ufeff", "ё", "Ё", "ß", "İ", "ﷺ", "ـ", "ً", "😀", "👍🏻", "🇷🇺", "*", "#", "**", "?", "?!",
    "...", "…", ",", ";", "-", "—", "'", "’", '"', "«", "»", "(", ")", "\n", "\t", " ", "0",
    "00", "12", "999999999999", "3,5", "1.5", "19:00", "10%", "$5", "₽", "€", "заказал",
    "пришёл", "вместо", "не", "хватает", "только", "из", "почему", "то", "кое", "как", "ли",
    "уже", "раза", "за", "плачу", "ordered", "got", "instead", "of", "only", "received", "the",
    "rd", "time", "times", "paid", "for", "and", "but", "what", "i", "pedí", "llegó", "en",
    "vez", "de", "solo", "bayar", "ongkir", "tapi", "pesan", "datang", "cuma", "dari", "طلبت",
    "ووصلني", "بدل", "من", "فقط", "б**ть", "f*ck", "idiot", "дурак", "ты", "you", "спасибо",
    "ужас", "great", "4276 3800 1234 5678", "+7 999 123-45-67", "a@b.c",
    # the words of the tenth round's checks: hours set and kept, sizes, rebukes, mockery, the
    # Arabic punctuation, acknowledgements, identity numbers
    "записали", "на", "в", "at", "las", "jam", "الساعة", "ساعة", "يومين", "صار", "لي", "лучше",
    "бы", "чем", "так", "qué", "gracias", "por", "nada", "класс", "хорошо", "،", "؟", "٫", "large",
    "small", "black", "s", "l", "xl", "dni", "12345678Z", "nik", "0812-3456-7890", "ya", "van",
    "días", "thanks", "nothing", "ممتاز", "promised", "booked", "12.345.678-5", "GODE561231AB1",
]  # fmt: skip
LANGUAGES = [None, "ru", "en", "id", "es", "ar", "de", "xx"]
TYPES = {"complaint", "suggestion", "question", "praise", "other"}
SENTIMENTS = {"negative", "neutral", "positive"}


def _texts(count: int, seed: int) -> list[tuple[str, str | None]]:
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        sep = rng.choice(["", " ", " "])
        words = [rng.choice(PIECES) for _ in range(rng.randrange(1, 14))]
        texts.append((sep.join(words), rng.choice(LANGUAGES)))
    return texts


@pytest.mark.parametrize("seed", [1, 2])
def test_odd_text_is_read_without_failing(seed: int) -> None:
    rules = default_rules()
    texts = _texts(500, seed)
    scores = [None, 0.0, 3.0, 10.0, math.nan]
    rows = [
        (text, language, scores[n % 5], ("nps", "csat5", None)[n % 3], ("survey", "exit")[n % 2])
        for n, (text, language) in enumerate(texts)
    ]
    for (text, language), batched in zip(texts, rules.analyse_many(rows, {}), strict=True):
        one = rules.analyse(text, language=language)
        assert one.type in TYPES and one.sentiment in SENTIMENTS, text
        assert batched.type in TYPES and batched.sentiment in SENTIMENTS, text
        assert isinstance(mask_pii(text), str)
        detect_language(text)
        assert all(0 <= flag.start <= flag.end <= len(text) for flag in detect(text)), text
