"""EX figures by period and group: eNPS, eCSI, turnover and exit reasons × replacement cost.

Every figure carries n and a 95% interval computed by the same functions as the customer
metrics (:mod:`otklik.metrics.stats`): eNPS as NPS (adjusted Wald, Rocks 2016), eCSI as a mean
(Student t), turnover and reason shares as proportions (Wilson). A group with fewer than
``min_group`` people shows no figure at all (value, interval *and* n hidden), and when exactly
one group of a split would be hidden, the next-smallest is hidden too, so the hidden one cannot
be recovered by subtracting the others from the company's figure.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from sqlalchemy import Engine, select

from otklik.errors import MetricError
from otklik.ex.costs import ReplacementCosts
from otklik.ledger import FeedbackItem, StaffMember
from otklik.metrics import Grain, Period, get_zone
from otklik.metrics.stats import mean_sd, nps_interval, t_interval, wilson_interval
from otklik.types import SCALES

__all__ = [
    "BY_FIELDS",
    "DEFAULT_MIN_GROUP",
    "EX_METRICS",
    "TENURE_BANDS",
    "ExCell",
    "ExitReason",
    "ex_cells",
    "exit_reasons",
    "tenure_band",
    "turnover",
]

DEFAULT_MIN_GROUP = 5
BY_FIELDS: tuple[str, ...] = ("team", "department", "tenure")
TENURE_BANDS: tuple[str, ...] = ("<1y", "1-3y", "3-5y", "5y+")

# The EX part of the catalogue: formula and interval of each figure (docs/ex.md).
EX_METRICS: Mapping[str, Mapping[str, str]] = {
    "enps": {
        "formula": "100 · (answers 9–10 − answers 0–6) / answers, employee answers on 0–10",
        "ci": "adjusted Wald (Rocks 2016)",
    },
    "ecsi": {
        "formula": "mean employee satisfaction score on csat5 (1–5)",
        "ci": "Student t",
    },
    "turnover_rate": {
        "formula": "100 · leavers in the period among staff at its start / staff at its start",
        "ci": "Wilson score",
    },
    "exit_cost": {
        "formula": "Σ replacement cost of the role of each leaver, by leave reason",
        "ci": "reason share: Wilson score; the cost is a count of the whole list, not a sample",
    },
}

_DEPARTMENT_KEYS = ("department", "dept", "отдел", "подразделение", "департамент")
_TENURE_KEYS = ("tenure_band", "tenure", "tenure_years", "стаж")


@dataclass(frozen=True)
class ExCell:
    """One EX figure of one period and group (``group`` None: the whole company)."""

    metric: str
    period: str
    group: str | None
    value: float | None
    n: int | None
    ci_low: float | None
    ci_high: float | None
    suppressed: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "period": self.period,
            "group": self.group,
            "value": None if self.value is None else round(self.value, 4),
            "n": self.n,
            "ci_low": None if self.ci_low is None else round(self.ci_low, 4),
            "ci_high": None if self.ci_high is None else round(self.ci_high, 4),
            "suppressed": self.suppressed,
        }


def tenure_band(years: float) -> str:
    """The band of a tenure in years: ``<1y``, ``1-3y``, ``3-5y`` or ``5y+``."""
    if years < 1:
        return TENURE_BANDS[0]
    if years < 3:
        return TENURE_BANDS[1]
    if years < 5:
        return TENURE_BANDS[2]
    return TENURE_BANDS[3]


def _check_by(by: str | None) -> None:
    if by is not None and by not in BY_FIELDS:
        raise MetricError(f"cannot split EX figures by {by!r}; use one of {', '.join(BY_FIELDS)}")


def _check_min_group(min_group: int) -> None:
    if min_group < 2:
        raise MetricError(f"the minimum group size must be at least 2, got {min_group}")


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


def _period_of(moment: datetime, zone: tzinfo, grain: Grain) -> Period:
    local = moment.replace(tzinfo=UTC).astimezone(zone).date()
    return Period.of(local, grain)


def _suppress(cells: list[ExCell], sizes: Mapping[str | None, int], min_group: int) -> list[ExCell]:
    """Hide small groups, and one more when only one of a split would be hidden."""
    hidden = {group for group, size in sizes.items() if size < min_group}
    shown = [group for group in sizes if group not in hidden]
    if len(hidden) == 1 and len(shown) >= 1 and len(sizes) > 1:
        hidden.add(min(shown, key=lambda group: (sizes[group], str(group))))
    return [
        ExCell(c.metric, c.period, c.group, None, None, None, None, True)
        if c.group in hidden
        else c
        for c in cells
    ]


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
    engine: Engine, start: datetime | None, end: datetime | None
) -> Iterable[tuple[datetime, float, str, str | None, Any]]:
    query = select(
        FeedbackItem.occurred_at,
        FeedbackItem.score,
        FeedbackItem.scale,
        FeedbackItem.team,
        FeedbackItem.attributes,
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


def _bounds(period: Period | None, zone: tzinfo) -> tuple[datetime | None, datetime | None]:
    return period.utc_bounds(zone) if period is not None else (None, None)


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
    _check_by(by)
    _check_min_group(min_group)
    zone = get_zone(timezone)
    start, end = _bounds(period, zone)
    # (metric, period label) -> group -> scores
    scores: dict[tuple[str, str], dict[str | None, list[float]]] = defaultdict(
        lambda: defaultdict(list)
    )
    starts: dict[str, date] = {}
    for occurred_at, score, scale, team, raw in _answers(engine, start, end):
        label = period.label if period is not None else _period_of(occurred_at, zone, grain).label
        if period is None:
            starts[label] = _period_of(occurred_at, zone, grain).start
        group = _group_of(by, team, _attributes(raw))
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
            sorted(_suppress(made, sizes, min_group), key=lambda c: (c.group is None, str(c.group)))
        )
    return cells


@dataclass(frozen=True)
class _Member:
    started_at: datetime
    left_at: datetime | None
    role: str | None
    department: str | None
    team: str | None
    leave_reason: str | None


def _staff(engine: Engine) -> list[_Member]:
    query = select(
        StaffMember.started_at,
        StaffMember.left_at,
        StaffMember.role,
        StaffMember.department,
        StaffMember.team,
        StaffMember.leave_reason,
    )
    with engine.connect() as conn:
        return [_Member(*row) for row in conn.execute(query).all()]


def _member_group(by: str | None, member: _Member, at: datetime) -> str | None:
    if by == "team":
        return member.team
    if by == "department":
        return member.department
    if by == "tenure":
        return tenure_band((at - member.started_at).days / 365.25)
    return None


def _staff_periods(members: Sequence[_Member], grain: Grain, zone: tzinfo) -> list[Period]:
    """The periods from the first leaver's to the last leaver's (turnover's useful range)."""
    left = [m.left_at for m in members if m.left_at is not None]
    if not left:
        return []
    periods = [_period_of(min(left), zone, grain)]
    last = _period_of(max(left), zone, grain)
    while periods[-1].start < last.start:
        periods.append(Period.of(periods[-1].end, grain))
    return periods


def turnover(
    engine: Engine,
    *,
    period: Period | None = None,
    by: str | None = None,
    grain: Grain = Grain.QUARTER,
    min_group: int = DEFAULT_MIN_GROUP,
    timezone: str | tzinfo | None = None,
) -> list[ExCell]:
    """Turnover rate (%) per period and group: leavers in [start, end) among the staff employed
    at the period's start, with its Wilson interval (metric ``turnover_rate``)."""
    _check_by(by)
    _check_min_group(min_group)
    zone = get_zone(timezone)
    members = _staff(engine)
    periods = [period] if period is not None else _staff_periods(members, grain, zone)
    cells: list[ExCell] = []
    for each in periods:
        start, end = each.utc_bounds(zone)
        base: dict[str | None, list[bool]] = defaultdict(list)
        for member in members:
            if member.started_at < start and (member.left_at is None or member.left_at >= start):
                left = member.left_at is not None and member.left_at < end
                base[None].append(left)
                if by is not None:
                    group = _member_group(by, member, start)
                    if group is not None:
                        base[group].append(left)
        if by is not None:
            base.pop(None, None)
        made = []
        for group, flags in base.items():
            interval = wilson_interval(sum(flags), len(flags))
            made.append(
                ExCell(
                    "turnover_rate",
                    each.label,
                    group,
                    100 * sum(flags) / len(flags),
                    len(flags),
                    100 * interval.low,
                    100 * interval.high,
                )
            )
        sizes = {group: len(flags) for group, flags in base.items()}
        cells.extend(
            sorted(_suppress(made, sizes, min_group), key=lambda c: (c.group is None, str(c.group)))
        )
    return cells


@dataclass(frozen=True)
class ExitReason:
    """Leavers of one reason in a period: how many, their share (Wilson) and what replacing
    them costs (None when a leaver's role has no configured cost)."""

    reason: str | None
    leavers: int | None
    share: float | None
    ci_low: float | None
    ci_high: float | None
    cost: float | None
    suppressed: bool = False
    roles: Mapping[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "reason": self.reason,
            "leavers": self.leavers,
            "share": None if self.share is None else round(self.share, 4),
            "ci_low": None if self.ci_low is None else round(self.ci_low, 4),
            "ci_high": None if self.ci_high is None else round(self.ci_high, 4),
            "cost": self.cost,
            "suppressed": self.suppressed,
        }


def exit_reasons(
    engine: Engine,
    *,
    period: Period | None = None,
    costs: ReplacementCosts | None = None,
    min_group: int = DEFAULT_MIN_GROUP,
    timezone: str | tzinfo | None = None,
) -> list[ExitReason]:
    """Leavers of ``period`` (None: all) by leave reason × replacement cost, most costly first.

    A reason with fewer than ``min_group`` leavers is pooled into ``None`` ("other reasons")
    so that no single leaver's reason and role can be read off; the pool itself is hidden
    when it is still smaller than ``min_group``.
    """
    _check_min_group(min_group)
    costs = costs or ReplacementCosts()
    zone = get_zone(timezone)
    start, end = _bounds(period, zone)
    leavers = [
        m
        for m in _staff(engine)
        if m.left_at is not None
        and (start is None or m.left_at >= start)
        and (end is None or m.left_at < end)
    ]
    by_reason: dict[str | None, list[_Member]] = defaultdict(list)
    for member in leavers:
        by_reason[member.leave_reason].append(member)
    pooled: dict[str | None, list[_Member]] = defaultdict(list)
    for reason, members in by_reason.items():
        pooled[reason if len(members) >= min_group else None].extend(members)
    total = len(leavers)
    found: list[ExitReason] = []
    for reason, members in pooled.items():
        if len(members) < min_group:
            found.append(ExitReason(reason, None, None, None, None, None, True))
            continue
        role_costs = [costs.of(m.role) for m in members]
        cost = (
            None if any(c is None for c in role_costs) else float(sum(c or 0 for c in role_costs))
        )
        interval = wilson_interval(len(members), total)
        roles: dict[str, int] = defaultdict(int)
        for member in members:
            roles[member.role or ""] += 1
        found.append(
            ExitReason(
                reason,
                len(members),
                100 * len(members) / total,
                100 * interval.low,
                100 * interval.high,
                cost,
                False,
                dict(roles),
            )
        )
    found.sort(key=lambda r: (r.suppressed, -(r.cost or 0), -(r.leavers or 0), str(r.reason)))
    return found
