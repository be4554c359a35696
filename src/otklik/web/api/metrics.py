"""``/api/v1/metrics``: the catalogue, and one metric with the CLI's parameters and rows."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from otklik.auth import Principal
from otklik.metrics import CATALOGUE, Grain, TableRole, get_metric
from otklik.web.api.schemas import MetricInfo, MetricRowPublic
from otklik.web.deps import ApiUser, StateDep
from otklik.web.errors import ApiError
from otklik.web.params import day_range, parse_where, split_values
from otklik.web.scope import scoped_filters

__all__ = ["metric_options", "router"]

router = APIRouter(tags=["metrics"])


@router.get("/metrics", response_model=list[MetricInfo])
def list_metrics(user: ApiUser) -> list[MetricInfo]:
    """Every metric of the catalogue: formula, interval method, guardrails."""
    return [
        MetricInfo(
            name=s.name,
            title=s.title,
            unit=s.unit,
            formula=s.formula,
            ci=s.ci_method,
            guardrails=list(s.guardrails),
            scope=s.scope,
        )
        for s in CATALOGUE.values()
    ]


def metric_options(
    user: Principal, metric: str, filters: dict[str, list[str | None]]
) -> dict[str, list[str | None]]:
    """The filters a metric runs with for ``user``: zone-limited for the team role."""
    spec = get_metric(metric)
    if user.zone is not None and spec.table is not TableRole.ITEMS:
        raise ApiError(
            403,
            f"{spec.name} is not split by team zone and is not shown to teams",
            code="forbidden",
        )
    return scoped_filters(user, filters)


@router.get("/metrics/{metric}", response_model=list[MetricRowPublic])
def read_metric(
    metric: str,
    user: ApiUser,
    state: StateDep,
    by: Grain = Grain.ALL,
    segment: Annotated[list[str] | None, Query()] = None,
    start: Annotated[str | None, Query(alias="from", description="first day, YYYY-MM-DD")] = None,
    end: Annotated[str | None, Query(alias="to", description="last day, YYYY-MM-DD")] = None,
    kind: Annotated[list[str] | None, Query()] = None,
    channel: Annotated[list[str] | None, Query()] = None,
    where: Annotated[list[str] | None, Query(description="FIELD=VALUE, repeatable")] = None,
    window_days: Annotated[int | None, Query(ge=1, le=365)] = None,
    scale: str | None = None,
    top_box: float | None = None,
) -> list[MetricRowPublic]:
    """The rows of ``otklik metrics METRIC --format json``: value, n, 95% CI and flags per
    period and segment."""
    begin, stop = day_range(start, end, state.settings.timezone)
    filters = parse_where(where)
    if kind:
        filters["kind"] = [*filters.get("kind", []), *split_values(kind)]
    if channel:
        filters["channel"] = [*filters.get("channel", []), *split_values(channel)]
    scoped = metric_options(user, metric, filters)
    rows = state.metrics.compute(
        metric,
        by=by.value,
        segments=list(segment or []),
        filters=scoped,
        start=begin,
        end=stop,
        window_days=window_days,
        scale=scale,
        top_box=top_box,
    )
    return [MetricRowPublic.model_validate(row.to_dict()) for row in rows]
