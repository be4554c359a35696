"""A first pass over a file: how many rows, which order its a/b/yyyy dates use, and which
scale its scores are on when nobody said. Decided per column, reported, never guessed per row.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from otklik.ingest.normalize import parse_number, split_date
from otklik.ingest.readers.base import Row

__all__ = ["ColumnProfile", "FileProfile", "guess_scale", "profile_rows"]


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
class FileProfile:
    rows: int = 0
    dates: dict[int, ColumnProfile] = field(default_factory=dict)
    scores: Counter[float] = field(default_factory=Counter)


def profile_rows(
    rows: Iterable[Row], date_columns: list[int], score_column: int | None
) -> FileProfile:
    profile = FileProfile(dates={index: ColumnProfile() for index in date_columns})
    for _line, values in rows:
        profile.rows += 1
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
        if score_column is not None and score_column < len(values):
            score = _number_or_none(values[score_column])
            if score is not None:
                profile.scores[score] += 1
    return profile


def _number_or_none(value: Any) -> float | None:
    try:
        return parse_number(value)
    except ValueError:
        return None


_HINTS = (
    ("nps", "nps"),
    ("csat", "csat5"),
    ("ces", "ces7"),
    ("рейтинг", "rating5"),
    ("rating", "rating5"),
    ("stars", "rating5"),
    ("звезд", "rating5"),
)


def _share_within(scores: Counter[float], low: int, high: int) -> float:
    total = sum(scores.values())
    return sum(n for value, n in scores.items() if low <= value <= high) / total


def guess_scale(header: str, kind: str, scores: Counter[float]) -> tuple[str | None, str]:
    """The file's scale from the score header, the kind, then the values; with the reason.

    A few typos (an 11 among 0–10 answers) must not hide the scale: a scale is taken when at
    least 98% of the scores fit it, and the rest are quarantined as out of scale.
    """
    lowered = header.lower()
    for hint, scale in _HINTS:
        if hint in lowered:
            return scale, f"from the header {header!r}"
    if kind == "review":
        return "rating5", "reviews are rated 1–5"
    if kind == "employee":
        return "nps", "employee surveys are eNPS 0–10"
    if not scores:
        return None, "no scores"
    low, high = min(scores), max(scores)
    seen = f"values {low:g}–{high:g}"
    hint = "; set scale: in a mapping file to change it"
    if _share_within(scores, 1, 5) >= 0.98:
        return "csat5", f"guessed from {seen}{hint}"
    uses_nps_ends = scores[0] > 0 or any(8 <= value <= 10 for value in scores)
    if _share_within(scores, 0, 10) >= 0.98 and uses_nps_ends:
        return "nps", f"guessed from {seen}{hint}"
    if _share_within(scores, 1, 7) >= 0.98:
        return "ces7", f"guessed from {seen}{hint}"
    return None, f"{seen} fit no scale; set scale: in a mapping file"
