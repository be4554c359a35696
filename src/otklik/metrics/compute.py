"""``compute``: the one entry point every figure goes through (CLI, web, KPIs, exports)."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime, tzinfo
from typing import TypeAlias

import ibis
from ibis.backends import BaseBackend
from sqlalchemy import Engine

from otklik.metrics.backends import MetricSource, connect
from otklik.metrics.catalogue import get_metric
from otklik.metrics.collect import collect, data_end
from otklik.metrics.expressions import (
    additive_expr,
    churn_cells_expr,
    filtered_expr,
    quantile_counts_expr,
    repeat_expr,
)
from otklik.metrics.groups import Group, finish, sort_rows
from otklik.metrics.periods import Grain
from otklik.metrics.query import FilterValue, Query, make_query
from otklik.metrics.repeats import shared_repeat, shares
from otklik.metrics.results import MetricRow
from otklik.metrics.spec import MetricParams, MetricSpec, Statistic

__all__ = ["SourceLike", "compute", "groups_for", "last_moment", "opened", "remembering", "to_sql"]

SourceLike: TypeAlias = MetricSource | str | Engine | BaseBackend


@contextmanager
def opened(source: SourceLike) -> Iterator[MetricSource]:
    """``source`` as a :class:`MetricSource`, closed afterwards if it was opened here."""
    if isinstance(source, MetricSource):
        yield source
        return
    src = connect(source)
    try:
        yield src
    finally:
        src.close()


def groups_for(source: MetricSource, query: Query, *, rollups: bool = True) -> list[Group]:
    """Sufficient statistics per group: from the rollup when it covers the query, else the
    engine (both give the same numbers; a test holds them to it)."""
    source.check(query)
    memo = getattr(source, "memo", None)
    if memo is not None:
        # The spec by identity (it holds the spec alive, so the id is not reused meanwhile).
        key = (id(query.spec), *(getattr(query, name) for name in _KEYED), query.zone.key, rollups)
        if key not in memo:
            memo[key] = (query.spec, _groups(source, query, rollups))
        return copy.deepcopy(memo[key][1])
    return _groups(source, query, rollups)


_KEYED = ("grain", "segments", "filters", "start", "end", "params")


def _groups(source: MetricSource, query: Query, rollups: bool) -> list[Group]:
    cube = source.rollups
    if rollups and cube is not None and cube.covers(query):
        return list(cube.collect(query))
    if shares(source, query):  # FCR / repeat rate within a report: one read per range
        return shared_repeat(source, query, data_end(source))
    return collect(source, query)


@contextmanager
def remembering(source: MetricSource) -> Iterator[MetricSource]:
    """Within the block, each distinct query on ``source`` runs once (a report that needs the
    same figure for several KPIs, guardrails and tests), and FCR / repeat-rate queries over
    the same range share one read of its contacts (:mod:`otklik.metrics.repeats`); nothing
    is kept afterwards, so a later report sees new data."""
    if getattr(source, "memo", None) is not None:  # an enclosing block already remembers
        yield source
        return
    source.memo = {}
    try:
        yield source
    finally:
        source.memo = None


def _query(
    spec: MetricSpec,
    src: MetricSource,
    by: Grain | str,
    segments: Sequence[str],
    filters: Mapping[str, FilterValue] | None,
    start: date | datetime | None,
    end: date | datetime | None,
    params: MetricParams,
    timezone: str | tzinfo | None,
) -> Query:
    """The one query ``compute`` runs and ``to_sql`` shows; no zone given: the source's."""
    return make_query(
        spec,
        by=by,
        segments=segments,
        filters=filters,
        start=start,
        end=end,
        params=params,
        timezone=timezone if timezone is not None else src.timezone,
    )


def compute(
    metric: str | MetricSpec,
    source: SourceLike,
    *,
    by: Grain | str = Grain.ALL,
    segments: Sequence[str] = (),
    filters: Mapping[str, FilterValue] | None = None,
    start: date | datetime | None = None,
    end: date | datetime | None = None,
    window_days: int | None = None,
    scale: str | None = None,
    top_box: float | None = None,
    rollups: bool = True,
    timezone: str | tzinfo | None = None,
) -> list[MetricRow]:
    """The metric per period (``by``) and segment, each row with n, a 95% interval and flags.

    ``source`` is a :class:`MetricSource`, a database URL, a SQLAlchemy engine or an Ibis
    connection. ``filters`` maps a field to a value or a list of values (None matches a
    missing value); ``start`` is inclusive and ``end`` exclusive (a date means its midnight in
    the reporting zone, a naive datetime is UTC). ``timezone`` is the reporting zone in which
    periods are cut and labelled (None: the setting ``OTKLIK_TIMEZONE``, default UTC).
    ``window_days`` is the FCR/repeat window, ``scale`` and ``top_box`` choose the scale and
    the lowest top-box score of CSAT-like metrics. Rows come sorted by period, then segment.
    """
    spec = get_metric(metric)
    params = MetricParams(window_days=window_days, scale=scale, top_box=top_box)
    with opened(source) as src:
        query = _query(spec, src, by, segments, filters, start, end, params, timezone)
        groups = groups_for(src, query, rollups=rollups)
    return sort_rows([finish(spec, group, query.zone.key) for group in groups])


def last_moment(
    metric: str | MetricSpec,
    source: SourceLike,
    *,
    filters: Mapping[str, FilterValue] | None = None,
    window_days: int | None = None,
) -> datetime | None:
    """The latest time (naive UTC) among the rows ``metric`` counts in the scope of
    ``filters``; None when it counts none (on SQLite to the millisecond). One query, no
    grouping, however many rows."""
    spec = get_metric(metric)
    params = MetricParams(window_days=window_days)
    with opened(source) as src:
        query = _query(spec, src, Grain.ALL, (), filters, None, None, params, None)
        src.check(query)
        t = filtered_expr(src, query)
        moment = t[spec.time_column]
        found = src.execute(t.aggregate(last=moment.max().cast(moment.type().copy(nullable=True))))
    last = found[0]["last"] if found else None
    return last if isinstance(last, datetime) or last is None else None


def to_sql(
    metric: str | MetricSpec,
    source: SourceLike,
    *,
    by: Grain | str = Grain.ALL,
    segments: Sequence[str] = (),
    filters: Mapping[str, FilterValue] | None = None,
    start: date | datetime | None = None,
    end: date | datetime | None = None,
    window_days: int | None = None,
    scale: str | None = None,
    top_box: float | None = None,
    timezone: str | tzinfo | None = None,
) -> str:
    """The SQL of the metric's main query in ``source``'s dialect (to read or to audit)."""
    spec = get_metric(metric)
    params = MetricParams(window_days=window_days, scale=scale, top_box=top_box)
    with opened(source) as src:
        query = _query(spec, src, by, segments, filters, start, end, params, timezone)
        src.check(query)
        statistic = spec.statistic
        if statistic in (Statistic.CHURN, Statistic.REVENUE_CHURN):
            expr = churn_cells_expr(src, query)
        elif statistic is Statistic.REPEAT:
            expr = repeat_expr(src, query)
        elif statistic is Statistic.QUANTILE:
            expr = quantile_counts_expr(src, query)
        else:
            expr = additive_expr(src, query)
        return str(ibis.to_sql(expr, dialect=src.backend))
