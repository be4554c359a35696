"""Calendar periods: the grains a metric is grouped by and the period names people type.

Periods are half-open, [start, end), in UTC (the ledger stores naive UTC). Weeks are ISO weeks
starting on Monday; quarters start in January, April, July and October.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from otklik.errors import MetricError

__all__ = [
    "Grain",
    "Span",
    "as_utc_naive",
    "next_period_start",
    "parse_period",
    "period_start",
    "periods_between",
]


class Grain(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    ALL = "all"

    @property
    def ibis_unit(self) -> str:
        """The unit code of ``ibis`` ``truncate`` for this grain."""
        return {"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y"}[self.value]


Span = tuple[date, date]
"""A half-open date range [start, end)."""


def as_utc_naive(value: date | datetime) -> datetime:
    """A date or datetime as the naive UTC datetime the ledger stores (a date means midnight)."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value
    return datetime(value.year, value.month, value.day)


def period_start(day: date, grain: Grain) -> date:
    """The first day of the period of ``grain`` that contains ``day``."""
    if isinstance(day, datetime):
        day = day.date()
    if grain is Grain.DAY:
        return day
    if grain is Grain.WEEK:
        return day - timedelta(days=day.weekday())
    if grain is Grain.MONTH:
        return day.replace(day=1)
    if grain is Grain.QUARTER:
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    if grain is Grain.YEAR:
        return date(day.year, 1, 1)
    raise ValueError("the 'all' grain has no periods")


def next_period_start(start: date, grain: Grain) -> date:
    """The start of the period after the one that starts on ``start``."""
    if grain is Grain.DAY:
        return start + timedelta(days=1)
    if grain is Grain.WEEK:
        return start + timedelta(days=7)
    months = {Grain.MONTH: 1, Grain.QUARTER: 3, Grain.YEAR: 12}[grain]
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def periods_between(first: date, last: date, grain: Grain) -> list[date]:
    """Starts of every period of ``grain`` from the one containing ``first`` to ``last``'s."""
    starts = []
    current = period_start(first, grain)
    while current <= last:
        starts.append(current)
        current = next_period_start(current, grain)
    return starts


_FORMS = (
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})\.\.(\d{4})-(\d{2})-(\d{2})$"), "range"),
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), "day"),
    (re.compile(r"^(\d{4})-W(\d{1,2})$", re.IGNORECASE), "week"),
    (re.compile(r"^(\d{4})-(\d{2})$"), "month"),
    (re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE), "quarter"),
    (re.compile(r"^(\d{4})$"), "year"),
)


def parse_period(text: str) -> Span:
    """A period name as a half-open span of dates.

    Accepted: ``2024`` (year), ``2024-Q1``, ``2024-03`` (month), ``2024-W05`` (ISO week),
    ``2024-03-15`` (day) and ``2024-01-01..2024-02-15`` (both days included).
    """
    value = text.strip()
    for pattern, form in _FORMS:
        match = pattern.match(value)
        if not match:
            continue
        parts = [int(part) for part in match.groups()]
        try:
            if form == "range":
                start, last = date(*parts[:3]), date(*parts[3:])
                if last < start:
                    raise MetricError(f"period {text!r} ends before it starts")
                return start, last + timedelta(days=1)
            if form == "day":
                start = date(*parts)
                return start, start + timedelta(days=1)
            if form == "week":
                start = date.fromisocalendar(parts[0], parts[1], 1)
                return start, start + timedelta(days=7)
            if form == "month":
                start = date(parts[0], parts[1], 1)
                return start, next_period_start(start, Grain.MONTH)
            if form == "quarter":
                start = date(parts[0], 3 * (parts[1] - 1) + 1, 1)
                return start, next_period_start(start, Grain.QUARTER)
            start = date(parts[0], 1, 1)
            return start, next_period_start(start, Grain.YEAR)
        except ValueError as exc:
            raise MetricError(f"period {text!r} is not a real date: {exc}") from exc
    raise MetricError(
        f"cannot read period {text!r}: use 2024, 2024-Q1, 2024-03, 2024-W05, 2024-03-15 "
        "or 2024-01-01..2024-02-15"
    )
