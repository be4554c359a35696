"""The overview's figures: NPS, CSAT and CES by month with 95% intervals, the last complete
month against the one before (with the test's verdict), and volumes by channel.

Months are cut in the reporting time zone (``OTKLIK_TIMEZONE``). The headline is the last
*complete* month: the month still running is shown beside it, marked "to date", so a
headline never silently becomes a month with two answers.

Every figure comes from :func:`otklik.metrics.compute` and every verdict from
:func:`otklik.metrics.compare`, run on the metrics worker (rollups make them fast); volumes are
plain counts from the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

from otklik.auth import Principal
from otklik.errors import MetricError
from otklik.ledger import count_by, latest_occurred_at
from otklik.metrics import (
    Comparison,
    Grain,
    MetricRow,
    MetricSource,
    Period,
    Slice,
    compare,
    compute,
    get_metric,
    get_zone,
)
from otklik.metrics.periods import as_utc_naive, local_date, today
from otklik.web.params import day_range, parse_day
from otklik.web.state import WebState

__all__ = ["OVERVIEW_METRICS", "Overview", "Trend", "build_overview", "month_after"]

OVERVIEW_METRICS: tuple[str, ...] = ("nps", "csat", "ces")
_MONTHS = 12


def month_after(day: date) -> date:
    """The first day of the month after ``day``'s (the one period arithmetic: metrics')."""
    return Period.of(day, Grain.MONTH).end


def _month_before(day: date) -> date:
    return Period.of(day, Grain.MONTH).previous().start


@dataclass
class Trend:
    """One metric by month, and the months whose change from the previous one is real."""

    metric: str
    title: str
    unit: str
    higher_is_better: bool | None
    rows: list[MetricRow]
    changes: dict[date, Comparison] = field(default_factory=dict)
    current_month: date | None = None  # the month still running (local), if in the range
    scope: str = ""  # which rows the metric counts (MetricSpec.scope), the tile's caption

    @property
    def complete(self) -> list[MetricRow]:
        return [row for row in self.rows if row.period != self.current_month]

    @property
    def latest(self) -> MetricRow | None:
        """The headline: the last complete month with data."""
        complete = self.complete
        return complete[-1] if complete else None

    @property
    def to_date(self) -> MetricRow | None:
        """The month still running, shown apart and marked "to date"."""
        last = self.rows[-1] if self.rows else None
        return last if last is not None and last.period == self.current_month else None

    @property
    def previous(self) -> MetricRow | None:
        complete = self.complete
        return complete[-2] if len(complete) > 1 else None

    @property
    def latest_change(self) -> Comparison | None:
        latest = self.latest
        return None if latest is None or latest.period is None else self.changes.get(latest.period)


@dataclass
class Overview:
    start: date
    end: date  # exclusive
    trends: list[Trend]
    channels: list[tuple[str | None, int]]
    timezone: str = "UTC"

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def total(self) -> int:
        return sum(count for _, count in self.channels)


def _range(
    state: WebState, zone_filters: dict[str, Any], start: str | None, end: str | None
) -> tuple[date, date]:
    first, last = parse_day(start, "from"), parse_day(end, "to")
    if first is not None and last is not None and last < first:
        day_range(start, end)  # to before from: the 422 every range route answers
    zone = get_zone(state.metrics.timezone)
    if last is None:
        latest = state.cache.get(
            ("latest", repr(zone_filters)),
            lambda: latest_occurred_at(state.engine, filters=zone_filters),
        )
        stop = month_after(local_date(latest, zone) if latest else today(zone))
    else:
        stop = last + timedelta(days=1)
    begin = first
    if begin is None:
        begin = stop.replace(day=1)
        for _ in range(_MONTHS if stop.day == 1 else _MONTHS - 1):
            begin = _month_before(begin)
    if stop <= begin:
        # ``from`` after the data (or in the future) without ``to``: a valid question whose
        # answer is empty (n = 0), not an error; the range runs to the end of from's month.
        stop = month_after(begin)
    return begin, stop


def _trend(
    source: MetricSource,
    metric: str,
    filters: dict[str, Any],
    start: date,
    end: date,
    timezone: str,
) -> Trend:
    spec = get_metric(metric)
    rows = [
        row
        for row in compute(
            metric, source, by="month", filters=filters, start=start, end=end, timezone=timezone
        )
        if row.n > 0
    ]
    running = today(get_zone(timezone)).replace(day=1)
    trend = Trend(
        metric,
        spec.title,
        spec.unit,
        spec.higher_is_better,
        rows,
        current_month=running,
        scope=spec.scope,
    )
    for before, after in pairwise(rows):
        if before.period is None or after.period is None or before.n < 2 or after.n < 2:
            continue
        try:
            result = compare(
                metric,
                source,
                _month(before.period),
                _month(after.period),
                filters=filters,
                timezone=timezone,
            )
        except MetricError:
            continue
        trend.changes[after.period] = result
    return trend


def _month(start: date) -> Slice:
    """A local month (its days are read in the comparison's zone)."""
    return Slice(start.isoformat(), start, month_after(start))


def build_overview(
    state: WebState, principal: Principal, *, start: str | None = None, end: str | None = None
) -> Overview:
    """The overview for ``principal`` (a team user's figures cover their zone only)."""
    filters: dict[str, Any] = {}
    if principal.zone is not None:
        filters["owner_team"] = [principal.zone]
    begin, stop = _range(state, filters, start, end)
    timezone = state.metrics.timezone
    zone = get_zone(timezone)
    # Kept in the page cache per zone and range, like the volumes: 3 metrics × 12 months of
    # comparisons are ~70 rollup lookups; the start-up precomputation fills it for every zone.
    trends = state.cache.get(
        ("trends", repr(filters), begin, stop, timezone, today(zone).replace(day=1)),
        lambda: state.metrics.call(
            lambda source: [
                _trend(source, name, filters, begin, stop, timezone) for name in OVERVIEW_METRICS
            ]
        ),
        keep=True,
    )
    channels = state.cache.get(
        ("channels", repr(filters), begin, stop, timezone),
        lambda: count_by(
            state.engine,
            "channel",
            filters=filters,
            start=as_utc_naive(begin, zone),
            end=as_utc_naive(stop, zone),
        ),
        keep=True,
    )
    return Overview(begin, stop, trends, channels, timezone)
