"""``/api/v1/kpis``: the KPI definitions in force, and their report — the JSON of
``otklik kpi report --format json``, from the same ``evaluate``. A team user gets the KPIs its
team owns, as on the scorecards page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from otklik.web.deps import ApiUser, StateDep
from otklik.web.kpis import current_kpis, kpi_report
from otklik.web.params import parse_period

__all__ = ["router"]

router = APIRouter(tags=["kpis"])


@router.get("/kpis")
def list_kpis(user: ApiUser, state: StateDep) -> dict[str, Any]:
    """The KPI file in force as JSON: ``{"version", "gaming", "kpis": [...]}`` (a team user:
    its team's KPIs)."""
    kpis = current_kpis(state, user)
    return kpis.model_dump(mode="json", exclude_none=True, by_alias=True)


@router.get("/kpis/report")
def report_kpis(
    user: ApiUser,
    state: StateDep,
    by: Annotated[
        str | None, Query(max_length=20, description="team, agent, channel or product")
    ] = None,
    period: Annotated[
        str | None,
        Query(max_length=40, description="2025, 2025-Q4, 2025-12, 2025-W05, a day or a range"),
    ] = None,
) -> dict[str, Any]:
    """``{"kpis": [...], "gaming": [...]}``: what ``otklik kpi report --format json`` prints."""
    by = (by or "").strip() or None
    period = (period or "").strip() or None
    if period is not None:
        parse_period(period)  # a period that cannot be read: 422 (web.params)
    return kpi_report(
        state, current_kpis(state, user), zone=user.zone, period=period, by=by
    ).to_dict()
