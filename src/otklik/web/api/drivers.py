"""``/api/v1/drivers`` and ``/api/v1/backlog``: the drivers of a score and the ranked backlog,
as ``otklik drivers``/``otklik backlog --format json`` print them (the user's zone only)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from otklik.drivers import DRIVER_METRICS, METHODS
from otklik.web.deps import ApiUser, StateDep
from otklik.web.errors import ApiError
from otklik.web.priorities import backlog_for, drivers_for

__all__ = ["router"]

router = APIRouter(tags=["drivers"])
PeriodQuery = Annotated[
    str | None, Query(max_length=40, description="2025-03, 2025-Q1, 2025-W05, 2025…")
]
SegmentQuery = Annotated[
    list[str] | None, Query(max_length=400, description="FIELD=VALUE, e.g. channel=app")
]
TeamQuery = Annotated[list[str] | None, Query(description="owner team (zone)")]
PillarQuery = Annotated[str | None, Query(max_length=100, description="a CX pillar tag")]


def _metric(metric: str) -> str:
    if metric not in DRIVER_METRICS:
        raise ApiError(
            422,
            f"drivers work for {', '.join(DRIVER_METRICS)}, not {metric!r}",
            code="invalid_request",
        )
    return metric


@router.get("/drivers")
def drivers(
    user: ApiUser,
    state: StateDep,
    metric: str = "nps",
    period: PeriodQuery = None,
    segment: SegmentQuery = None,
    method: Annotated[str, Query(description=" or ".join(METHODS))] = "impact",
    team: TeamQuery = None,
    pillar: PillarQuery = None,
) -> dict[str, Any]:
    """Per topic: ``topic, label, owner_team, n, share, metric, impact, impact_ci,
    significant, trend, revenue_at_risk, priority`` sorted by priority (relative weights:
    by weight, with ``weight``/``weight_ci`` and rows for segment fields)."""
    report, _ = drivers_for(
        state,
        user,
        metric=_metric(metric),
        period=period,
        segment=segment or [],
        team=team,
        pillar=pillar,
        method=method,
    )
    return report.to_dict()


@router.get("/backlog")
def backlog_route(
    user: ApiUser,
    state: StateDep,
    period: PeriodQuery = None,
    metric: str = "nps",
    top: Annotated[int | None, Query(ge=1, le=1000)] = None,
    split: Annotated[
        str | None, Query(max_length=40, description="topic × the values of this field")
    ] = None,
    segment: SegmentQuery = None,
    team: TeamQuery = None,
    pillar: PillarQuery = None,
) -> dict[str, Any]:
    """The problems (topics that drag the score down, or topic × ``split`` value) ranked by
    priority, with open cases."""
    report, rows = backlog_for(
        state,
        user,
        metric=_metric(metric),
        period=period,
        segment=segment or [],
        team=team,
        pillar=pillar,
        top=top,
        split=split or None,
    )
    data = report.to_dict()
    data.pop("drivers")
    return {**data, "backlog": rows}
