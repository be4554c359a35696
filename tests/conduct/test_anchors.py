"""Anchor words of the phrase patterns (issue 16 goal 3): the quick check runs a phrase rule's
pattern only for a text holding one of its words, and must answer exactly what the joined
pattern answers.

The anchors expected below are read off each pattern by hand; the plan's answers are compared
with the joined pattern's on every hand-written comment, the conduct corpus, and random
sequences of the rules' own words (where the rules do match).
"""

from __future__ import annotations

import csv
import random
import re

import pytest

from otklik.conduct.anchors import pattern_anchors, phrase_plan
from otklik.conduct.detect import _CYR, _LAT, _TOKEN, _word, load_lexicon
from tests.conftest import DATA


@pytest.mark.parametrize(
    ("pattern", "words", "substrings"),
    [
        # the optional group after the verbs leaves them no right edge: the nouns anchor
        (
            r"\b(закрой|заткни)( свой| ты)? (рот|пасть|хлебало)\b|\bзаткнись\b",
            {"рот", "пасть", "хлебало", "заткнись"},
            set(),
        ),
        # optional parts that start with a space keep the verbs' right edge
        (r"\b(убью|зарежу)( \w+){0,2} (тебя|вас)\b", {"убью", "зарежу"}, set()),
        # a word set off by \b and a space
        (r"\bскинь (мне )?(фото|селфи)\b", {"скинь"}, set()),
        # optional parts that end with a space keep the nouns' left edge ("(те)?" leaves
        # «скинь» no right edge)
        (r"\bскинь(те)? (мне )?(свое |твое )?(фото|селфи)\b", {"фото", "селфи"}, set()),
        # a word cut by \w*: the longest literal text is required instead
        (r"\bходи(те)? и оглядывай\w*", set(), {" и оглядывай"}),
        # a prefix with no right edge
        (r"\bпереспим", set(), {"переспим"}),
        # a short whole word loses to a longer literal of the same alternative
        (r"\bgo die\b", set(), {"go die"}),
        (r"\bi know where (you|u) live\b", {"where"}, set()),
    ],
)
def test_anchors_read_off_the_pattern(pattern: str, words: set[str], substrings: set[str]) -> None:
    anchors = pattern_anchors(pattern)
    assert anchors is not None
    assert set(anchors.words) == words
    assert set(anchors.substrings) == substrings


@pytest.mark.parametrize(
    ("pattern", "words", "substrings"),
    [
        (r"(?<!не )\bдурак\b", None, None),  # a look-behind sees before the match
        (r"^привет\b", None, None),  # a start anchor
        (r"(?i:дурак)", None, None),  # an inline flag
        (r"\b\w+ы\b|\bдурак\b", {"дурак"}, {"ы"}),  # "ы": no left edge
        (r"\b\w+ (a|b)\w*", set(), {" "}),  # the parser makes (a|b) a set: only " " is left
        (r"\b\w+\b", None, None),  # no literal at all
    ],
)
def test_what_cannot_be_read_is_left_to_the_pattern(
    pattern: str, words: set[str] | None, substrings: set[str] | None
) -> None:
    anchors = pattern_anchors(pattern)
    if words is None:
        assert anchors is None
    else:
        assert anchors is not None
        assert (set(anchors.words), set(anchors.substrings)) == (words, substrings)
    plan = phrase_plan([re.compile(pattern)], re.compile(pattern))
    for text in ["не дурак", "привет всем", "дурак", "abc a", "красный дурак", "мы", "x"]:
        assert plan.search(text) == (re.search(pattern, text) is not None), text


def _joined(text: str, lang: str) -> str:
    """The joined word forms the quick check searches (as detect._could_flag builds them)."""
    latin = _LAT.search(text)
    cyrillic = latin is None or len(_CYR.findall(text)) >= len(_LAT.findall(text))
    forms = [w for raw in _TOKEN.findall(text) if (w := _word(raw, cyrillic)) is not None]
    return " ".join(
        (cyr or lat or "") if lang == "ru" else (lat or cyr or "") for _l, _s, _d, cyr, lat in forms
    )


def test_the_shipped_plans_answer_as_the_joined_patterns() -> None:
    lex = load_lexicon()
    texts: list[str] = []
    for path in [*sorted(DATA.glob("comments*.csv")), DATA / "conduct_corpus.csv"]:
        with path.open(encoding="utf-8") as handle:
            texts += [row["text"] for row in csv.DictReader(handle)]
    rng = random.Random(7)
    hits = {"ru": 0, "en": 0}
    for lang in ("ru", "en"):
        plan = lex.phrase_plans[lang]
        whole = lex.any_phrase[lang]
        assert plan is not None and whole is not None
        # the rules' own words, shuffled into short texts: many of them match
        vocabulary = sorted(
            {w for p in plan.patterns for w in re.findall(r"\w+", p.pattern) if len(w) > 1}
        )
        made = [
            " ".join(rng.choice(vocabulary) for _ in range(rng.randint(1, 6))) for _ in range(4000)
        ]
        for text in texts + made + [m.replace(" ", " * ") for m in made[:200]]:
            joined = _joined(text, lang) if text in texts else text
            expected = whole.search(joined) is not None
            assert plan.search(joined) == expected, (lang, joined)
            hits[lang] += expected
    # the comparison saw matches, not only clean texts
    assert hits["ru"] > 50 and hits["en"] > 50
