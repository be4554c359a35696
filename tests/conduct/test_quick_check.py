"""The quick check that lets clean texts skip the full conduct detector (issue 16 goal 3) never
skips a text the detector would flag.

``detect`` first asks ``_could_flag`` (the words' forms against the word rules, runs of
one-letter words, the phrase rules over the joined forms) and runs the full ``_detect`` only when
it says yes. Here the full detector runs on every text of the conduct corpus, the hand-written
comment sets and obfuscated variants of the corpus' abusive texts: wherever it finds a flag the
quick check must say yes, and ``detect`` must answer exactly what ``_detect`` answers.
"""

from __future__ import annotations

import csv

from otklik.conduct.detect import _could_flag, _detect, detect, load_lexicon
from tests.conftest import DATA


def _texts() -> list[str]:
    texts: list[str] = []
    for path in [*sorted(DATA.glob("comments*.csv")), DATA / "conduct_corpus.csv"]:
        with path.open(encoding="utf-8") as handle:
            texts += [row["text"] for row in csv.DictReader(handle)]
    return texts


def _obfuscated(text: str) -> list[str]:
    """Spellings that hide words: spaced-out letters, masked letters, look-alike Latin."""
    words = text.split()
    spaced = " ".join(" ".join(word) if len(word) > 3 else word for word in words)
    masked = " ".join(
        word[0] + "*" * (len(word) - 2) + word[-1] if len(word) > 4 else word for word in words
    )
    latin = text.translate(str.maketrans("аеорсху", "aeopcxy"))
    return [spaced, masked, latin, text.upper(), text.replace(" ", "  ")]


def test_the_quick_check_never_skips_a_flagged_text() -> None:
    lex = load_lexicon()
    texts = _texts()
    with (DATA / "conduct_corpus.csv").open(encoding="utf-8") as handle:
        abusive = [row["text"] for row in csv.DictReader(handle) if row["abusive"] == "1"]
    for text in abusive:
        texts += _obfuscated(text)
    flagged = 0
    for text in texts:
        full = _detect(text, lex)
        if full:
            flagged += 1
            assert _could_flag(text, lex), text
        assert detect(text) == full, text
    # the comparison covers many flagged texts, and the check lets most clean ones skip
    assert flagged > 200
    clean = [text for text in texts if not _detect(text, lex)]
    skipped = sum(1 for text in clean if not _could_flag(text, lex))
    assert skipped > 0.6 * len(clean)


def test_phrase_rules_are_joined_only_when_that_keeps_their_meaning() -> None:
    import re

    from otklik.conduct.detect import _joined

    lex = load_lexicon()
    assert lex.any_phrase["ru"] is not None and lex.any_phrase["en"] is not None
    # "(а)\\1" means "аа"; joined after another group it would mean something else
    assert _joined([re.compile(r"(б)"), re.compile(r"(а)\1")]) is None
    assert _joined([re.compile("аб", re.IGNORECASE)]) is None
    both = _joined([re.compile(r"\bкот\b"), re.compile(r"\bпёс\b")])
    assert both is not None and both.search("мой пёс") and not both.search("котлета")
