"""Turnover and exit reasons × replacement cost, from the staff list (``otklik ex staff import``).

Turnover is a share (Wilson interval) of the staff employed at a period's start who left during
it; exit reasons count the period's leavers by the reason the HR system recorded and sum the
replacement cost of their roles. Small groups are hidden as for the survey figures.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import Engine, select

from otklik.ex.cells import (
    DEFAULT_MIN_GROUP,
    ExCell,
    bounds,
    check_by,
    check_min_group,
    period_of,
    suppress,
    tenure_band,
)
from otklik.ex.costs import ReplacementCosts
from otklik.ledger import StaffMember
from otklik.metrics import Grain, Period, get_zone, wilson_interval

__all__ = ["ExitReason", "exit_reasons", "turnover"]


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
    periods = [period_of(min(left), zone, grain)]
    last = period_of(max(left), zone, grain)
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
    check_by(by)
    check_min_group(min_group)
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
            sorted(suppress(made, sizes, min_group), key=lambda c: (c.group is None, str(c.group)))
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
    check_min_group(min_group)
    costs = costs or ReplacementCosts()
    zone = get_zone(timezone)
    start, end = bounds(period, zone)
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
