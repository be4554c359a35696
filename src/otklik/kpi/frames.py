"""What every KPI computation shares: the period judged, the one before it, and fetching a
metric per segment through :func:`otklik.metrics.compute` (never a formula of its own).

A metric that cannot be computed on this store (``response_rate`` before survey invitations
exist) is not an error for a KPI report: it comes back as :class:`Unavailable` with the
metric's own explanation, and the guardrail shows "no data" with it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from otklik.errors import MetricError, UnsupportedOperation
from otklik.metrics import (
    Grain,
    MetricRow,
    MetricSource,
    Slice,
    Statistic,
    compare_segments,
    compute,
    get_metric,
    get_zone,
    last_moment,
)
from otklik.metrics.periods import Period
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


Span = Period
"""A KPI's period: the one :class:`otklik.metrics.Period` (local days of the reporting zone)."""


def span_of(text: str) -> Span:
    """A period as people type it (``2025``, ``2025-Q4``, ``2025-12``, ``2025-W05``, a day or
    ``2025-01-01..2025-02-15``)."""
    return Period.parse(text)


def previous_span(span: Span) -> Span:
    """The calendar period before ``span`` (the same number of days before, for a range)."""
    return span.previous()


def latest_span(
    source: MetricSource, metric: str, grain: Grain, filters: Mapping[str, FilterValue]
) -> Span | None:
    """The latest period of ``grain`` in which ``metric`` has data in the scope."""
    try:
        rows = _latest_rows(source, metric, grain, filters)
    except MetricError:
        return None
    periods = [row.period for row in rows if row.period is not None and row.n > 0]
    if not periods:
        return None
    return Period.of(max(periods), grain)


def _latest_rows(
    source: MetricSource, metric: str, grain: Grain, filters: Mapping[str, FilterValue]
) -> list[MetricRow]:
    """The metric per ``grain`` period, enough of them to find the latest with data.

    A repeat metric (FCR, repeat rate) over every period sorts every contact of the store;
    its n counts contacts, so the latest period with data is the one of the latest contact
    it counts in the scope: that period alone is computed (a sort of one period's
    contacts; if the latest moment, rounded to the millisecond, fell in the next period, that
    one has no data and every period is computed)."""
    if get_metric(metric).statistic is Statistic.REPEAT:
        last = last_moment(metric, source, filters=filters)
        if last is None:
            return []
        day = last.replace(tzinfo=UTC).astimezone(get_zone(source.timezone)).date()
        start = Period.of(day, grain).start
        rows = compute(metric, source, by=grain, filters=filters, start=start)
        if any(row.period is not None and row.n > 0 for row in rows):
            return rows
    return compute(metric, source, by=grain, filters=filters)


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
            Slice(before.label, before.start, before.end),
            Slice(after.label, after.start, after.end),
            segments=segments,
            filters=filters,
            window_days=window_days,
        )
    except MetricError:
        return {}
    return {key: comparison.p_value for key, comparison in found.items()}
