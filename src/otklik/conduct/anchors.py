"""Anchors of a phrase pattern: words (or literal texts) one of which every match holds.

The conduct check searches every text's joined word forms for the lexicon's phrase patterns.
Python's ``re`` tries each alternative of a joined pattern at every position of the text, so
that search was most of the quick check's time (2.4–2.9 CPU-s of 58,595 Russian texts). Most
phrases need a word from a closed list — «(рот|пасть|…)», «(убью|зарежу|…)» — and a text that
holds none of a rule's words cannot match it: a set lookup of the text's words decides that
for nearly every text, and the pattern runs only for the rest (docs/benchmarks.md, "Phrase
rules that run only where their words are").

:func:`pattern_anchors` reads the words (or literal texts) off the pattern's parse tree (the
standard library's ``re._parser``, the parser ``re.compile`` itself uses) and answers None
whenever it cannot prove them: such a rule's pattern simply runs for every text, as before.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Anchors", "PhrasePlan", "pattern_anchors", "phrase_plan"]

_p: Any
_c: Any
try:  # the parser re.compile uses; private, so any change of it only turns the shortcut off
    _p = importlib.import_module("re._parser")
    _c = importlib.import_module("re._constants")
except ImportError:  # pragma: no cover - other Pythons
    _p = _c = None

_WORD = re.compile(r"\w+")
_WORDS_AND_SPACES = re.compile(r"[\w ]*")
_MAX_DEPTH = 4
# look-behinds, start anchors and flags inside the pattern: read as not shown
_UNSURE = re.compile(r"\(\?<|\^|\\A|\(\?[aiLmsux-]")


@dataclass(frozen=True)
class Anchors:
    """What every match of a pattern holds: one of ``words`` as a whole space-delimited word
    (in text made of word characters and single spaces), or one of ``substrings``."""

    words: frozenset[str]
    substrings: frozenset[str]


@dataclass(frozen=True)
class PhrasePlan:
    """How to tell whether any of a language's phrase patterns matches joined word forms.

    ``patterns``: the rules' patterns; ``by_word`` / ``by_substring``: which of them (indexes)
    can match only a text holding that whole word / that substring; ``rest``: one pattern for
    the rules without anchors (None where there are none); ``whole``: all rules joined.
    """

    patterns: tuple[re.Pattern[str], ...]
    by_word: dict[str, tuple[int, ...]]
    by_substring: tuple[tuple[str, int], ...]
    rest: re.Pattern[str] | None
    whole: re.Pattern[str]

    def search(self, joined: str) -> bool:
        """Whether one of the patterns matches ``joined`` (word forms joined by spaces): the
        same answer as ``whole.search(joined) is not None``."""
        if not _WORDS_AND_SPACES.fullmatch(joined):
            # a character that is neither a word character nor a space ("б**ть") makes a
            # word boundary inside a space-delimited word: no shortcut
            return self.whole.search(joined) is not None
        if self.rest is not None and self.rest.search(joined) is not None:
            return True
        todo: set[int] = set()
        by_word = self.by_word
        for word in joined.split(" "):
            found = by_word.get(word)
            if found is not None:
                todo.update(found)
        for text, index in self.by_substring:
            if index not in todo and text in joined:
                todo.add(index)
        return any(self.patterns[index].search(joined) is not None for index in sorted(todo))


def phrase_plan(patterns: Sequence[re.Pattern[str]], whole: re.Pattern[str]) -> PhrasePlan:
    """The plan for ``patterns`` (no flags, as :func:`re.compile` of the lexicon's text
    gives), whose alternatives joined are ``whole``."""
    by_word: dict[str, list[int]] = {}
    by_substring: list[tuple[str, int]] = []
    rest: list[str] = []
    for index, pattern in enumerate(patterns):
        anchors = pattern_anchors(pattern.pattern)
        if anchors is None:
            rest.append(pattern.pattern)
            continue
        for word in sorted(anchors.words):
            by_word.setdefault(word, []).append(index)
        by_substring += [(text, index) for text in sorted(anchors.substrings)]
    return PhrasePlan(
        tuple(patterns),
        {word: tuple(found) for word, found in by_word.items()},
        tuple(by_substring),
        re.compile("|".join(f"(?:{s})" for s in rest)) if rest else None,
        whole,
    )


# a whole word shorter than this is common ("и", "вк"): a literal substring of the same
# alternative is preferred when it is longer
_SHORT_WORD = 4


def pattern_anchors(pattern: str) -> Anchors | None:
    """What every match of ``pattern`` holds (see :class:`Anchors`), read alternative by
    alternative off its parse tree; None when an alternative shows neither a required closed
    list of literal words set off by ``\\b`` or spaces nor a required literal text, or the
    pattern holds a construct this reading does not take (look-behinds, ``^``, inline flags)."""
    if _p is None or _UNSURE.search(pattern):
        return None
    try:
        alternatives = _expand(list(_p.parse(pattern)), 0)
    except Exception:  # a pattern this reading cannot take runs as before
        return None
    if alternatives is None:
        return None
    words: set[str] = set()
    substrings: set[str] = set()
    for items in alternatives:
        pieces = _pieces(items)
        whole = _best_words(pieces)
        texts = _best_texts(pieces)
        if whole is not None and (
            min(map(len, whole)) >= _SHORT_WORD
            or texts is None
            or min(map(len, texts)) <= min(map(len, whole))
        ):
            words.update(whole)
        elif texts is not None:
            substrings.update(texts)
        else:
            return None
    return Anchors(frozenset(words), frozenset(substrings))


def _best_texts(pieces: list[_Piece]) -> list[str] | None:
    """The texts of the required literal piece whose shortest text is longest: every match
    holds one of them."""
    best: list[str] | None = None
    for piece in pieces:
        if piece.kind in ("lit", "grp") and (
            best is None or min(map(len, piece.texts)) > min(map(len, best))
        ):
            best = list(piece.texts)
    return best


def _expand(items: list[Any], depth: int) -> list[list[Any]] | None:
    """The alternatives of a parsed sequence with its top-level branches spread out (the
    parser moves the branches' common prefix in front of them)."""
    for k, (op, av) in enumerate(items):
        if op is _c.BRANCH:
            if depth >= _MAX_DEPTH:
                return None
            out: list[list[Any]] = []
            for branch in av[1]:
                more = _expand(items[:k] + list(branch) + items[k + 1 :], depth + 1)
                if more is None:
                    return None
                out += more
            return out
    return [items]


@dataclass(frozen=True)
class _Piece:
    """One part of an alternative: kind "lit" (``texts`` holds its one text), "grp" (a group
    of literal branches: ``texts``), "b" (``\\b``) or "other"; ``opens``/``ends``: every way
    through it starts / ends with a space; ``optional``: it may match nothing."""

    kind: str
    texts: tuple[str, ...] = ()
    opens: bool = False
    ends: bool = False
    optional: bool = False


def _pieces(items: list[Any]) -> list[_Piece]:
    out: list[_Piece] = []
    for op, av in items:
        if op is _c.LITERAL:
            text = (out.pop().texts[0] if out and out[-1].kind == "lit" else "") + chr(av)
            out.append(_Piece("lit", (text,), text.startswith(" "), text.endswith(" ")))
        elif op is _c.AT and av is _c.AT_BOUNDARY:
            out.append(_Piece("b"))
        elif op is _c.SUBPATTERN and (texts := _literal_branches(list(av[3]))) is not None:
            out.append(
                _Piece(
                    "grp",
                    tuple(texts),
                    all(t.startswith(" ") for t in texts),
                    all(t.endswith(" ") for t in texts),
                )
            )
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
            body = list(av[2])
            out.append(
                _Piece(
                    "other",
                    opens=_edge_space(body, 0),
                    ends=_edge_space(body, -1),
                    optional=av[0] == 0,
                )
            )
        else:
            out.append(_Piece("other"))
    return out


def _literal_branches(items: list[Any]) -> list[str] | None:
    if len(items) == 1 and items[0][0] is _c.BRANCH:
        branches = [list(b) for b in items[0][1][1]]
    else:
        branches = [items]
    texts = []
    for branch in branches:
        if not branch or any(op is not _c.LITERAL for op, _av in branch):
            return None
        texts.append("".join(chr(av) for _op, av in branch))
    return texts


def _edge_space(items: list[Any], at: int) -> bool:
    """Whether every way through ``items`` starts (``at`` 0) or ends (``at`` -1) with a space."""
    if not items:
        return False
    op, av = items[at]
    if op is _c.LITERAL:
        return bool(av == ord(" "))
    if op is _c.SUBPATTERN:
        return _edge_space(list(av[3]), at)
    if op is _c.BRANCH:
        return all(_edge_space(list(b), at) for b in av[1])
    return False


def _best_words(pieces: list[_Piece]) -> list[str] | None:
    """One whole word of each text of the required literal piece whose words are longest
    (rarer), or None when no piece has whole words."""
    best: list[str] | None = None
    for k, piece in enumerate(pieces):
        if piece.kind not in ("lit", "grp"):
            continue
        # a word edge before the piece: \b, or a space that must come just before it (optional
        # parts in between end with a space themselves, or are absent)
        before = k - 1
        while before >= 0 and pieces[before].optional and pieces[before].ends:
            before -= 1
        left_edge = before >= 0 and (pieces[before].kind == "b" or pieces[before].ends)
        after = k + 1
        while after < len(pieces) and pieces[after].optional and pieces[after].opens:
            after += 1
        right_edge = after < len(pieces) and (pieces[after].kind == "b" or pieces[after].opens)
        chosen: list[str] = []
        for text in piece.texts:
            words = text.split(" ")
            whole = [
                word
                for i, word in enumerate(words)
                if word
                and _WORD.fullmatch(word)
                and (i > 0 or left_edge)
                and (i < len(words) - 1 or right_edge)
            ]
            if not whole:
                break
            chosen.append(max(whole, key=len))
        else:
            if chosen and (best is None or min(map(len, chosen)) > min(map(len, best))):
                best = chosen
    return best
