"""Pillar scores: the six pillars of CX excellence (KPMG) as a lens on customers' feedback.

The rules classifier tags items with pillars (integrity, resolution, expectations, time and
effort, personalisation, empathy: the taxonomy's ``pillars``). For each pillar and period the
score says how the items tagged with it feel: the share negative and the share positive
(Wilson intervals), and the NPS and CSAT of those of them that carry a score (adjusted Wald
and Wilson), with the trend: the change of the negative share from the previous period and
whether it is more than noise (two-proportion z-test). Employees' answers are not counted.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import Engine, Text, case, cast, column, func, select, table

from otklik.errors import MetricError
from otklik.ledger import CURRENT_VIEW, EMPLOYEE_KINDS, FeedbackItem
from otklik.metrics import (
    ALPHA,
    Grain,
    Period,
    as_utc_naive,
    get_zone,
    nps_interval,
    two_proportion_test,
    wilson_interval,
)
from otklik.types import SCALES

__all__ = ["PILLARS", "PillarPoint", "PillarReport", "PillarTrend", "pillar_scores"]

PILLARS: tuple[str, ...] = (
    "integrity",
    "resolution",
    "expectations",
    "time_effort",
    "personalisation",
    "empathy",
)
_CSAT_SCALES = ("csat5", "csat10")


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


@dataclass(frozen=True)
class Figure:
    value: float | None
    n: int
    ci_low: float | None
    ci_high: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": _rounded(self.value),
            "n": self.n,
            "ci_low": _rounded(self.ci_low),
            "ci_high": _rounded(self.ci_high),
        }


def _share(k: int, n: int) -> Figure:
    if n == 0:
        return Figure(None, 0, None, None)
    interval = wilson_interval(k, n)
    return Figure(100 * k / n, n, 100 * interval.low, 100 * interval.high)


def _nps(promoters: int, detractors: int, n: int) -> Figure:
    if not n:
        return Figure(None, 0, None, None)
    value, interval = nps_interval(promoters, detractors, n)
    return Figure(value, n, interval.low, interval.high)


@dataclass(frozen=True)
class PillarPoint:
    """One pillar in one period: tagged items, shares negative/positive, NPS and CSAT."""

    pillar: str
    period: str
    n: int
    negative: Figure
    positive: Figure
    nps: Figure
    csat: Figure

    def to_dict(self) -> dict[str, Any]:
        return {
            "pillar": self.pillar,
            "period": self.period,
            "n": self.n,
            "negative": self.negative.to_dict(),
            "positive": self.positive.to_dict(),
            "nps": self.nps.to_dict(),
            "csat": self.csat.to_dict(),
        }


@dataclass(frozen=True)
class PillarTrend:
    """The change of a pillar's negative share from the previous period to the last one."""

    pillar: str
    period: str
    previous: str
    change: float | None  # percentage points
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    significant: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "pillar": self.pillar,
            "period": self.period,
            "previous": self.previous,
            "change": _rounded(self.change),
            "ci_low": _rounded(self.ci_low),
            "ci_high": _rounded(self.ci_high),
            "p_value": _rounded(self.p_value),
            "significant": self.significant,
        }


@dataclass
class PillarReport:
    grain: str
    owner_team: str | None
    points: list[PillarPoint] = field(default_factory=list)
    trends: list[PillarTrend] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "grain": self.grain,
            "owner_team": self.owner_team,
            "pillars": list(PILLARS),
            "points": [p.to_dict() for p in self.points],
            "trends": [t.to_dict() for t in self.trends],
        }


def _tags(raw: Any) -> list[str]:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return []
    if not isinstance(raw, dict):
        return []
    pillars = raw.get("pillars")
    return [str(p) for p in pillars] if isinstance(pillars, list) else []


_VIEW = table(CURRENT_VIEW, column("item_id"), column("sentiment"), column("tags"))
_MAX_BUCKETS = 120  # more periods than this (days over years): read item by item instead


def _conditions(start: datetime | None, end: datetime | None, owner_team: str | None) -> list[Any]:
    found: list[Any] = [
        _VIEW.c.tags.is_not(None),
        FeedbackItem.kind.not_in(sorted(EMPLOYEE_KINDS)),
    ]
    if start is not None:
        found.append(FeedbackItem.occurred_at >= start)
    if end is not None:
        found.append(FeedbackItem.occurred_at < end)
    if owner_team is not None:
        found.append(FeedbackItem.owner_team == owner_team)
    return found


def _joined() -> Any:
    return FeedbackItem.__table__.join(_VIEW, _VIEW.c.item_id == FeedbackItem.id)


def _rows(
    engine: Engine,
    start: datetime | None,
    end: datetime | None,
    owner_team: str | None,
) -> Iterable[tuple[datetime, float | None, str | None, str | None, Any]]:
    query = (
        select(
            FeedbackItem.occurred_at,
            FeedbackItem.score,
            FeedbackItem.scale,
            _VIEW.c.sentiment,
            _VIEW.c.tags,
        )
        .select_from(_joined())
        .where(*_conditions(start, end, owner_team))
    )
    with engine.connect() as conn:
        yield from conn.execute(query).all()


def _periods(
    engine: Engine,
    chosen: Period | None,
    grain: Grain,
    zone: tzinfo,
    owner_team: str | None,
) -> list[Period] | None:
    """The ``grain`` periods the items fall in, in order (within ``chosen`` when given, else
    from the first item's to the last one's); None when there are more than _MAX_BUCKETS."""
    if grain is Grain.ALL and chosen is not None:
        return [chosen]
    if chosen is not None:
        first, stop = chosen.start, chosen.end
    else:
        query = (
            select(func.min(FeedbackItem.occurred_at), func.max(FeedbackItem.occurred_at))
            .select_from(_joined())
            .where(*_conditions(None, None, owner_team))
        )
        with engine.connect() as conn:
            low, high = conn.execute(query).one()
        if low is None or high is None:
            return []
        first = low.replace(tzinfo=UTC).astimezone(zone).date()
        stop = high.replace(tzinfo=UTC).astimezone(zone).date() + timedelta(days=1)
    periods = [Period.of(first, grain)]
    while periods[-1].end < stop:
        if len(periods) >= _MAX_BUCKETS:
            return None
        periods.append(Period.of(periods[-1].end, grain))
    return periods


def _grouped(
    engine: Engine,
    periods: Sequence[Period],
    zone: tzinfo,
    start: datetime | None,
    end: datetime | None,
    owner_team: str | None,
) -> Iterable[tuple[Any, str | None, str | None, float | None, int, int]]:
    """Items counted per distinct (tags, sentiment, scale, score, period index) in the store:
    one GROUP BY instead of a Python pass over every classified item. No periods: nothing
    (a CASE without a WHEN is no SQL)."""
    if not periods:
        return
    at = FeedbackItem.occurred_at
    index = case(
        *((at < as_utc_naive(period.end, zone), k) for k, period in enumerate(periods)),
        else_=-1,
    )
    tags = cast(_VIEW.c.tags, Text)
    columns = (tags, _VIEW.c.sentiment, FeedbackItem.scale, FeedbackItem.score, index)
    query = (
        select(*columns, func.count())
        .select_from(_joined())
        .where(*_conditions(start, end, owner_team))
        .group_by(*columns)
    )
    with engine.connect() as conn:
        yield from conn.execute(query).all()


@dataclass
class _Tally:
    n: int = 0
    negative: int = 0
    positive: int = 0
    nps_n: int = 0
    nps_top: int = 0
    nps_low: int = 0
    csat_top: int = 0
    csat_n: int = 0

    def add(self, sentiment: str | None, scale: str | None, score: Any, count: int) -> None:
        self.n += count
        self.negative += count * (sentiment == "negative")
        self.positive += count * (sentiment == "positive")
        if score is not None and scale == "nps":
            band = SCALES["nps"]
            self.nps_n += count
            self.nps_top += count * band.is_top(float(score))
            self.nps_low += count * band.is_low(float(score))
        elif score is not None and scale in _CSAT_SCALES:
            self.csat_n += count
            self.csat_top += count * SCALES[scale].is_top(float(score))


def pillar_scores(
    engine: Engine,
    *,
    period: Period | str | None = None,
    grain: Grain | str = Grain.QUARTER,
    owner_team: str | None = None,
    timezone: str | tzinfo | None = None,
) -> PillarReport:
    """Each pillar's score per ``grain`` period (only within ``period`` when given): tagged
    items n, share negative and positive, NPS and CSAT of those items, each with n and a 95%
    interval, and each pillar's trend (last period against the one before it). ``grain``
    ``all`` gives one point per pillar for the whole ``period``.

    ``owner_team`` limits the items to one team's zone (a team user's view).
    """
    chosen = Period.parse(period) if isinstance(period, str) else period
    grain = Grain(grain)
    if grain is Grain.ALL and chosen is None:
        raise MetricError("pillar scores over the 'all' grain need a period")
    zone = get_zone(timezone)
    start, end = chosen.utc_bounds(zone) if chosen is not None else (None, None)
    tallies: dict[tuple[str, Period], _Tally] = defaultdict(_Tally)
    buckets = _periods(engine, chosen, grain, zone, owner_team)
    if buckets is not None:
        parsed: dict[Any, list[str]] = {}
        for raw, sentiment, scale, score, index, count in _grouped(
            engine, buckets, zone, start, end, owner_team
        ):
            pillars = parsed.get(raw)
            if pillars is None:
                pillars = parsed[raw] = [p for p in _tags(raw) if p in PILLARS]
            if not pillars or not 0 <= index < len(buckets):
                continue
            for pillar in pillars:
                tallies[(pillar, buckets[index])].add(sentiment, scale, score, count)
    else:
        for occurred_at, score, scale, sentiment, tags in _rows(engine, start, end, owner_team):
            pillars = [p for p in _tags(tags) if p in PILLARS]
            if not pillars:
                continue
            day = occurred_at.replace(tzinfo=UTC).astimezone(zone).date()
            bucket = Period.of(day, grain)
            for pillar in pillars:
                tallies[(pillar, bucket)].add(sentiment, scale, score, 1)
    report = PillarReport(grain=grain.value, owner_team=owner_team)
    periods = sorted({bucket for _, bucket in tallies}, key=lambda p: p.start)
    for pillar in PILLARS:
        for bucket in periods:
            if (pillar, bucket) not in tallies:
                continue
            tally = tallies[(pillar, bucket)]
            report.points.append(
                PillarPoint(
                    pillar,
                    bucket.label,
                    tally.n,
                    _share(tally.negative, tally.n),
                    _share(tally.positive, tally.n),
                    _nps(tally.nps_top, tally.nps_low, tally.nps_n),
                    _share(tally.csat_top, tally.csat_n),
                )
            )
        if len(periods) >= 2:
            last, before = periods[-1], periods[-2]
            now, then = tallies.get((pillar, last)), tallies.get((pillar, before))
            if now is None or then is None:
                continue
            test = two_proportion_test(then.negative, then.n, now.negative, now.n)
            report.trends.append(
                PillarTrend(
                    pillar,
                    last.label,
                    before.label,
                    100 * test.difference,
                    None if test.ci_low is None else 100 * test.ci_low,
                    None if test.ci_high is None else 100 * test.ci_high,
                    test.p_value,
                    test.p_value is not None and test.p_value < ALPHA,
                )
            )
    return report
