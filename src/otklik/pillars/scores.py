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
from datetime import UTC, datetime, tzinfo
from typing import Any

from sqlalchemy import Engine, column, select, table

from otklik.errors import MetricError
from otklik.ledger import CURRENT_VIEW, EMPLOYEE_KINDS, FeedbackItem
from otklik.metrics import (
    ALPHA,
    Grain,
    Period,
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


def _nps(scores: Sequence[float]) -> Figure:
    if not scores:
        return Figure(None, 0, None, None)
    spec = SCALES["nps"]
    value, interval = nps_interval(
        sum(spec.is_top(s) for s in scores), sum(spec.is_low(s) for s in scores), len(scores)
    )
    return Figure(value, len(scores), interval.low, interval.high)


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


def _rows(
    engine: Engine,
    start: datetime | None,
    end: datetime | None,
    owner_team: str | None,
) -> Iterable[tuple[datetime, float | None, str | None, str | None, Any]]:
    view = table(CURRENT_VIEW, column("item_id"), column("sentiment"), column("tags"))
    query = (
        select(
            FeedbackItem.occurred_at,
            FeedbackItem.score,
            FeedbackItem.scale,
            view.c.sentiment,
            view.c.tags,
        )
        .join(view, view.c.item_id == FeedbackItem.id)
        .where(view.c.tags.is_not(None))
        .where(FeedbackItem.kind.not_in(sorted(EMPLOYEE_KINDS)))
    )
    if start is not None:
        query = query.where(FeedbackItem.occurred_at >= start)
    if end is not None:
        query = query.where(FeedbackItem.occurred_at < end)
    if owner_team is not None:
        query = query.where(FeedbackItem.owner_team == owner_team)
    with engine.connect() as conn:
        yield from conn.execute(query).all()


@dataclass
class _Tally:
    n: int = 0
    negative: int = 0
    positive: int = 0
    nps: list[float] = field(default_factory=list)
    csat_top: int = 0
    csat_n: int = 0


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
    for occurred_at, score, scale, sentiment, tags in _rows(engine, start, end, owner_team):
        pillars = [p for p in _tags(tags) if p in PILLARS]
        if not pillars:
            continue
        day = occurred_at.replace(tzinfo=UTC).astimezone(zone).date()
        bucket = chosen if grain is Grain.ALL and chosen is not None else Period.of(day, grain)
        for pillar in pillars:
            tally = tallies[(pillar, bucket)]
            tally.n += 1
            tally.negative += sentiment == "negative"
            tally.positive += sentiment == "positive"
            if score is not None and scale == "nps":
                tally.nps.append(float(score))
            elif score is not None and scale in _CSAT_SCALES:
                tally.csat_n += 1
                tally.csat_top += SCALES[scale].is_top(float(score))
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
                    _nps(tally.nps),
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
