"""``/api/v1/ex/…`` (admin and hr only): the EX report and EX ↔ CX; ``/api/v1/pillars``
(everyone but hr, in their zone): the six CX pillars as a lens. Shapes as ``otklik ex report
--format json``, ``otklik ex link --format json`` and ``otklik pillars --format json``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from otklik.auth import Role
from otklik.metrics import Grain
from otklik.web.deps import ApiUser, StateDep, require_role
from otklik.web.ex_view import ex_link_for, ex_report_for, pillars_for

__all__ = ["router"]

router = APIRouter()
PeriodQuery = Annotated[
    str | None, Query(max_length=40, description="2025-Q1, 2025-03, 2025… (default: every quarter)")
]


@router.get("/ex/report", tags=["ex"])
def ex_report(
    user: ApiUser,
    state: StateDep,
    period: PeriodQuery = None,
    by: Annotated[Literal["team", "department", "tenure"] | None, Query()] = None,
) -> dict[str, Any]:
    """eNPS, eCSI and turnover (n, 95% intervals) per quarter and group, exit reasons ×
    replacement cost; groups smaller than OTKLIK_EX_MIN_GROUP are hidden."""
    require_role(user, Role.ADMIN, Role.HR)
    return ex_report_for(state, period=period, by=by).to_dict()


@router.get("/ex/link", tags=["ex"])
def ex_link(user: ApiUser, state: StateDep, period: PeriodQuery = None) -> dict[str, Any]:
    """EX beside CX per customer-serving team and quarter, with the correlation (Pearson r,
    Fisher z interval) across team × quarter: an association, not a cause."""
    require_role(user, Role.ADMIN, Role.HR)
    return ex_link_for(state, period=period).to_dict()


@router.get("/pillars", tags=["pillars"])
def pillars(
    user: ApiUser,
    state: StateDep,
    period: PeriodQuery = None,
    grain: Annotated[Literal["month", "quarter", "year"], Query()] = "quarter",
    team: Annotated[str | None, Query(max_length=200, description="owner team (zone)")] = None,
) -> dict[str, Any]:
    """Per pillar and period: tagged items, share negative and positive, NPS and CSAT of those
    items (95% intervals) and the trend of the negative share; a team user's zone only."""
    require_role(user, Role.ADMIN, Role.ANALYST, Role.TEAM, Role.LEAD)
    return pillars_for(state, user, period=period, grain=Grain(grain), team=team).to_dict()
