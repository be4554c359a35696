"""Running a query on an engine: sufficient statistics per group, ready for :func:`finish`."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from otklik.errors import MetricError
from otklik.metrics.backends import MetricSource
from otklik.metrics.expressions import (
    PERIOD,
    additive_expr,
    churn_cells_expr,
    data_end_expr,
    quantile_counts_expr,
    quantile_values_expr,
    repeat_expr,
)
from otklik.metrics.groups import Group, to_date
from otklik.metrics.periods import Grain, local_date, next_period_start, periods_between
from otklik.metrics.query import Query
from otklik.metrics.results import CENSORED
from otklik.metrics.spec import Statistic
from otklik.metrics.stats import quantile_ci_ranks, quantile_estimate_ranks

__all__ = ["collect", "data_end"]


def _number(value: Any) -> float:
    return 0.0 if value is None else float(value)


def _group_key(row: dict[str, Any], query: Query) -> tuple[date | None, tuple[Any, ...]]:
    period = to_date(row[PERIOD]) if query.grain is not Grain.ALL else None
    return period, tuple(row[field] for field in query.segments)


def _group(
    query: Query,
    key: tuple[date | None, tuple[Any, ...]],
    stats: dict[str, float],
    flags: tuple[str, ...] = (),
) -> Group:
    return Group(key[0], dict(zip(query.segments, key[1], strict=True)), stats, flags)


def _additive(source: MetricSource, query: Query) -> list[Group]:
    groups = []
    for row in source.execute(additive_expr(source, query)):
        stats = {
            name: _number(value)
            for name, value in row.items()
            if name != PERIOD and name not in query.segments
        }
        if stats["n"] > 0:
            groups.append(_group(query, _group_key(row, query), stats))
    return groups


def _quantile(source: MetricSource, query: Query) -> list[Group]:
    assert query.spec.quantile is not None
    q = query.spec.quantile
    counts = {
        _group_key(row, query): int(row["n"])
        for row in source.execute(quantile_counts_expr(source, query))
        if row["n"]
    }
    if not counts:
        return []
    plans = {}
    for key, n in counts.items():
        lo, hi, weight = quantile_estimate_ranks(n, q)
        low, high = quantile_ci_ranks(n, q)
        plans[key] = (lo, hi, weight, low, high)
    wanted = {
        rank
        for plan in plans.values()
        for rank in (plan[0], plan[1], plan[3], plan[4])
        if rank is not None
    }
    values: dict[tuple[Any, ...], dict[int, float]] = defaultdict(dict)
    for row in source.execute(quantile_values_expr(source, query, wanted)):
        values[_group_key(row, query)][int(row["_r"])] = float(row["_v"])
    groups = []
    for key, (lo, hi, weight, low, high) in plans.items():
        at = values[key]
        estimate = at[lo] + weight * (at[hi] - at[lo])
        stats = {"n": float(counts[key]), "value": estimate}
        if low is not None:
            stats["low"] = at[low]
        if high is not None:
            stats["high"] = at[high]
        groups.append(_group(query, key, stats))
    return groups


def data_end(source: MetricSource) -> Any:
    """The last contact in the data (kept in the source's memo while a report is computed)."""
    memo = getattr(source, "memo", None)
    if memo is not None and "data_end" in memo:
        return memo["data_end"]
    end_rows = source.execute(data_end_expr(source))
    last = end_rows[0]["last"] if end_rows else None
    if memo is not None:
        memo["data_end"] = last
    return last


def _repeat(source: MetricSource, query: Query) -> list[Group]:
    last_contact = data_end(source)
    window = timedelta(days=query.window_days)
    groups = []
    for row in source.execute(repeat_expr(source, query)):
        if not row["n"]:
            continue
        last = row["last"]
        censored = last_contact is None or last is None or last + window > last_contact
        stats = {"n": _number(row["n"]), "k": _number(row["k"])}
        groups.append(_group(query, _group_key(row, query), stats, (CENSORED,) if censored else ()))
    return groups


def _churn_periods(query: Query, cells: list[dict[str, Any]]) -> list[Any]:
    """Period starts to report: whole calendar periods overlapping [start, end), by default
    from the period after the first start to the period of the last event."""
    if query.grain is Grain.ALL:
        return [0]
    starts: list[date] = [cell["sp"] for cell in cells]
    churns: list[date] = [cell["cp"] for cell in cells if cell["cp"] is not None]
    if not starts:
        return []
    if query.start is not None:
        first = local_date(query.start, query.zone)
    else:
        first = next_period_start(min(starts), query.grain)
    if query.end is not None:
        last = local_date(query.end - timedelta(microseconds=1), query.zone)
    else:
        last = max([*churns, *starts])
    return list(periods_between(first, last, query.grain))


def _churn(source: MetricSource, query: Query) -> list[Group]:
    cells = source.execute(churn_cells_expr(source, query))
    if query.grain is not Grain.ALL:
        for cell in cells:
            cell["sp"], cell["cp"] = to_date(cell["sp"]), to_date(cell["cp"])
    weighted = query.spec.statistic is Statistic.REVENUE_CHURN
    groups: list[Group] = []
    for period in _churn_periods(query, cells):
        totals: dict[tuple[Any, ...], dict[str, float]] = {}
        for cell in cells:
            sp, cp = cell["sp"], cell["cp"]
            if not (sp < period and (cp is None or cp >= period)):
                continue
            churned = cp == period
            segment = tuple(cell[field] for field in query.segments)
            sums = totals.setdefault(segment, dict.fromkeys(("n", "k", "w", "wk", "q", "qk"), 0.0))
            sums["n"] += _number(cell["nr"] if weighted else cell["n"])
            sums["w"] += _number(cell["w"])
            sums["q"] += _number(cell["q"])
            if churned:
                sums["k"] += _number(cell["n"])
                sums["wk"] += _number(cell["w"])
                sums["qk"] += _number(cell["q"])
        label = None if query.grain is Grain.ALL else period
        groups.extend(
            _group(query, (label, segment), sums) for segment, sums in totals.items() if sums["n"]
        )
    return groups


def _proportion(source: MetricSource, query: Query) -> list[Group]:
    spec = query.spec
    if spec.required_tables and not all(source.has_table(name) for name in spec.required_tables):
        raise MetricError(spec.missing_hint)
    return _additive(source, query)


def collect(source: MetricSource, query: Query) -> list[Group]:
    """Sufficient statistics per group, computed on ``source``'s engine."""
    statistic = query.spec.statistic
    if statistic in (Statistic.CHURN, Statistic.REVENUE_CHURN):
        return _churn(source, query)
    if statistic is Statistic.REPEAT:
        return _repeat(source, query)
    if statistic is Statistic.QUANTILE:
        return _quantile(source, query)
    if statistic is Statistic.PROPORTION:
        return _proportion(source, query)
    return _additive(source, query)
