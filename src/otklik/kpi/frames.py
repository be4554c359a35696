"""What every KPI computation shares: the period judged, the one before it, and fetching a
metric per segment through :func:`otklik.metrics.compute` (never a formula of its own).

A metric that cannot be computed on this store (``response_rate`` before survey invitations
exist) is not an error for a KPI report: it comes back as :class:`Unavailable` with the
metric's own explanation, and the guardrail shows "no data" with it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from otklik.errors import MetricError, UnsupportedOperation
from otklik.metrics import (
    Grain,
    MetricRow,
    MetricSource,
    Slice,
    compare_segments,
    compute,
    parse_period,
)
from otklik.metrics.periods import as_utc_naive, next_period_start, period_start
from otklik.metrics.query import FilterValue

__all__ = [
    "Rows",
    "SegmentKey",
    "Span",
    "Unavailable",
    "change_p_values",
    "fetch",
    "latest_span",
    "previous_span",
    "segment_key",
    "span_of",
]

SegmentKey = tuple[Any, ...]


@dataclass(frozen=True)
class Span:
    """A half-open range of days [start, end) with the name people know it by."""

    label: str
    start: date
    end: date

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def to_dict(self) -> dict[str, str]:
        return {
            "label": self.label,
            "from": self.start.isoformat(),
            "to": self.last_day.isoformat(),
        }


def _label(start: date, grain: Grain) -> str:
    if grain is Grain.YEAR:
        return f"{start.year}"
    if grain is Grain.QUARTER:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if grain is Grain.MONTH:
        return f"{start:%Y-%m}"
    if grain is Grain.WEEK:
        iso = start.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    return start.isoformat()


def _grain_of(start: date, end: date) -> Grain | None:
    for grain in (Grain.DAY, Grain.WEEK, Grain.MONTH, Grain.QUARTER, Grain.YEAR):
        if period_start(start, grain) == start and next_period_start(start, grain) == end:
            return grain
    return None


def span_of(text: str) -> Span:
    """A period as people type it (``2025``, ``2025-Q4``, ``2025-12``, ``2025-W05``, a day or
    ``2025-01-01..2025-02-15``)."""
    start, end = parse_period(text)
    grain = _grain_of(start, end)
    return Span(_label(start, grain) if grain else text.strip(), start, end)


def previous_span(span: Span) -> Span:
    """The calendar period before ``span`` (the same number of days before, for a range)."""
    grain = _grain_of(span.start, span.end)
    if grain is not None:
        start = period_start(span.start - timedelta(days=1), grain)
        return Span(_label(start, grain), start, span.start)
    length = span.end - span.start
    start = span.start - length
    return Span(
        f"{start.isoformat()}..{(span.start - timedelta(days=1)).isoformat()}", start, span.start
    )


def latest_span(
    source: MetricSource, metric: str, grain: Grain, filters: Mapping[str, FilterValue]
) -> Span | None:
    """The latest period of ``grain`` in which ``metric`` has data in the scope."""
    try:
        rows = compute(metric, source, by=grain, filters=filters)
    except MetricError:
        return None
    periods = [row.period for row in rows if row.period is not None and row.n > 0]
    if not periods:
        return None
    start = max(periods)
    return Span(_label(start, grain), start, next_period_start(start, grain))


@dataclass(frozen=True)
class Unavailable:
    """A metric this store cannot compute, with the reason the metrics package gave."""

    reason: str


Rows = dict[SegmentKey, MetricRow] | Unavailable


def segment_key(segment: Mapping[str, Any], fields: Sequence[str]) -> SegmentKey:
    return tuple(segment.get(field) for field in fields)


def fetch(
    source: MetricSource,
    metric: str,
    span: Span,
    *,
    filters: Mapping[str, FilterValue],
    segments: Sequence[str] = (),
    window_days: int | None = None,
) -> Rows:
    """``metric`` over ``span`` per segment, keyed by the segment values in order."""
    try:
        rows = compute(
            metric,
            source,
            segments=segments,
            filters=filters,
            start=span.start,
            end=span.end,
            window_days=window_days,
        )
    except UnsupportedOperation:
        raise
    except MetricError as exc:
        return Unavailable(str(exc))
    return {segment_key(row.segment, segments): row for row in rows}


def change_p_values(
    source: MetricSource,
    metric: str,
    before: Span,
    after: Span,
    *,
    filters: Mapping[str, FilterValue],
    segments: Sequence[str] = (),
    window_days: int | None = None,
) -> dict[SegmentKey, float | None]:
    """Per segment, the p-value of the metric's own test of after − before (one query per
    period for every segment; a metric without a test gives an empty mapping)."""
    try:
        found = compare_segments(
            metric,
            source,
            Slice(before.label, as_utc_naive(before.start), as_utc_naive(before.end)),
            Slice(after.label, as_utc_naive(after.start), as_utc_naive(after.end)),
            segments=segments,
            filters=filters,
            window_days=window_days,
        )
    except MetricError:
        return {}
    return {key: comparison.p_value for key, comparison in found.items()}
