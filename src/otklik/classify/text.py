"""Words to compare: tokens with a normal form, Russian by pymorphy3 lemmas, others by Snowball.

Each token is normalised by its own script, so a Russian comment with an English error message
("приложение крашится, error 500") still matches both languages' keywords: Cyrillic words go
through pymorphy3, Arabic-script words through the Arabic stemmer, Latin words through the
stemmer of the text's language when that language is written in Latin letters, else English.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import snowballstemmer

__all__ = [
    "RULE_LANGUAGES",
    "SNOWBALL_LANGUAGES",
    "Token",
    "adjective_and_adverb",
    "any_of",
    "grammemes",
    "normalize_word",
    "opens_clause",
    "part_of_speech",
    "script_of",
    "tokenize",
]

# ISO 639-1 code → Snowball algorithm (Russian goes through pymorphy3 instead).
SNOWBALL_LANGUAGES: dict[str, str] = {
    "en": "english",
    "id": "indonesian",
    "ar": "arabic",
    "es": "spanish",
    "de": "german",
    "fr": "french",
    "it": "italian",
    "pt": "portuguese",
    "nl": "dutch",
    "sv": "swedish",
    "no": "norwegian",
    "da": "danish",
    "fi": "finnish",
    "tr": "turkish",
    "ro": "romanian",
    "hu": "hungarian",
    "el": "greek",
    "hi": "hindi",
    "fa": "persian",
    "ca": "catalan",
    "lt": "lithuanian",
    "hy": "armenian",
    "ta": "tamil",
}
RULE_LANGUAGES: frozenset[str] = frozenset({"ru", *SNOWBALL_LANGUAGES})
_LATIN_LANGUAGES = frozenset(
    {"en", "id", "es", "de", "fr", "it", "pt", "nl", "sv", "no", "da", "fi", "tr", "ro", "hu"}
    | {"ca", "lt"}
)

# Russian indefinite pronouns and adverbs in -то and кое- stay one word ("почему-то", "кое-как"):
# split at the hyphen, their first half is a question word ("почему …") that nobody asks. Those
# in -нибудь / -либо are split as before: they mostly ask or request ("кто-нибудь может помочь").
_RU_WH = (
    "как|где|когда|куда|откуда|почему|зачем|отчего|кто|что|чей|чья|чьё|чье|чьи|сколько|какой|"
    "какая|какое|какие|какого|какую|каком|какому|каким|какими|каких|кого|чего|кому|чему|кем|чем"
)
_RU_INDEFINITE = rf"(?:(?:кое-)?(?:{_RU_WH})-то|кое-(?:{_RU_WH}))(?![^\W\d_])"
# Words (with inner apostrophes: don't, l'app), numbers, and the punctuation that ends a clause.
# A colon ends a clause («Балдёж, а не поезд: чисто, тихо»), not inside a time ("11:50").
_WORDS = r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d+|[.!?;…,]+|:(?!\d)"
_TOKEN = re.compile(_WORDS)
# The same with the indefinite pronouns first: only for a text that may hold one ("-то",
# "кое-"), so the pass over every other text costs what it did.
_TOKEN_INDEFINITE = re.compile(rf"{_RU_INDEFINITE}|{_WORDS}")
_ARABIC_MARKS = re.compile(r"[\u064B-\u0652\u0640]")  # harakat and tatweel
# Arabic comma, semicolon and question mark read as their Latin twins («متى يوصل؟» asks; «تمام،»
# sets off a word as a comma does).
_ARABIC_PUNCTUATION = str.maketrans({"،": ",", "؛": ";", "؟": "?"})


@dataclass(frozen=True, slots=True)
class Token:
    """A word as written (lower-cased) and its normal form; ``boundary`` marks punctuation."""

    surface: str
    norm: str
    boundary: bool = False
    question: bool = False


def script_of(word: str) -> str:
    """``cyrillic``, ``arabic``, ``latin`` or ``other``, by the word's first letter."""
    for char in word:
        code = ord(char)
        if 0x0400 <= code <= 0x04FF:
            return "cyrillic"
        if 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F:
            return "arabic"
        if (char.isascii() and char.isalpha()) or 0x00C0 <= code <= 0x024F:
            return "latin"
        if char.isalpha():
            return "other"
    return "other"


@lru_cache(maxsize=1)
def _morph() -> Any:
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


@cache
def _stemmer(algorithm: str) -> Callable[[str], str]:
    stem: Callable[[str], str] = snowballstemmer.stemmer(algorithm).stemWord
    return stem


@lru_cache(maxsize=300_000)
def _lemma(word: str) -> str:
    return str(_morph().parse(word)[0].normal_form).replace("ё", "е")


@lru_cache(maxsize=100_000)
def part_of_speech(word: str) -> str | None:
    """pymorphy3's most likely part of speech of a Russian word (``VERB``, ``NOUN``…)."""
    tag = _morph().parse(word)[0].tag.POS
    return str(tag) if tag else None


@lru_cache(maxsize=100_000)
def grammemes(word: str) -> frozenset[str]:
    """pymorphy3's grammemes of a Russian word's most likely reading (``VERB``, ``2per``…)."""
    return frozenset(str(g) for g in _morph().parse(word)[0].tag.grammemes)


@lru_cache(maxsize=100_000)
def addressed_verb(word: str) -> str | None:
    """The normal form of a Russian word that some reading of pymorphy3 takes for a verb said
    to "вы": a plural imperative («наймите», «займитесь») or a second-person plural («сходите»,
    «почините», whose likeliest readings are indicative); None for any other word."""
    for parse in _morph().parse(word):
        tag = parse.tag
        if "VERB" in tag and "plur" in tag and ("impr" in tag or "2per" in tag):
            return str(parse.normal_form).replace("ё", "е")
    return None


@lru_cache(maxsize=100_000)
def may_be_dative_noun(word: str) -> bool:
    """Whether some reading of pymorphy3 takes a Russian word for a noun in the dative
    («администрации» is also genitive and locative, «медсестре» also locative)."""
    return any("NOUN" in p.tag and "datv" in p.tag for p in _morph().parse(word))


def adjective_and_adverb(word: str) -> frozenset[str]:
    """Normal forms of a Russian evaluative word's other reading: the adjective of an adverb
    ("прекрасно" → "прекрасный") and the adverb of an adjective ("удобный" → "удобно"), so a
    keyword written in one form matches the other; empty for other words."""
    found: set[str] = set()
    for parse in _morph().parse(word):
        tag = parse.tag
        if "ADJS" in tag or "ADVB" in tag:
            found.add(str(parse.normal_form))
        if "ADJF" in tag and "Qual" in tag and "Supr" not in tag:
            short = parse.inflect({"ADJS", "neut", "sing"})
            if short is not None:
                found.add(_lemma(str(short.word)))
    found = {form.replace("ё", "е") for form in found}
    found.discard(_lemma(word))
    return frozenset(form for form in found if form and form not in _NOT_DERIVED)


# Other readings that say something else: "дорогой клиент" is no price, "честно" a filler.
_NOT_DERIVED = frozenset(["дорогой", "честно"])


# English words whose Snowball stem is another word's: "wonderful" → "wonder" would match "I
# was wondering" (a question); they keep their own.
_EN_OWN_STEMS = {"wonderful": "wonderful", "wonderfully": "wonderful"}


@lru_cache(maxsize=300_000)
def normalize_word(word: str, language: str | None) -> str:
    """The normal form of a lower-cased ``word`` in a text of ``language``."""
    script = script_of(word)
    if script == "cyrillic":
        return _lemma(word)
    if script == "arabic":
        return _stemmer("arabic")(_ARABIC_MARKS.sub("", word))
    if script == "latin":
        code = language if language in _LATIN_LANGUAGES else "en"
        if code == "en" and word in _EN_OWN_STEMS:
            return _EN_OWN_STEMS[word]
        return _stemmer(SNOWBALL_LANGUAGES[code])(word.replace("’", "'"))
    if language in SNOWBALL_LANGUAGES:
        return _stemmer(SNOWBALL_LANGUAGES[language])(word)
    return word


# Tokens are immutable: one per (written form, language), made once and shared by every text
# that contains the word. Cleared when it grows past _TOKEN_CACHE_SIZE (a bound on memory, not
# on correctness: a dropped token is made again the same way).
_TOKEN_CACHE: dict[tuple[str, str | None], Token] = {}
_TOKEN_CACHE_SIZE = 500_000


def _make_token(word: str, language: str | None) -> Token:
    if not word[0].isalnum():
        token = Token(word, word, boundary=True, question="?" in word)
    else:
        token = Token(word, normalize_word(word, language))
    if len(_TOKEN_CACHE) >= _TOKEN_CACHE_SIZE:
        _TOKEN_CACHE.clear()
    _TOKEN_CACHE[(word, language)] = token
    return token


def tokenize(text: str, language: str | None) -> list[Token]:
    """Tokens of ``text`` with normal forms; clause punctuation kept as boundary tokens.

    Each distinct (word, language) is normalised once per process (pymorphy3 or Snowball), so
    the cost of a text is one regex pass and a dictionary look-up per word.
    """
    cache = _TOKEN_CACHE
    tokens: list[Token] = []
    lowered = _ARABIC_MARKS.sub("", text.lower())
    if "،" in lowered or "؟" in lowered or "؛" in lowered:
        lowered = lowered.translate(_ARABIC_PUNCTUATION)
    pattern = _TOKEN_INDEFINITE if "-то" in lowered or "кое-" in lowered else _TOKEN
    for word in pattern.findall(lowered):
        token = cache.get((word, language))
        tokens.append(token if token is not None else _make_token(word, language))
    return tokens


def any_of(words: Iterable[str]) -> re.Pattern[str]:
    """One compiled pattern that finds any of ``words`` (plain strings, not patterns) in a
    text, written as a trie: ``(?:к(?:ак можно было|уда )|…)``. It finds the same strings as
    ``"|".join(map(re.escape, words))``, but Python's ``re`` then tries one branch per letter
    at each character instead of every word that starts there: 2.5× faster for the ~190
    phrases of the rules' indignant questions on the labelled comments. Raises ValueError for
    no words or an empty word (it would match everywhere)."""
    trie: dict[str, dict[str, Any]] = {}
    for word in words:
        if not word:
            raise ValueError("any_of: an empty word matches every text; leave it out")
        node = trie
        for letter in word:
            node = node.setdefault(letter, {})
        node[""] = {}
    if not trie:
        raise ValueError("any_of: give at least one word")

    def branch(node: dict[str, dict[str, Any]]) -> str:
        letters = sorted(k for k in node if k)
        if not letters:
            return ""
        alternatives = [re.escape(letter) + branch(node[letter]) for letter in letters]
        body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
        return f"(?:{body})?" if "" in node else body

    return re.compile(branch(trie))


def opens_clause(tokens: list[Token], i: int, leads: frozenset[str] | tuple[str, ...]) -> bool:
    """Whether ``tokens[i]`` opens its clause — the text's start or punctuation other than a
    question mark before it — after any of the ``leads`` words («пожалуйста», «уже»; "please",
    "just")."""
    j = i - 1
    while j >= 0 and not tokens[j].boundary and tokens[j].surface in leads:
        j -= 1
    return j < 0 or (tokens[j].boundary and not tokens[j].question)
