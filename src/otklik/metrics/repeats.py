"""FCR and repeat rate of one report from one read per period (issue 16, goal 6).

A KPI report asks the repeat metrics about the same period many times: FCR and the repeat
rate, 7- and 30-day windows, the whole scope and per team, per agent, per channel, the trend
test and the guardrails. Each of those queries (:func:`otklik.metrics.expressions.repeat_expr`)
sorts the period's contacts again to find each contact's next one; at 1M items that was 20
sorts of the same month (80 s of a 99 s report under load).

Inside :func:`otklik.metrics.compute.remembering` such queries share instead one
**contact frame** per range: one query returns every identified contact of [start, end) with
the time of the same customer's next strictly later contact (``_next``, the very window
expression of ``repeat_expr``: ``lead`` over the contacts from ``start`` to ``end`` + the
window + a day, ``max`` over a tie) and the fields a filter or a segment may name; each
query then counts its own contacts, its own window and its own groups from that frame in
Python. The numbers are those of ``repeat_expr`` (``tests/metrics/test_shared_repeats.py``
compares both, and an independent count, on random stores on SQLite and PostgreSQL):

* a contact counts as repeated when ``_next`` is set, later than it and at most ``window``
  days after it (whole days of naive UTC, as ``MetricSource.within_days``);
* periods are the local periods of the reporting zone (:func:`periods.local_date`, then
  :func:`periods.period_start`), as the engines cut them;
* ``last`` (the group's latest contact) and the censoring by the data's last contact are
  those of ``collect``.

Only queries with a ``start`` are shared (a frame holds one range's contacts; without a
start it would be every contact of the store), on the ledger's own store (a warehouse
mapping may not provide every field).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir

from otklik.metrics.backends import MetricSource
from otklik.metrics.groups import Group
from otklik.metrics.periods import Grain, period_start
from otklik.metrics.query import SEGMENT_FIELDS, Query
from otklik.metrics.results import CENSORED
from otklik.metrics.spec import Statistic, TableRole

__all__ = ["REACH_DAYS", "contact_frame_expr", "shared_repeat", "shares"]

REACH_DAYS = 30
"""The least window a frame is read for (the default KPIs use 7 and 30 days): a query with a
longer window reads its range again, once, with that window."""

_FIELDS: tuple[str, ...] = SEGMENT_FIELDS[TableRole.ITEMS]


@dataclass(frozen=True, slots=True)
class _Frame:
    reach: int  # the longest window (days) for which ``_next`` is exact
    rows: list[tuple[Any, ...]]  # (occurred_at, _next, *_FIELDS)


def shares(source: MetricSource, query: Query) -> bool:
    """Whether ``query`` is answered from a shared frame: a repeat metric with a start, while
    a report remembers (``source.memo``), on the ledger's store."""
    return (
        query.spec.statistic is Statistic.REPEAT
        and query.start is not None
        and getattr(source, "memo", None) is not None
        and type(source) is MetricSource
    )


def contact_frame_expr(
    source: MetricSource, start: datetime, end: datetime | None, reach: int
) -> ir.Table:
    """Every identified contact in [start, end) with ``_next``, the same customer's next
    strictly later contact when it is at most ``reach`` days (+ a day's margin) after ``end``
    (else possibly NULL, which no window up to ``reach`` counts), and the fields of
    ``SEGMENT_FIELDS`` (columns ``occurred_at``, those fields, ``_next``)."""
    source.require("window_functions")
    t = source.table(TableRole.ITEMS)
    contacts = t.filter(t.kind == "contact", t.customer_id.notnull())
    narrow = contacts.select("customer_id", "occurred_at", *_FIELDS)
    narrow = narrow.filter(narrow.occurred_at >= start)
    if end is not None:
        narrow = narrow.filter(narrow.occurred_at < end + timedelta(days=reach + 1))
    led = narrow.mutate(
        _lead=narrow.occurred_at.lead().over(
            ibis.window(group_by=narrow.customer_id, order_by=narrow.occurred_at)
        )
    )
    timed = led.mutate(
        _next=led._lead.max().over(ibis.window(group_by=[led.customer_id, led.occurred_at]))
    )
    if end is not None:
        timed = timed.filter(timed.occurred_at < end)
    following = timed._next
    if source.backend != "sqlite":
        # NULL where no later contact: declared nullable, or Arrow refuses the result (on
        # SQLite, whose rows are read as they come, a cast would cut the microseconds)
        following = following.cast(timed.occurred_at.type().copy(nullable=True))
    return timed.select("occurred_at", *_FIELDS, _next=following)


def _frame(source: MetricSource, query: Query) -> _Frame:
    memo = source.memo
    assert memo is not None and query.start is not None
    key = ("repeat_frame", query.start, query.end)
    found: _Frame | None = memo.get(key)
    if found is None or found.reach < query.window_days:
        reach = max(REACH_DAYS, query.window_days)
        expr = contact_frame_expr(source, query.start, query.end, reach)
        values: dict[Any, Any] = {}  # one object per distinct value: a year's frame is big
        rows = [
            (
                row["occurred_at"],
                row["_next"],
                *(values.setdefault(row[name], row[name]) for name in _FIELDS),
            )
            for row in source.execute(expr)
        ]
        found = memo[key] = _Frame(reach, rows)
    return found


def _local_period(moment: datetime, query: Query) -> date:
    local = moment.replace(tzinfo=UTC).astimezone(query.zone).date()
    return period_start(local, query.grain)


def shared_repeat(source: MetricSource, query: Query, data_end: Any) -> list[Group]:
    """The groups ``collect`` gives for repeat ``query`` (n, k, the censored flag), counted
    from the range's shared frame; ``data_end`` is the data's last contact."""
    frame = _frame(source, query)
    position = {name: i + 2 for i, name in enumerate(_FIELDS)}
    rows = frame.rows
    for name, values in query.filters:
        column, wanted = position[name], set(values)
        rows = [row for row in rows if row[column] in wanted]
    window = timedelta(days=query.window_days)
    segments = [position[name] for name in query.segments]
    by_period = query.grain is not Grain.ALL
    complement = query.spec.complement
    sums: dict[tuple[Any, ...], list[Any]] = {}
    for row in rows:
        moment, following = row[0], row[1]
        repeated = following is not None and moment < following <= moment + window
        period = _local_period(moment, query) if by_period else None
        key = (period, *(row[i] for i in segments))
        found = sums.get(key)
        if found is None:
            found = sums[key] = [0, 0, moment]
        found[0] += 1
        found[1] += 1 if repeated == complement else 0
        if moment > found[2]:
            found[2] = moment
    groups = []
    for key, (n, k, last) in sums.items():
        censored = data_end is None or last + window > data_end
        groups.append(
            Group(
                key[0],
                dict(zip(query.segments, key[1:], strict=True)),
                {"n": float(n), "k": float(k)},
                (CENSORED,) if censored else (),
            )
        )
    return groups
