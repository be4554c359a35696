"""Survey questions used as column headers: which scale a question asks for, and whether a
header is a score question or a free-text follow-up.

Survey tools (Google Forms, SurveyMonkey, Typeform, Яндекс Формы) name a column by its
question: ``How likely are you to recommend us to a friend or colleague?``,
``Насколько вы удовлетворены…``, ``What is the main reason for your score?``. Hints match on word
boundaries (``ces`` is not inside ``services``); Russian stems match inside words, as Russian
adds prefixes (``порекомендуете``).

    >>> scale_family("How satisfied are you with our services?")
    'csat'
    >>> scale_family("Насколько вероятно, что вы порекомендуете нас другу?")
    'nps'
    >>> question_field("What is the main reason for your score?")
    'text'
"""

from __future__ import annotations

import re

__all__ = ["is_question", "question_field", "scale_family"]

# Scale family → hints. A family becomes a scale with the values (see profile.guess_scale).
_FAMILIES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "nps",
        re.compile(
            r"\be?nps\d*\b|\brecommend|рекоменд|посоветуе|посоветова|net promoter|"
            r"\brecomi?end|\bmerekomendasikan|\brekomendasi|توصي(?!ل)|ترشح|تنصح|ترشيح",
            re.IGNORECASE,
        ),
    ),
    (
        "ces",
        re.compile(
            r"\bces\d*\b|\beas(?:y|ily|ier|e)\b|\beffort|\bdifficult|легко|просто было|"
            r"усили|сложно было|customer effort|\bfácil|\besfuerzo|\bmudah|\bkemudahan|"
            r"سهول|بسهولة|مجهود|جهد",
            re.IGNORECASE,
        ),
    ),
    (
        "csat",
        re.compile(
            r"\bcsat\d*\b|\bsatisf|удовлетвор|доволь|\bpuas|\bkepuasan|رضا|\bراض",
            re.IGNORECASE,
        ),
    ),
    (
        "rating",
        re.compile(
            r"\bratings?\b|\bstars?\b|рейтинг|зв[её]зд|\bestrellas?\b|\bbintang\b|\bنجم|\bنجوم",
            re.IGNORECASE,
        ),
    ),
)

_QUESTION_START = re.compile(
    r"^\s*(?:how|what|why|would|please|on a scale|overall|in general|to what|rate|tell us|"
    r"насколько|как|что|почему|оцените|пожалуйста|в целом|по шкале|по 10|по 5|расскажите|"
    r"готовы ли|довольны ли|удовлетворены ли|qué|que tan|cómo|por qué|califique|en general|"
    r"seberapa|bagaimana|apa|mengapa|kenapa|silakan|secara keseluruhan|beri nilai|"
    r"ما مدى|ما|كيف|لماذا|هل|يرجى|قيّم|قيم|بشكل عام)\b",
    re.IGNORECASE,
)
# A follow-up asking for words, not a number.
_TEXT_QUESTION = re.compile(
    r"\breason|\bwhy\b|\bcomment|\bexplain|\bimprove|\btell us|\bdescribe|\bwhat (?:could|can|"
    r"should|did|do|would)|почему|причин|комментар|поясн|улучш|расскажите|опишите|"
    r"что (?:можно|нам|мы|стоит|понравилось|не понравилось)|что бы вы|\bpor qué|\brazón|"
    r"\bmotivo|\bcoment|\bexpli|\bmejorar|\bcuént|\balasan|\bmengapa|\bkenapa|\bkomentar|"
    r"\bsaran|\bjelaskan|\bperbaik|\btingkatkan|لماذا|ليش|سبب|تعليق|اشرح|تحسين|اقتراح",
    re.IGNORECASE,
)

# Asks for a number without naming the scale: the values decide it.
_SCORE_QUESTION = re.compile(
    r"\brate\b|\bon a scale|\b\d{1,2} to \d{1,2}\b|\b\d{1,2}\s*[-–]\s*\d{1,2}\b|оцените|"
    r"по шкале|от \d{1,2} до \d{1,2}|\bcalifi|\bpuntu|\bescala|\bdel? \d{1,2} a[l]? \d{1,2}\b|"
    r"\bnilai|\bskala|\bdari \d{1,2} (?:sampai|hingga) \d{1,2}\b|تقييم|قيّم|مقياس|"
    r"من \d{1,2} (?:إلى|الى) \d{1,2}",
    re.IGNORECASE,
)


def is_question(header: str) -> bool:
    """A header written as a question or an instruction (``…?``, ``How…``, ``Оцените…``)."""
    return (
        header.rstrip().endswith(("?", "؟"))
        or header.lstrip().startswith("¿")
        or _QUESTION_START.match(header) is not None
    )


def scale_family(header: str) -> str | None:
    """``nps``, ``ces``, ``csat`` or ``rating`` when the header names or asks for one.

    ``_`` counts as a word boundary (``nps_score``, ``CSAT_5``), as it does for headers.
    """
    spaced = header.replace("_", " ")
    for family, pattern in _FAMILIES:
        if pattern.search(spaced):
            return family
    return None


def question_field(header: str) -> str | None:
    """``text`` for a free-text question, ``score`` for a scale question, else None."""
    if not is_question(header):
        return None
    if _TEXT_QUESTION.search(header):
        return "text"
    if scale_family(header) is not None or _SCORE_QUESTION.search(header):
        return "score"
    return None
