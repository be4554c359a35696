"""A first pass over a file: how many rows, which order its a/b/yyyy dates use, which decimal
separator its number columns use, and which scale its scores are on when nobody said. Decided
per column, reported, never guessed per row.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from otklik.ingest.normalize import number_style, parse_number, split_date
from otklik.ingest.questions import scale_family
from otklik.ingest.readers.base import Row
from otklik.types import SCALES

__all__ = ["ColumnProfile", "FileProfile", "NumberProfile", "guess_scale", "profile_rows"]


@dataclass
class ColumnProfile:
    """Evidence about one date column's d/m order."""

    first_over_12: int = 0
    second_over_12: int = 0
    slash_dates: int = 0

    def day_first(self) -> bool | None:
        if self.first_over_12 and not self.second_over_12:
            return True
        if self.second_over_12 and not self.first_over_12:
            return False
        return None

    def describe(self) -> str | None:
        if not self.slash_dates:
            return None
        order = self.day_first()
        if order is True:
            return "day first (values over 12 in the first part)"
        if order is False:
            return "month first (values over 12 in the second part)"
        if self.first_over_12 and self.second_over_12:
            return "conflicting: both orders occur; dates with both parts ≤ 12 are quarantined"
        return "ambiguous: no value shows the order; such dates are quarantined"


@dataclass
class NumberProfile:
    """Evidence about one number column's decimal separator, from its written values.

    A value like ``980,50`` or ``1.250,00`` shows a decimal comma; ``12.5`` or ``1,250.00`` a
    decimal point; ``1.000`` shows neither (a thousand, or one?). The column takes the
    separator its values show when they agree; values that are ambiguous by themselves are
    then read by it (``1.000`` is a thousand in a decimal-comma column). When the column never
    shows one, or shows both, each value is read by its own writing and ambiguous ones are
    quarantined.
    """

    comma: int = 0
    point: int = 0
    ambiguous: int = 0
    example: dict[str, str] = field(default_factory=dict)

    def add(self, value: str) -> None:
        style = number_style(value)
        if style is None:
            return
        if style == ",":
            self.comma += 1
        elif style == ".":
            self.point += 1
        else:
            self.ambiguous += 1
        self.example.setdefault(style, value.strip()[:20])

    def decimal(self) -> str | None:
        if self.comma and not self.point:
            return ","
        if self.point and not self.comma:
            return "."
        return None

    def describe(self) -> str | None:
        if not (self.comma or self.point or self.ambiguous):
            return None
        decimal = self.decimal()
        if decimal == ",":
            return f"decimal comma (e.g. {self.example[',']!r})"
        if decimal == ".":
            return f"decimal point (e.g. {self.example['.']!r})"
        if self.comma and self.point:
            return (
                f"conflicting: both a decimal comma ({self.example[',']!r}) and a decimal point "
                f"({self.example['.']!r}) occur; values like {self.example.get('?', '1.000')!r} "
                "are quarantined"
            )
        return (
            f"ambiguous: {self.ambiguous} value(s) like {self.example['?']!r} could be a "
            "thousand or one; they are quarantined (set decimal: in a mapping file)"
        )

    @property
    def unresolved(self) -> bool:
        """Some values will be quarantined because the column never decides their reading."""
        return self.decimal() is None and (
            self.ambiguous > 0 or (self.comma > 0 and self.point > 0)
        )


@dataclass
class FileProfile:
    rows: int = 0
    dates: dict[int, ColumnProfile] = field(default_factory=dict)
    numbers: dict[int, NumberProfile] = field(default_factory=dict)
    scores: Counter[float] = field(default_factory=Counter)
    score_decimal: str | None = None


def profile_rows(
    rows: Iterable[Row],
    date_columns: list[int],
    score_column: int | None,
    number_columns: Iterable[int] = (),
    *,
    decimal: str | None = None,
) -> FileProfile:
    """One pass over ``rows``; ``decimal`` (from a mapping file) overrides the evidence.

    Scores are counted after the whole pass so that they are read with their column's
    separator; for that the raw score cells are kept as a counter of distinct strings.
    """
    numbers = {index: NumberProfile() for index in number_columns}
    if score_column is not None:
        numbers.setdefault(score_column, NumberProfile())
    profile = FileProfile(dates={index: ColumnProfile() for index in date_columns}, numbers=numbers)
    raw_scores: Counter[Any] = Counter()
    for _line, values in rows:
        profile.rows += 1
        width = len(values)
        for index, number_column in numbers.items():
            if index < width:
                value = values[index]
                if type(value) is str and ("," in value or "." in value):
                    number_column.add(value)
        if score_column is not None and score_column < width:
            value = values[score_column]
            if isinstance(value, str | int | float):
                raw_scores[value] += 1
        for index, column in profile.dates.items():
            if index >= len(values):
                continue
            value = values[index]
            if not isinstance(value, str) or "." in value[:6]:
                continue
            parts = split_date(value)
            if parts is None:
                continue
            column.slash_dates += 1
            if parts[0] > 12:
                column.first_over_12 += 1
            elif parts[1] > 12:
                column.second_over_12 += 1
    if score_column is not None:
        profile.score_decimal = decimal or numbers[score_column].decimal()
        for value, count in raw_scores.items():
            score = _number_or_none(value, profile.score_decimal)
            if score is not None:
                profile.scores[score] += count
    return profile


def _number_or_none(value: Any, decimal: str | None) -> float | None:
    try:
        return parse_number(value, decimal)
    except ValueError:
        return None


def _share_within(scores: Counter[float], low: int, high: int) -> float:
    total = sum(scores.values())
    return sum(n for value, n in scores.items() if low <= value <= high) / total if total else 0.0


def _on_some_scale(scores: Counter[float]) -> Counter[float]:
    """The scores that could be on some scale: whole numbers from 0 to 10."""
    return Counter({v: n for v, n in scores.items() if v.is_integer() and 0 <= v <= 10})


def _family_scale(family: str, scores: Counter[float]) -> str:
    if family == "nps":
        return "nps"
    if family == "ces":
        return "ces7"
    if family == "rating":
        return "rating5"
    # csat: 1–5 unless the values clearly go up to 10
    if scores and _share_within(scores, 1, 5) < 0.98 and _share_within(scores, 1, 10) >= 0.98:
        return "csat10"
    return "csat5"


def guess_scale(header: str, kind: str, scores: Counter[float]) -> tuple[str | None, str]:
    """The file's scale from the score header, the kind, then the values; with the reason.

    The header counts when it names a scale on a word boundary (``NPS``, ``CSAT``, ``CES``,
    ``rating``, ``stars``, ``Рейтинг``) or asks a standard question (``How likely are you to
    recommend…``, ``Насколько вы удовлетворены…``, ``How easy was it…``); CSAT is 1–5 unless
    the values go up to 10. From the values, a few typos must not hide the scale: scores that
    fit no scale at all (an 11, a 4.5, a −1) are set aside when they are at most 2% of the
    scores or a single one — they are quarantined as out of scale — and a scale is taken when at
    least 98% of the rest fit it.
    """
    scoreable = _on_some_scale(scores)
    family = scale_family(header)
    doubt = ""
    if family is not None:
        scale = _family_scale(family, scoreable)
        spec = SCALES[scale]
        outside = sum(n for value, n in scores.items() if not spec.low <= value <= spec.high)
        if outside <= max(1, int(sum(scores.values()) * 0.02)):
            return scale, f"from the header {header!r}"
        # The header names a scale most values do not fit (a "Rating" of 0–10): the values
        # decide, rather than a whole file quarantined as out of scale.
        doubt = (
            f"the header {header!r} suggests {scale} ({spec.low:g}–{spec.high:g}) but "
            f"{outside} values are outside it; "
        )
    if kind == "review" and not doubt:
        return "rating5", "reviews are rated 1–5"
    if kind == "employee":
        return "nps", "employee surveys are eNPS 0–10"
    if not scores:
        return None, "no scores"
    low, high = min(scores), max(scores)
    # + 0.0 turns a -0.0 (a "-0" read column-wise) into 0.0, so both paths word it alike
    seen = f"values {low + 0.0:g}–{high + 0.0:g}"
    total = sum(scores.values())
    stray = total - sum(scoreable.values())
    if stray > max(1, int(total * 0.02)) or not scoreable:
        return None, f"{doubt}{seen} fit no scale; set scale: in a mapping file"
    hint = "; set scale: in a mapping file to change it"
    if stray:
        hint = f"; {stray} value(s) off every scale quarantined{hint}"
    if _share_within(scoreable, 1, 5) >= 0.98:
        return "csat5", f"{doubt}guessed from {seen}{hint}"
    uses_nps_ends = scoreable[0] > 0 or any(8 <= value <= 10 for value in scoreable)
    if _share_within(scoreable, 0, 10) >= 0.98 and uses_nps_ends:
        return "nps", f"{doubt}guessed from {seen}{hint}"
    if _share_within(scoreable, 1, 7) >= 0.98:
        return "ces7", f"{doubt}guessed from {seen}{hint}"
    return None, f"{doubt}{seen} fit no scale; set scale: in a mapping file"
