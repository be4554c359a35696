"""eNPS and eCSI of employee survey answers by period and group (team, department, tenure).

Every figure carries n and a 95% interval computed by the same functions as the customer
metrics (:mod:`otklik.metrics.stats`): eNPS as NPS (adjusted Wald, Rocks 2016), eCSI as a mean
(Student t); both agree with the catalogue's ``enps`` and ``ecsi``. A group with fewer than
``min_group`` people shows no figure at all (value, interval *and* n hidden), and when exactly
one group of a split would be hidden, the next-smallest is hidden too, so the hidden one cannot
be recovered by subtracting the others from the company's figure (:mod:`otklik.ex.cells`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, tzinfo
from typing import Any

from sqlalchemy import Engine, null, select

from otklik.ex.cells import (
    DEFAULT_MIN_GROUP,
    TENURE_BANDS,
    ExCell,
    bounds,
    check_by,
    check_min_group,
    period_of,
    suppress,
    tenure_band,
)
from otklik.ledger import FeedbackItem
from otklik.metrics import Grain, Period, get_zone, mean_sd, nps_interval, t_interval
from otklik.types import SCALES

__all__ = ["ex_cells"]

_DEPARTMENT_KEYS = ("department", "dept", "отдел", "подразделение", "департамент")
_TENURE_KEYS = ("tenure_band", "tenure", "tenure_years", "стаж")


def _attributes(raw: Any) -> dict[str, Any]:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return {}
    return raw if isinstance(raw, dict) else {}


def _first(attributes: Mapping[str, Any], keys: Sequence[str]) -> Any:
    lowered = {str(k).strip().lower(): v for k, v in attributes.items()}
    for key in keys:
        value = lowered.get(key)
        if value not in (None, ""):
            return value
    return None


def _answer_tenure(attributes: Mapping[str, Any]) -> str | None:
    value = _first(attributes, _TENURE_KEYS)
    if value is None:
        return None
    if isinstance(value, str) and value.strip() in TENURE_BANDS:
        return value.strip()
    try:
        return tenure_band(float(str(value).replace(",", ".")))
    except ValueError:
        return str(value).strip()[:50]


def _group_of(by: str | None, team: str | None, attributes: Mapping[str, Any]) -> str | None:
    if by == "team":
        return team
    if by == "department":
        value = _first(attributes, _DEPARTMENT_KEYS)
        return None if value is None else str(value)
    if by == "tenure":
        return _answer_tenure(attributes)
    return None


def _enps(scores: Sequence[float], metric: str, period: str, group: str | None) -> ExCell:
    n = len(scores)
    spec = SCALES["nps"]
    promoters = sum(spec.is_top(s) for s in scores)
    detractors = sum(spec.is_low(s) for s in scores)
    value, interval = nps_interval(promoters, detractors, n)
    return ExCell(metric, period, group, value, n, interval.low, interval.high)


def _mean(scores: Sequence[float], metric: str, period: str, group: str | None) -> ExCell:
    n = len(scores)
    mean, sd = mean_sd(n, sum(scores), sum(s * s for s in scores))
    if sd is None:
        return ExCell(metric, period, group, mean, n, None, None)
    interval = t_interval(mean, sd, n)
    return ExCell(metric, period, group, mean, n, interval.low, interval.high)


_FIGURES: Mapping[str, tuple[str, Callable[[Sequence[float], str, str, str | None], ExCell]]] = {
    "enps": ("nps", _enps),
    "ecsi": ("csat5", _mean),
}


def _answers(
    engine: Engine, start: datetime | None, end: datetime | None, attributed: bool = True
) -> Iterable[tuple[datetime, float, str, str | None, Any]]:
    # The attributes (JSON, decoded per row) only when a split reads them.
    attributes = FeedbackItem.attributes if attributed else null()
    query = select(
        FeedbackItem.occurred_at,
        FeedbackItem.score,
        FeedbackItem.scale,
        FeedbackItem.team,
        attributes,
    ).where(
        FeedbackItem.kind == "employee",
        FeedbackItem.score.is_not(None),
        FeedbackItem.scale.in_([scale for scale, _ in _FIGURES.values()]),
    )
    if start is not None:
        query = query.where(FeedbackItem.occurred_at >= start)
    if end is not None:
        query = query.where(FeedbackItem.occurred_at < end)
    with engine.connect() as conn:
        yield from conn.execute(query).all()


def ex_cells(
    engine: Engine,
    *,
    period: Period | None = None,
    by: str | None = None,
    grain: Grain = Grain.QUARTER,
    min_group: int = DEFAULT_MIN_GROUP,
    timezone: str | tzinfo | None = None,
) -> list[ExCell]:
    """eNPS and eCSI per period (``period`` as one, else each ``grain`` period of the data) and
    per group of ``by`` (team, department, tenure; None: the company), small groups hidden."""
    check_by(by)
    check_min_group(min_group)
    zone = get_zone(timezone)
    start, end = bounds(period, zone)
    # (metric, period label) -> group -> scores
    scores: dict[tuple[str, str], dict[str | None, list[float]]] = defaultdict(
        lambda: defaultdict(list)
    )
    starts: dict[str, date] = {}
    attributed = by in ("department", "tenure")  # only these read the answer's attributes
    for occurred_at, score, scale, team, raw in _answers(engine, start, end, attributed):
        if period is not None:
            label = period.label
        else:
            found = period_of(occurred_at, zone, grain)
            label = found.label
            starts[label] = found.start
        group = _group_of(by, team, _attributes(raw) if attributed else {})
        if by is not None and group is None:
            continue
        for metric, (metric_scale, _) in _FIGURES.items():
            if scale == metric_scale:
                scores[(metric, label)][group].append(float(score))
    cells: list[ExCell] = []
    for (metric, label), groups in sorted(
        scores.items(), key=lambda kv: (starts.get(kv[0][1], date.min), kv[0][1], kv[0][0])
    ):
        make = _FIGURES[metric][1]
        made = [make(values, metric, label, group) for group, values in groups.items()]
        sizes = {group: len(values) for group, values in groups.items()}
        cells.extend(
            sorted(suppress(made, sizes, min_group), key=lambda c: (c.group is None, str(c.group)))
        )
    return cells
