"""Compiling a metric into Ibis expressions.

Each metric becomes *sufficient statistics* per group (period × segments): counts and sums
that the stats module turns into a value and an interval. Counts and sums add up, so the same
statistics also feed rollups. Quantiles are taken from ranks (``row_number``), FCR from the
next contact of the same customer (``lead``), churn from a two-way table of start and churn
periods; all of it is plain SQL that every declared engine runs alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, tzinfo

import ibis
import ibis.expr.types as ir

from otklik.metrics.backends import MetricSource
from otklik.metrics.periods import Grain, utc_offsets
from otklik.metrics.query import Query
from otklik.metrics.spec import MetricParams, MetricSpec, Statistic, TableRole
from otklik.types import SCALES

__all__ = [
    "ADDITIVE_STATS",
    "PERIOD",
    "ROWS",
    "additive_expr",
    "additive_stats",
    "churn_cells_expr",
    "cube_expr",
    "data_end_expr",
    "filtered_expr",
    "local_period",
    "quantile_counts_expr",
    "quantile_values_expr",
    "repeat_expr",
    "zone_offsets",
]

_NPS = SCALES["nps"]  # promoters are its top band, detractors its low band
PERIOD = "_period"
ROWS = "_rows"

ADDITIVE_STATS: dict[Statistic, tuple[str, ...]] = {
    Statistic.NPS: ("promoters", "detractors"),
    Statistic.PROPORTION: ("k",),
    Statistic.MEAN: ("s1", "s2"),
}
"""The sums (besides the row count n) each additive statistic needs."""


def _equals(column: ir.Value, values: Sequence[str | None]) -> ir.BooleanValue:
    present = [value for value in values if value is not None]
    condition = column.isin(present) if present else ibis.literal(False)
    if len(present) < len(values):
        condition = condition | column.isnull()
    return condition


def _filtered(source: MetricSource, query: Query) -> ir.Table:
    t = source.table(query.spec.table, hint=query.spec.missing_hint)
    predicates = _predicates(t, query)
    return t.filter(*predicates) if predicates else t


def filtered_expr(source: MetricSource, query: Query) -> ir.Table:
    """The rows ``query`` counts (its metric's rows, range and filters), before grouping."""
    return _filtered(source, query)


def _predicates(t: ir.Table, query: Query) -> list[ir.BooleanValue]:
    spec = query.spec
    predicates: list[ir.BooleanValue] = []
    rows = spec.rows(t, query.params)
    if rows is not None:
        predicates.append(rows)
    moment = t[spec.time_column]
    if query.start is not None:
        predicates.append(moment >= query.start)
    if query.end is not None:
        predicates.append(moment < query.end)
    predicates.extend(_equals(t[field], values) for field, values in query.filters)
    return predicates


_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/Universal", "Universal", "Zulu", "Etc/Zulu"})


def zone_offsets(
    source: MetricSource,
    t: ir.Table,
    columns: Sequence[str],
    zone: tzinfo,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[tuple[datetime, int]]:
    """The zone's UTC offsets over the rows of ``t`` (or over [start, end) when both are
    given): what :meth:`MetricSource.to_local` needs. Empty for UTC (nothing to shift)."""
    if getattr(zone, "key", None) in _UTC_NAMES:
        return []
    if start is None or end is None:
        bounds: dict[str, ir.Scalar] = {}
        for i, column in enumerate(columns):
            kind = t[column].type().copy(nullable=True)
            bounds[f"lo{i}"] = t[column].min().cast(kind)
            bounds[f"hi{i}"] = t[column].max().cast(kind)
        row = source.execute(t.aggregate(**bounds))[0]
        lows = [value for name, value in row.items() if name.startswith("lo") and value]
        highs = [value for name, value in row.items() if name.startswith("hi") and value]
        start = start or (min(lows) if lows else None)
        end = end or (max(highs) if highs else None)
    first = start or end or datetime(2000, 1, 1)
    return utc_offsets(zone, first, end or first)


def local_period(
    source: MetricSource,
    moment: ir.TimestampValue,
    grain: Grain,
    offsets: Sequence[tuple[datetime, int]],
) -> ir.TimestampValue:
    """The start of the local period (naive local midnight) that contains UTC ``moment``."""
    return source.to_local(moment, offsets).truncate(grain.ibis_unit)


def _keys(
    source: MetricSource,
    t: ir.Table,
    query: Query,
    time_column: str,
    bounds: ir.Table | None = None,
) -> dict[str, ir.Value]:
    """Group keys: the local period (offsets over the rows of ``bounds``, default ``t``) and
    the segments."""
    keys: dict[str, ir.Value] = {}
    if query.grain is not Grain.ALL:
        offsets = zone_offsets(
            source,
            t if bounds is None else bounds,
            [time_column],
            query.zone,
            query.start,
            query.end,
        )
        keys[PERIOD] = local_period(source, t[time_column], query.grain, offsets)
    keys.update({field: t[field] for field in query.segments})
    return keys


def _aggregate(t: ir.Table, keys: dict[str, ir.Value], **metrics: ir.Scalar) -> ir.Table:
    return t.group_by(**keys).aggregate(**metrics) if keys else t.aggregate(**metrics)


def additive_stats(
    spec: MetricSpec, params: MetricParams, t: ir.Table
) -> dict[str, ir.NumericValue]:
    """Per-row contributions whose sums (plus the row count ``n``) determine the metric."""
    if spec.statistic is Statistic.NPS:
        return {
            "promoters": ibis.ifelse(t.score >= _NPS.top_min, 1, 0),
            "detractors": ibis.ifelse(t.score <= _NPS.low_max, 1, 0),
        }
    if spec.statistic is Statistic.PROPORTION:
        assert spec.success is not None
        return {"k": ibis.ifelse(spec.success(t, params), 1, 0)}
    if spec.statistic is Statistic.MEAN:
        assert spec.value is not None
        value = spec.value(t, params).cast("float64")
        return {"s1": value, "s2": value * value}
    raise ValueError(f"{spec.name} is not additive")


def additive_expr(source: MetricSource, query: Query) -> ir.Table:
    """n and the sums of :func:`additive_stats` per period and segment."""
    t = _filtered(source, query)
    stats = additive_stats(query.spec, query.params, t)
    sums = {name: value.sum() for name, value in stats.items()}
    return _aggregate(t, _keys(source, t, query, query.spec.time_column), n=t.count(), **sums)


def _quantile_rows(source: MetricSource, query: Query) -> tuple[ir.Table, list[str]]:
    t = _filtered(source, query)
    keys = _keys(source, t, query, query.spec.time_column)
    assert query.spec.value is not None
    rows = t.select(_v=query.spec.value(t, query.params).cast("float64"), **keys)
    return rows, list(keys)


def quantile_counts_expr(source: MetricSource, query: Query) -> ir.Table:
    """How many values each group has (the ranks to fetch depend on it)."""
    rows, keys = _quantile_rows(source, query)
    return _aggregate(rows, {key: rows[key] for key in keys}, n=rows.count())


def quantile_values_expr(source: MetricSource, query: Query, ranks: Iterable[int]) -> ir.Table:
    """The values at the given 1-based ranks within every group (``_r`` is 1-based)."""
    source.require("window_functions")
    rows, keys = _quantile_rows(source, query)
    window = ibis.window(group_by=[rows[key] for key in keys] or None, order_by=rows._v)
    ranked = rows.mutate(_r=ibis.row_number().over(window) + 1)
    return ranked.filter(ranked._r.isin(sorted(set(ranks)))).select(*keys, "_r", "_v")


_WIDE = ("text", "attributes")  # columns no repeat figure reads


def repeat_expr(source: MetricSource, query: Query) -> ir.Table:
    """Per group: contacts (n), those that count (k: unrepeated, or repeated for the
    complement) and the last contact's time (for censoring).

    The next contact of the same customer is ``lead`` over all identified contacts (filters
    come after, so a repeat in another channel or after ``end`` still counts). Contacts at the
    same moment are not repeats of each other: within a tie the last row's ``lead`` is the next
    strictly later contact, and ``max`` over the tie gives it to every row of the tie.
    """
    source.require("window_functions")
    t = source.table(TableRole.ITEMS)
    contacts = t.filter(t.kind == "contact", t.customer_id.notnull())
    # What the window sorts: only the contacts that can be a counted contact's next one, and
    # not the wide columns (the same numbers, a fraction of the work at 1M items). A contact
    # in [start, end) has its next contact at or after its own moment, and counts as repeated
    # only if that is within the window: contacts before ``start`` or after
    # ``end + window`` (a day's margin) change no counted contact's result.
    narrow = contacts.drop(*(name for name in _WIDE if name in contacts.columns))
    if query.start is not None:
        narrow = narrow.filter(narrow.occurred_at >= query.start)
    if query.end is not None:
        margin = timedelta(days=query.window_days + 1)
        narrow = narrow.filter(narrow.occurred_at < query.end + margin)
    contacts_all = contacts
    contacts = narrow
    led = contacts.mutate(
        _lead=contacts.occurred_at.lead().over(
            ibis.window(group_by=contacts.customer_id, order_by=contacts.occurred_at)
        )
    )
    timed = led.mutate(
        _next=led._lead.max().over(ibis.window(group_by=[led.customer_id, led.occurred_at]))
    )
    base = timed.filter(*_predicates(timed, query))
    repeated = (
        base._next.notnull()
        & (base._next > base.occurred_at)
        & source.within_days(base._next, base.occurred_at, query.window_days)
    )
    counted = ibis.ifelse(repeated, 1, 0) if query.spec.complement else ibis.ifelse(repeated, 0, 1)
    return _aggregate(
        base,
        _keys(source, base, query, "occurred_at", bounds=contacts_all),
        n=base.count(),
        k=counted.sum(),
        last=base.occurred_at.max(),
    )


def data_end_expr(source: MetricSource) -> ir.Table:
    """The last contact in the data (any customer, any channel): where windows are cut."""
    t = source.table(TableRole.ITEMS)
    # The maximum of no contacts is NULL: declare it nullable, or Arrow refuses the result
    # (PostgreSQL, where occurred_at is NOT NULL).
    last = t.occurred_at.max().cast(t.occurred_at.type().copy(nullable=True))
    return t.filter(t.kind == "contact").aggregate(last=last)


def churn_cells_expr(source: MetricSource, query: Query) -> ir.Table:
    """Customers counted by (start bucket ``sp``, churn bucket ``cp``, segments).

    With a grain the buckets are period starts (``cp`` is null for customers still there);
    for the whole range [start, end) they are −1 (before start), 0 (inside), 1 (after end),
    2 (never churned), so that one rule serves both: the base of period P is ``sp < P`` and
    (``cp`` null or ``cp ≥ P``); its churned customers have ``cp = P``.
    """
    c = source.table(TableRole.CUSTOMERS)
    predicates = [c.started_at.notnull()]
    predicates.extend(_equals(c[field], values) for field, values in query.filters)
    c = c.filter(*predicates)
    if query.grain is Grain.ALL:
        assert query.start is not None
        start: datetime = query.start
        sp = ibis.ifelse(c.started_at < start, -1, 0)
        inside = ibis.literal(0)
        if query.end is not None:
            inside = ibis.ifelse(c.churned_at < query.end, 0, 1)
        cp = ibis.ifelse(c.churned_at.isnull(), 2, ibis.ifelse(c.churned_at < start, -1, inside))
    else:
        offsets = zone_offsets(source, c, ["started_at", "churned_at"], query.zone)
        sp = local_period(source, c.started_at, query.grain, offsets)
        cp = local_period(source, c.churned_at, query.grain, offsets)
    revenue = c.revenue.cast("float64")
    keys: dict[str, ir.Value] = {"sp": sp, "cp": cp}
    keys.update({field: c[field] for field in query.segments})
    return c.group_by(**keys).aggregate(
        n=c.count(),
        nr=ibis.ifelse(revenue.notnull(), 1, 0).sum(),
        w=revenue.sum(),
        q=(revenue * revenue).sum(),
    )


def cube_expr(
    source: MetricSource,
    specs: Sequence[MetricSpec],
    dimensions: Sequence[str],
    after_id: int | None = None,
    zone: tzinfo | None = None,
    *,
    upto_id: int | None = None,
    ranges: Sequence[tuple[datetime, datetime]] = (),
) -> ir.Table:
    """One scan: per local day (in ``zone``, default UTC) and dimension values, every
    additive metric's n and sums (default parameters). Columns are named ``{metric}__{stat}``,
    plus ``_rows`` (all items of the group, to check a refresh); ``after_id`` and ``upto_id``
    limit it to ids in (after_id, upto_id], ``ranges`` to items whose ``occurred_at`` (naive
    UTC) falls in one of the [start, end) ranges."""
    t = source.table(TableRole.ITEMS)
    if after_id is not None:
        t = t.filter(t.id > after_id)
    if upto_id is not None:
        t = t.filter(t.id <= upto_id)
    if ranges:
        inside = [(t.occurred_at >= lo) & (t.occurred_at < hi) for lo, hi in ranges]
        condition = inside[0]
        for more in inside[1:]:
            condition = condition | more
        t = t.filter(condition)
    offsets = [] if zone is None else zone_offsets(source, t, ["occurred_at"], zone)
    sums: dict[str, ir.Scalar] = {}
    for spec in specs:
        params = spec.resolve(None)
        where = spec.rows(t, params)
        assert where is not None
        sums[f"{spec.name}__n"] = ibis.ifelse(where, 1, 0).sum()
        for name, value in additive_stats(spec, params, t).items():
            sums[f"{spec.name}__{name}"] = ibis.ifelse(where, value, 0).sum()
    keys: dict[str, ir.Value] = {"day": local_period(source, t.occurred_at, Grain.DAY, offsets)}
    keys.update({field: t[field] for field in dimensions})
    return t.group_by(**keys).aggregate(**sums, **{ROWS: t.count()})
