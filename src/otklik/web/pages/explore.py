"""Explore: any metric by period and segment, with multi-select filters; a point opens its
items; the table exports to CSV and XLSX."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from otklik.auth import Principal
from otklik.errors import MetricError
from otklik.ledger import distinct_values
from otklik.metrics import CATALOGUE, Grain, MetricRow, TableRole, get_metric
from otklik.web.api.metrics import metric_options
from otklik.web.charts import metric_figure
from otklik.web.deps import LabelsDep, PageUser, StateDep, TranslatorDep
from otklik.web.errors import ApiError
from otklik.web.exports import EXPORT_FORMATS, export_table
from otklik.web.i18n import unit_digits
from otklik.web.params import day_range, split_values
from otklik.web.rendering import render
from otklik.web.state import WebState

__all__ = ["EXPLORE_FILTERS", "filter_options", "router"]

router = APIRouter(include_in_schema=False)

EXPLORE_FILTERS: tuple[str, ...] = ("kind", "channel", "product", "region", "owner_team")
SEGMENTS: tuple[str, ...] = (
    "channel",
    "kind",
    "product",
    "region",
    "owner_team",
    "team",
    "touchpoint",
    "language",
    "source",
)
Values = Annotated[list[str] | None, Query()]


def filter_options(
    state: WebState, user: Principal, names: tuple[str, ...]
) -> dict[str, list[str]]:
    """Values to offer in each multi-select (within the user's zone), cached briefly."""
    zone = {"owner_team": [user.zone]} if user.zone else None
    return {
        name: state.cache.get(
            ("values", name, user.zone),
            lambda name=name: distinct_values(state.engine, name, filters=zone),  # type: ignore[misc]
        )
        for name in names
        if not (user.zone and name == "owner_team")
    }


def _metrics_for(user: Principal) -> list[str]:
    return [
        name
        for name, spec in CATALOGUE.items()
        if user.zone is None or spec.table is TableRole.ITEMS
    ]


@router.get("/explore")
def explore_page(
    request: Request,
    user: PageUser,
    state: StateDep,
    t: TranslatorDep,
    labels: LabelsDep,
    metric: str = "nps",
    by: Grain = Grain.MONTH,
    segment: str | None = None,
    start: Annotated[str | None, Query(alias="from")] = None,
    end: Annotated[str | None, Query(alias="to")] = None,
    kind: Values = None,
    channel: Values = None,
    product: Values = None,
    region: Values = None,
    owner_team: Values = None,
    format: str | None = None,
) -> Response:
    spec = get_metric(metric)
    if segment and segment not in SEGMENTS:
        raise ApiError(422, f"cannot split by {segment!r}", code="invalid_request")
    segments = [segment] if segment else []
    chosen = {
        "kind": split_values(kind),
        "channel": split_values(channel),
        "product": split_values(product),
        "region": split_values(region),
        "owner_team": split_values(owner_team),
    }
    begin, stop = day_range(start, end, state.settings.timezone)
    filters = metric_options(user, spec.name, chosen)
    error = None
    rows: list[MetricRow] = []
    try:
        rows = state.metrics.compute(
            spec.name, by=by.value, segments=segments, filters=filters, start=begin, end=stop
        )
    except MetricError as exc:
        error = str(exc)
    if format in EXPORT_FORMATS:
        return export_table(
            format,
            f"otklik-{spec.name}",
            MetricRow.table_header(segments),
            (row.cells(segments) for row in rows),
            zone=state.settings.timezone,
            request=request,
            digits=dict.fromkeys(("value", "ci_low", "ci_high"), unit_digits(spec.unit)),
        )
    figure = metric_figure(
        spec.name,
        rows,
        segments,
        t,
        filters,
        begin.date() if begin else None,
        stop.date() if stop else None,
        by.value,
        labels,
    )
    return render(
        request,
        "explore.html",
        {
            "spec": spec,
            "metrics": _metrics_for(user),
            "grains": [g.value for g in Grain],
            "segments": SEGMENTS,
            "segment": segment,
            "by": by.value,
            "rows": rows,
            "figure": figure,
            "error": error,
            "options": filter_options(state, user, EXPLORE_FILTERS),
            "chosen": chosen,
            "start": start or "",
            "end": end or "",
        },
    )
