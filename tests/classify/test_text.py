"""Helpers of :mod:`otklik.classify.text` that the other tests do not reach on their own."""

from __future__ import annotations

import random

import pytest

from otklik.classify.text import any_of


def test_any_of_finds_exactly_the_texts_that_hold_a_word() -> None:
    # words sharing prefixes, one inside another, punctuation and non-Latin scripts
    words = ["как", "как можно", "куда ", "к", "?!", "how hard", "how", "معقول", "a.b", "(x)"]
    pattern = any_of(words)
    alphabet = "каконжмуд ?!hwrdoaxb.()معقول"
    rng = random.Random(7)
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(3000)]
    texts += ["a-b", "ab", "x", "(x", "как можн"]
    for text in texts:
        assert (pattern.search(text) is not None) == any(w in text for w in words), text
    assert pattern.search("ab") is None  # "." is a letter here, not "any character"


def test_any_of_refuses_what_would_match_everything() -> None:
    with pytest.raises(ValueError, match="empty word"):
        any_of(["ok", ""])
    with pytest.raises(ValueError, match="at least one"):
        any_of([])
