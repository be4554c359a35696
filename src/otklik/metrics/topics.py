"""Topic analytics: volume, share, NPS and CSAT per topic of the taxonomy tree, by month, with
95% intervals and the change against the previous period; optionally split by a field.

An item carries several topics (its *current* labels: a human label wins over the machine's,
the ``current_classifications`` view). A parent counts every item that carries it or any of its
subtopics, each item once: ``app`` holds an item labelled ``app.login`` and ``app.payments``
one time. Figures are computed from counts the store sums in one query (grouped by the item's
topic list, the split value, month, kind, scale and score), then summed per topic here, so the
numbers are those of :func:`otklik.metrics.compute` restricted to the topic's items: NPS and
CSAT use the catalogue's scope (kinds), default scale and top box, the adjusted Wald interval
(NPS) and the Wilson interval (CSAT, shares), and :func:`~otklik.metrics.compare_groups` for the
change (adjusted Wald z-test; two-proportion z or Fisher's exact test).

    >>> report = topic_report(engine, topics=taxonomy.topic_ids(), period=Period.parse("2025-03"))
    >>> row = report.rows[0]; row.topic, row.volume, row.share.value, row.nps.value, row.nps.ci_low
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, tzinfo
from typing import Any

from sqlalchemy import Engine, Text, case, cast, column, func, literal, select, table

from otklik.ledger import (
    CURRENT_VIEW,
    FeedbackItem,
    Invitation,
    ItemFilter,
    item_condition,
)
from otklik.metrics.catalogue import get_metric
from otklik.metrics.compare import ALPHA, compare_groups
from otklik.metrics.groups import Group, finish
from otklik.metrics.periods import Grain, Period, as_utc_naive, get_zone
from otklik.metrics.results import MetricValue
from otklik.metrics.spec import MetricSpec
from otklik.metrics.stats import wilson_interval
from otklik.metrics.topic_results import TOPIC_METRICS, TopicFigures, TopicPoint, TopicReport
from otklik.types import SCALES

__all__ = ["TOPIC_SPLITS", "topic_ancestors", "topic_report"]

TOPIC_SPLITS: tuple[str, ...] = ("agent", "channel", "product", "mechanic")
"""Fields a report can be split by; ``mechanic`` is the survey mechanic of the invitation an
answer came through (``invitations.mechanic``; None for items that are not survey answers)."""

_VIEW = table(CURRENT_VIEW, column("item_id"), column("topics"))


def topic_ancestors(topic: str) -> list[str]:
    """``topic`` and every parent above it, nearest first: ``a.b.c`` → ``a.b.c, a.b, a``."""
    parts = topic.split(".")
    return [".".join(parts[:end]) for end in range(len(parts), 0, -1)]


class _Sums:
    """Sufficient statistics of one metric, as :class:`otklik.metrics.groups.Group` wants."""

    def __init__(self) -> None:
        self.stats: dict[str, float] = {}

    def add(self, stats: Mapping[str, float], count: int) -> None:
        for name, value in stats.items():
            self.stats[name] = self.stats.get(name, 0.0) + value * count


@dataclass
class _Cell:
    volume: int = 0
    sums: dict[str, _Sums] = field(default_factory=lambda: {m: _Sums() for m in TOPIC_METRICS})

    def add(self, count: int, scored: Mapping[str, Mapping[str, float]]) -> None:
        self.volume += count
        for name, stats in scored.items():
            self.sums[name].add(stats, count)


def _score_stats(
    specs: Mapping[str, MetricSpec], kind: str, scale: str | None, score: float | None
) -> dict[str, dict[str, float]]:
    """What one answer adds to each metric's sums: the catalogue's scope (kinds), default
    scale and top box; the bands of the scale (``otklik.types.SCALES``)."""
    found: dict[str, dict[str, float]] = {}
    if score is None or scale is None:
        return found
    for name, spec in specs.items():
        if spec.kinds is not None and kind not in spec.kinds:
            continue
        if kind in spec.excluded_kinds:
            continue
        params = spec.resolve(None)
        if scale != params.scale:
            continue
        if name == "nps":
            band = SCALES[scale]
            found[name] = {
                "n": 1.0,
                "promoters": float(band.is_top(score)),
                "detractors": float(band.is_low(score)),
            }
        else:
            assert params.top_box is not None
            found[name] = {"n": 1.0, "k": float(score >= params.top_box)}
    return found


def _months(period: Period, count: int) -> list[date]:
    last = Period.of(period.last_day, Grain.MONTH)
    months = [last.start]
    for _ in range(count - 1):
        months.insert(0, Period.of(months[0], Grain.MONTH).previous().start)
    return months


def _split_column(split: str | None) -> Any:
    if split is None:
        return literal(None)
    if split == "mechanic":
        return Invitation.mechanic
    return getattr(FeedbackItem, split)


def _buckets(
    engine: Engine,
    *,
    period: Period,
    previous: Period,
    months: Sequence[date],
    filters: ItemFilter | None,
    split: str | None,
    zone: tzinfo,
) -> list[Any]:
    at = FeedbackItem.occurred_at
    bounds = [as_utc_naive(month, zone) for month in months[1:]]
    bounds.append(as_utc_naive(period.end, zone))
    month_index = case(
        (at < as_utc_naive(months[0], zone), -1),
        *((at < bound, index) for index, bound in enumerate(bounds)),
        else_=-1,
    )
    cur_start, cur_end = period.utc_bounds(zone)
    prev_start, prev_end = previous.utc_bounds(zone)
    side = case(
        ((at >= cur_start) & (at < cur_end), 1),
        ((at >= prev_start) & (at < prev_end), 0),
        else_=-1,
    )
    begin = min(as_utc_naive(months[0], zone), prev_start)
    topics = cast(_VIEW.c.topics, Text)
    segment = _split_column(split)
    columns = (
        topics,
        segment,
        month_index,
        side,
        FeedbackItem.kind,
        FeedbackItem.scale,
        FeedbackItem.score,
    )
    query = select(*columns, func.count()).select_from(
        FeedbackItem.__table__.outerjoin(_VIEW, _VIEW.c.item_id == FeedbackItem.id)
    )
    if split == "mechanic":
        query = query.outerjoin(Invitation, Invitation.item_id == FeedbackItem.id)
    query = query.where(item_condition(filters=filters, start=begin, end=cur_end)).group_by(
        *columns
    )
    with engine.connect() as conn:
        return list(conn.execute(query))


def _topic_set(raw: str | None) -> set[str]:
    if not raw:
        return set()
    try:
        value = json.loads(raw)
    except ValueError:
        return set()
    if not isinstance(value, list):
        return set()
    found: set[str] = set()
    for topic in value:
        if isinstance(topic, str) and topic:
            found.update(topic_ancestors(topic))
    return found


def topic_report(
    engine: Engine,
    *,
    topics: Sequence[str],
    period: Period,
    filters: ItemFilter | None = None,
    split: str | None = None,
    months: int = 12,
    timezone: str | tzinfo | None = "UTC",
    alpha: float = ALPHA,
) -> TopicReport:
    """Figures per topic for ``period`` (local days of ``timezone``), items narrowed by
    ``filters`` (ledger fields → allowed values, as :func:`otklik.ledger.item_condition`;
    the web passes the user's zone here, so totals and shares stay inside it).

    ``topics`` are the taxonomy's full ids, parents before children (``Taxonomy.topic_ids``);
    topics found on items but missing from it are added after them. ``split`` is one of
    :data:`TOPIC_SPLITS` or None; without a split every topic has a row, with one only the
    (topic, value) pairs with items in the period, the previous one or the trend. ``months``
    (1–36) is the length of the monthly trend, which ends with the month of the period's last
    day (its last point is cut at the period's end).
    Raises ValueError for an unknown split or a month count out of range.
    """
    if split is not None and split not in TOPIC_SPLITS:
        raise ValueError(f"cannot split topics by {split!r} (use {', '.join(TOPIC_SPLITS)})")
    if not 1 <= months <= 36:
        raise ValueError("months must be between 1 and 36")
    zone = get_zone(timezone)
    previous = period.previous()
    month_starts = _months(period, months)
    specs = {name: get_metric(name) for name in TOPIC_METRICS}
    # (topic or None for all, segment) → side/month → cell
    current: dict[tuple[str | None, str | None], _Cell] = {}
    before: dict[tuple[str | None, str | None], _Cell] = {}
    trend: dict[tuple[str | None, str | None], dict[int, _Cell]] = {}
    seen: set[str] = set()
    rows = _buckets(
        engine,
        period=period,
        previous=previous,
        months=month_starts,
        filters=filters,
        split=split,
        zone=zone,
    )
    for raw, segment, month, side, kind, scale, score, count in rows:
        found = _topic_set(raw)
        seen.update(found)
        scored = _score_stats(specs, kind, scale, score)
        segment_key = None if segment is None else str(segment)
        for topic in (None, *found):
            key = (topic, segment_key)
            if side == 1:
                current.setdefault(key, _Cell()).add(count, scored)
            elif side == 0:
                before.setdefault(key, _Cell()).add(count, scored)
            if month >= 0:
                trend.setdefault(key, {}).setdefault(month, _Cell()).add(count, scored)
    order = list(dict.fromkeys([*topics, *sorted(seen - set(topics))]))
    segments = _segment_order(current, before)
    zone_name = zone.key

    def figures(topic: str | None, segment: str | None) -> TopicFigures:
        key = (topic, segment)
        cell = current.get(key, _Cell())
        old = before.get(key, _Cell())
        total = current.get((None, segment), _Cell()).volume
        metrics = {
            name: finish(spec, Group(None, {}, _stats(cell, name)), zone_name)
            for name, spec in specs.items()
        }
        changes = {
            name: compare_groups(
                spec,
                Group(None, {}, _stats(old, name)),
                Group(None, {}, _stats(cell, name)),
                previous.label,
                period.label,
                alpha=alpha,
                timezone=zone_name,
            )
            for name, spec in specs.items()
        }
        by_month = trend.get(key, {})
        points = [
            TopicPoint(
                start,
                by_month.get(index, _Cell()).volume,
                {
                    name: finish(
                        spec,
                        Group(start, {}, _stats(by_month.get(index, _Cell()), name)),
                        zone_name,
                    )
                    for name, spec in specs.items()
                },
            )
            for index, start in enumerate(month_starts)
        ]
        return TopicFigures(
            topic,
            segment,
            cell.volume,
            old.volume,
            _share(cell.volume, total),
            metrics,
            changes,
            points,
        )

    return TopicReport(
        period=period,
        previous=previous,
        timezone=zone_name,
        split=split,
        months=month_starts,
        total=[figures(None, segment) for segment in segments],
        rows=[
            figures(topic, segment)
            for topic in order
            for segment in segments
            # split: only the combinations that occur (topics × agents can be large)
            if split is None
            or (topic, segment) in current
            or (topic, segment) in before
            or (topic, segment) in trend
        ],
    )


def _stats(cell: _Cell, name: str) -> dict[str, float]:
    stats = dict(cell.sums[name].stats)
    stats.setdefault("n", 0.0)
    return stats


def _share(volume: int, total: int) -> MetricValue:
    if total <= 0:
        return MetricValue(None, 0, None, None)
    interval = wilson_interval(volume, total)
    return MetricValue(100 * volume / total, total, 100 * interval.low, 100 * interval.high)


def _segment_order(
    *sides: Mapping[tuple[str | None, str | None], _Cell],
) -> list[str | None]:
    """Split values by volume in the period (most first; missing values last)."""
    volumes: dict[str | None, int] = {}
    for side in sides:
        for (topic, segment), cell in side.items():
            if topic is None:
                volumes[segment] = volumes.get(segment, 0) + (
                    cell.volume if side is sides[0] else 0
                )
    ordered = sorted(volumes, key=lambda value: (value is None, -volumes[value], str(value)))
    return ordered or [None]
