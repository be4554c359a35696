"""Measuring the planted patterns in the store, so the demo shows evidence, not promises.

Each figure is computed with plain SQL from the ledger; where a pattern is not there (a store
without the demo, or too few rows) the finding says so instead of inventing a number.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select

from otklik.demo.scenario import (
    GAMING_AGENT,
    GROWING_REASON,
    OUTAGE_END,
    OUTAGE_START,
    PATTERNS,
    PERIOD_START,
    REPEAT_WINDOW_DAYS,
    PlantedPattern,
)
from otklik.ledger import FeedbackItem
from otklik.types import SCALES

__all__ = ["Finding", "count_if", "find_patterns", "plus_days"]

_NO_DATA = "not found in this store"


@dataclass(frozen=True)
class Finding:
    """A planted pattern with the figures that show it (``found``: the figures bear it out)."""

    key: str
    title: str
    title_ru: str
    look_for: str
    evidence: str
    found: bool


def count_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _pct(part: float, whole: float) -> float:
    return 100.0 * part / whole if whole else 0.0


def plus_days(dialect: str, column: Any, days: int) -> Any:
    """``column + days`` in SQL: SQLite has no interval type, so it uses datetime()."""
    if dialect == "sqlite":
        return func.datetime(column, f"+{days} days")
    return column + timedelta(days=days)


def _low_score() -> ColumnElement[bool]:
    """A low score on its scale: the scale's own low band (``otklik.types.SCALES``)."""
    item = FeedbackItem
    return or_(
        *(and_(item.scale == name, item.score <= spec.low_max) for name, spec in SCALES.items())
    )


def _outage(conn: Any, sources: ColumnElement[bool], weeks: float) -> tuple[str, bool]:
    item = FeedbackItem
    in_week = and_(item.occurred_at >= OUTAGE_START, item.occurred_at < OUTAGE_END)
    week, total = conn.execute(
        select(count_if(in_week), func.count()).where(
            sources, item.kind.in_(["survey", "review"]), _low_score()
        )
    ).one()
    if not week or weeks <= 1:
        return _NO_DATA, False
    usual = (total - week) / (weeks - 1)
    ratio = week / usual if usual else float("inf")
    return (
        f"{week:,} low scores in the week of {OUTAGE_START:%d %b} vs {usual:,.0f} in an average "
        f"week ({ratio:.1f}×)",
        ratio >= 3,
    )


def _gaming(conn: Any, sources: ColumnElement[bool]) -> tuple[str, bool]:
    item = FeedbackItem
    # The customer's next contact, by a window rather than a correlated subquery: one sort
    # instead of a probe per call, which SQLite would plan through the wrong index.
    contacts = (
        select(
            item.channel,
            item.agent,
            item.handle_time_s,
            item.ended_by,
            item.occurred_at,
            func.lead(item.occurred_at)
            .over(partition_by=item.customer_id, order_by=item.occurred_at)
            .label("next_at"),
        )
        .where(sources, item.kind == "contact", item.customer_id.is_not(None))
        .subquery()
    )
    window_end = plus_days(conn.dialect.name, contacts.c.occurred_at, REPEAT_WINDOW_DAYS)
    came_back = and_(contacts.c.next_at.is_not(None), contacts.c.next_at <= window_end)
    figures = []
    row = conn.execute(
        select(
            *(
                aggregate
                for who in (contacts.c.agent == GAMING_AGENT, contacts.c.agent != GAMING_AGENT)
                for aggregate in (
                    count_if(who),
                    func.coalesce(func.sum(case((who, contacts.c.handle_time_s), else_=0)), 0),
                    count_if(and_(who, contacts.c.ended_by == "agent")),
                    count_if(and_(who, came_back)),
                )
            )
        ).where(contacts.c.channel == "call")
    ).one()
    for n, handle, by_agent, back in (row[:4], row[4:]):
        figures.append((n, float(handle) / n if n else 0.0, _pct(by_agent, n), _pct(back, n)))
    (n, aht, ended, back), (peers, peer_aht, peer_ended, peer_back) = figures
    if not n or not peers:
        return _NO_DATA, False
    return (
        f"{n:,} calls: AHT {aht:.0f} s vs {peer_aht:.0f} s for peers; ended by the agent "
        f"{ended:.0f}% vs {peer_ended:.0f}%; called back within {REPEAT_WINDOW_DAYS} days "
        f"{back:.0f}% vs {peer_back:.0f}%",
        aht < 0.5 * peer_aht and ended > 3 * peer_ended and back > 2 * peer_back,
    )


def _bouncing(conn: Any, sources: ColumnElement[bool]) -> tuple[str, bool]:
    item = FeedbackItem
    rows = conn.execute(
        select(item.touchpoint, func.count(), count_if(item.transfers >= 1))
        .where(sources, item.kind == "contact", item.transfers.is_not(None))
        .group_by(item.touchpoint)
    ).all()
    moved_all = sum(row[2] for row in rows)
    if not moved_all:
        return _NO_DATA, False
    touchpoint, n, moved = max(rows, key=lambda row: row[2])
    rest_n = sum(row[1] for row in rows) - n
    rate, rest_rate = _pct(moved, n), _pct(moved_all - moved, rest_n)
    return (
        f"'{touchpoint}': {rate:.0f}% of contacts transferred vs {rest_rate:.0f}% elsewhere; "
        f"{_pct(moved, moved_all):.0f}% of all transferred contacts",
        rate >= 3 * rest_rate,
    )


def _churn_reason(conn: Any, sources: ColumnElement[bool], year: int) -> tuple[str, bool]:
    item = FeedbackItem
    reason = item.attributes["churn_reason"].as_string()
    edges = [datetime(year, month, 1) for month in (1, 4, 7, 10)] + [datetime(year + 1, 1, 1)]
    quarters = [
        and_(item.occurred_at >= start, item.occurred_at < end)
        for start, end in itertools.pairwise(edges)
    ]
    row = conn.execute(
        select(
            *(count_if(quarter) for quarter in quarters),
            *(count_if(and_(quarter, reason == GROWING_REASON)) for quarter in quarters),
        ).where(sources, item.kind == "exit")
    ).one()
    totals, hits = row[:4], row[4:]
    if not all(totals):
        return _NO_DATA, False
    shares = [_pct(hit, total) for hit, total in zip(hits, totals, strict=True)]
    steps = " → ".join(f"Q{number} {share:.0f}%" for number, share in enumerate(shares, 1))
    rising = all(a < b for a, b in itertools.pairwise(shares))
    return f"'{GROWING_REASON}' among exit reasons: {steps}", rising and shares[-1] >= 2 * shares[0]


def find_patterns(
    conn: Any, sources: ColumnElement[bool], first_at: datetime | None, last_at: datetime | None
) -> tuple[Finding, ...]:
    """The planted patterns, each with figures measured in the store."""
    results: dict[str, tuple[str, bool]] = {}
    if first_at is None or last_at is None:
        results = {pattern.key: (_NO_DATA, False) for pattern in PATTERNS}
    else:
        weeks = (last_at - first_at).total_seconds() / (7 * 86_400)
        results["outage"] = _outage(conn, sources, weeks)
        results["gaming_agent"] = _gaming(conn, sources)
        results["bouncing"] = _bouncing(conn, sources)
        results["growing_churn_reason"] = _churn_reason(conn, sources, PERIOD_START.year)
    return tuple(_finding(pattern, *results[pattern.key]) for pattern in PATTERNS)


def _finding(pattern: PlantedPattern, evidence: str, found: bool) -> Finding:
    return Finding(
        key=pattern.key,
        title=pattern.title,
        title_ru=pattern.title_ru,
        look_for=pattern.look_for,
        evidence=evidence,
        found=found,
    )
