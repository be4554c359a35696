"""Rendering realistic comments from the phrasebooks: a phrasing, its slots, an opener/closer."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

from otklik.demo import texts_en, texts_ru
from otklik.demo.phrasebook import Phrasebook
from otklik.demo.texts_intl import AR, ES, ID
from otklik.types import SCALES, Band

__all__ = ["LANGUAGES", "PHRASEBOOKS", "TextMaker", "pick", "polarity"]

PHRASEBOOKS: dict[str, Phrasebook] = {
    "ru": texts_ru.PHRASEBOOK,
    "en": texts_en.PHRASEBOOK,
    "id": ID,
    "ar": AR,
    "es": ES,
}
LANGUAGES: tuple[str, ...] = tuple(PHRASEBOOKS)

_T = TypeVar("_T")

_POLARITY = {Band.LOW: "neg", Band.MIDDLE: "mix", Band.TOP: "pos"}


def pick(rng: random.Random, seq: Sequence[_T]) -> _T:
    """``rng.choice`` without its bounds checks: this runs several times per generated row."""
    return seq[int(rng.random() * len(seq))]


def polarity(scale: str, score: float) -> str:
    """neg / mix / pos for a score, so a comment's tone always matches its score (the
    scale's own bands, as routing and sentiment read them)."""
    return _POLARITY[SCALES[scale].band(score)]


class _Slots:
    """A mapping for ``str.format_map`` that draws each slot's value when it is asked for."""

    __slots__ = ("_rng", "_values")

    def __init__(self, rng: random.Random, values: dict[str, tuple[str, ...]]) -> None:
        self._rng = rng
        self._values = values

    def __getitem__(self, key: str) -> str:
        return pick(self._rng, self._values[key])


class TextMaker:
    """Draws comments with one random stream; same stream, same comments."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._slots = {lang: _Slots(rng, book.slots) for lang, book in PHRASEBOOKS.items()}
        self._employee: dict[tuple[str, str], tuple[str, ...]] = {}
        for lang, book in PHRASEBOOKS.items():
            for (_theme, pol), phrases in book.employee.items():
                self._employee[lang, pol] = self._employee.get((lang, pol), ()) + phrases

    def _fill(self, lang: str, template: str) -> str:
        return template.format_map(self._slots[lang]) if "{" in template else template

    def _dress(self, lang: str, pol: str, core: str, *, closer: bool = True) -> str:
        """Add an opener or closer now and then, and sometimes type it all in lower case."""
        rng = self._rng
        book = PHRASEBOOKS[lang]
        roll = rng.random()
        if roll < 0.18:
            core = f"{pick(rng, book.openers[pol])} {core}"
        elif roll < 0.40 and closer:
            core = f"{core} {pick(rng, book.closers[pol])}"
        if lang in ("ru", "en", "es", "id") and rng.random() < 0.08:
            core = core.lower()
        return core

    def topic(self, lang: str, topic: str, pol: str) -> str:
        template = pick(self._rng, PHRASEBOOKS[lang].topics[topic, pol])
        return self._dress(lang, pol, self._fill(lang, template))

    def exit_reason(self, lang: str, reason: str) -> str:
        template = pick(self._rng, PHRASEBOOKS[lang].exit_reasons[reason])
        # A leaver has nothing left to demand, so no "fix it!" closers.
        return self._dress(lang, "neg", self._fill(lang, template), closer=False)

    def employee(self, lang: str, pol: str) -> str | None:
        phrases = self._employee.get((lang, pol))
        return pick(self._rng, phrases) if phrases else None
