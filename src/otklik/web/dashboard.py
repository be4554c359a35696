"""The overview's figures: NPS, CSAT and CES by month with 95% intervals, the latest month
against the one before (with the test's verdict), and volumes by channel.

Every figure comes from :func:`otklik.metrics.compute` and every verdict from
:func:`otklik.metrics.compare`, run on the metrics worker (rollups make them fast); volumes are
plain counts from the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any

from otklik.errors import MetricError
from otklik.ledger import count_by, latest_occurred_at
from otklik.metrics import Comparison, MetricRow, MetricSource, Slice, compare, compute, get_metric
from otklik.web.params import parse_day
from otklik.web.state import WebState
from otklik.web.users import Principal

__all__ = ["OVERVIEW_METRICS", "Overview", "Trend", "build_overview", "month_after"]

OVERVIEW_METRICS: tuple[str, ...] = ("nps", "csat", "ces")
_MONTHS = 12


def month_after(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _month_before(day: date) -> date:
    return date(day.year - (day.month == 1), (day.month - 2) % 12 + 1, 1)


@dataclass
class Trend:
    """One metric by month, and the months whose change from the previous one is real."""

    metric: str
    title: str
    unit: str
    higher_is_better: bool | None
    rows: list[MetricRow]
    changes: dict[date, Comparison] = field(default_factory=dict)

    @property
    def latest(self) -> MetricRow | None:
        return self.rows[-1] if self.rows else None

    @property
    def previous(self) -> MetricRow | None:
        return self.rows[-2] if len(self.rows) > 1 else None

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
    if last is None:
        latest = state.cache.get(
            ("latest", repr(zone_filters)),
            lambda: latest_occurred_at(state.engine, filters=zone_filters),
        )
        stop = month_after((latest or datetime.now()).date())
    else:
        stop = last + timedelta(days=1)
    begin = first
    if begin is None:
        begin = stop.replace(day=1)
        for _ in range(_MONTHS if stop.day == 1 else _MONTHS - 1):
            begin = _month_before(begin)
    if stop <= begin:
        raise MetricError(f"the range is empty: {begin} is not before {stop}")
    return begin, stop


def _trend(
    source: MetricSource, metric: str, filters: dict[str, Any], start: date, end: date
) -> Trend:
    spec = get_metric(metric)
    rows = [
        row
        for row in compute(metric, source, by="month", filters=filters, start=start, end=end)
        if row.n > 0
    ]
    trend = Trend(metric, spec.title, spec.unit, spec.higher_is_better, rows)
    for before, after in pairwise(rows):
        if before.period is None or after.period is None or before.n < 2 or after.n < 2:
            continue
        try:
            result = compare(
                metric, source, _month(before.period), _month(after.period), filters=filters
            )
        except MetricError:
            continue
        trend.changes[after.period] = result
    return trend


def _month(start: date) -> Slice:
    return Slice(start.isoformat(), _at(start), _at(month_after(start)))


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def build_overview(
    state: WebState, principal: Principal, *, start: str | None = None, end: str | None = None
) -> Overview:
    """The overview for ``principal`` (a team user's figures cover their zone only)."""
    filters: dict[str, Any] = {}
    if principal.zone is not None:
        filters["owner_team"] = [principal.zone]
    begin, stop = _range(state, filters, start, end)
    trends = state.metrics.call(
        lambda source: [_trend(source, name, filters, begin, stop) for name in OVERVIEW_METRICS]
    )
    channels = state.cache.get(
        ("channels", repr(filters), begin, stop),
        lambda: count_by(state.engine, "channel", filters=filters, start=_at(begin), end=_at(stop)),
    )
    return Overview(begin, stop, trends, channels)
