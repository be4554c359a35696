"""From sufficient statistics of one group to a value, an interval and flags."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np

from otklik.metrics.results import (
    NON_FINITE,
    SMALL_SAMPLE,
    SMALL_SAMPLE_N,
    MetricRow,
    MetricValue,
    finite,
)
from otklik.metrics.spec import MetricSpec, Statistic
from otklik.metrics.stats import (
    mean_sd,
    nps_interval,
    ratio_interval,
    t_interval,
    wilson_interval,
)

__all__ = ["Group", "finish", "sort_rows", "to_date"]


@dataclass(slots=True)
class Group:
    """One period × segment with the sums its metric needs (``n`` always among them)."""

    period: date | None
    segment: dict[str, Any]
    stats: dict[str, float]
    flags: tuple[str, ...] = field(default=())

    @property
    def n(self) -> int:
        return int(self.stats.get("n") or 0)


def to_date(value: Any) -> date | None:
    """A period key from an engine (datetime, date, pandas Timestamp or ISO text) as a date."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    to_pydatetime = getattr(value, "to_pydatetime", None)
    if to_pydatetime is not None:
        return to_date(to_pydatetime())
    raise TypeError(f"cannot read a period from {value!r}")


def _value(spec: MetricSpec, stats: Mapping[str, float]) -> MetricValue:
    n = stats["n"]
    statistic = spec.statistic
    if statistic is Statistic.NPS:
        value, interval = nps_interval(stats["promoters"], stats["detractors"], n)
        return MetricValue(value, int(n), interval.low, interval.high)
    if statistic in (Statistic.PROPORTION, Statistic.REPEAT, Statistic.CHURN):
        interval = wilson_interval(stats["k"], n)
        return MetricValue(100 * stats["k"] / n, int(n), 100 * interval.low, 100 * interval.high)
    if statistic is Statistic.MEAN:
        mean, sd = mean_sd(n, stats["s1"], stats["s2"])
        if sd is None or sd == 0:
            # n < 2, or every value the same: no honest interval ("not enough data")
            return MetricValue(mean, int(n), None, None)
        interval = t_interval(mean, sd, n)
        return MetricValue(mean, int(n), interval.low, interval.high)
    if statistic is Statistic.QUANTILE:
        return MetricValue(stats["value"], int(n), stats.get("low"), stats.get("high"))
    if statistic is Statistic.REVENUE_CHURN:
        if stats["w"] <= 0:
            return MetricValue(None, int(n), None, None)
        share, ratio = ratio_interval(stats["wk"], stats["w"], n, stats["qk"], stats["q"])
        if ratio is None:
            return MetricValue(100 * share, int(n), None, None)
        return MetricValue(100 * share, int(n), 100 * ratio.low, 100 * ratio.high)
    raise ValueError(f"no rule for {statistic}")


def finish(spec: MetricSpec, group: Group, timezone: str = "UTC") -> MetricRow:
    """The row of one group; groups with n = 0 have no value. A value or bound that is not
    a finite number (an infinite duration in the data) becomes None, flagged ``non_finite``;
    the row carries the metric's scope and the zone its period was cut in."""
    flags = list(group.flags)
    if group.n < SMALL_SAMPLE_N:
        flags.insert(0, SMALL_SAMPLE)
    if group.n == 0:
        result = MetricValue(None, 0, None, None, tuple(flags))
    else:
        with np.errstate(all="ignore"):
            computed = _value(spec, group.stats)
        numbers = (computed.value, computed.ci_low, computed.ci_high)
        if any(number is not None and finite(number) is None for number in numbers):
            flags.append(NON_FINITE)
        value = finite(computed.value)
        low, high = finite(computed.ci_low), finite(computed.ci_high)
        if value is None:
            low = high = None
        result = MetricValue(value, computed.n, low, high, tuple(flags))
    return MetricRow(spec.name, group.period, dict(group.segment), result, spec.scope, timezone)


def _sort_key(row: MetricRow) -> tuple[Any, ...]:
    segment = tuple((value is None, str(value)) for value in row.segment.values())
    return (row.period or date.min, segment)


def sort_rows(rows: list[MetricRow]) -> list[MetricRow]:
    """Rows by period, then by segment values (missing values last)."""
    return sorted(rows, key=_sort_key)
