"""Priorities: the backlog of problems ranked by priority (impact on the score × share ×
revenue weight) with money and intervals, the impact chart, filters by period, segment, team and
pillar; each row opens its items; the one-page report for management as PDF, XLSX or Markdown."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from otklik.drivers import (
    DRIVER_METRICS,
    REPORT_FORMATS,
    backlog,
    find_font,
    management_report,
    to_markdown,
    to_pdf,
    to_xlsx,
)
from otklik.errors import ConfigError, MetricError
from otklik.pillars import PILLARS
from otklik.web.deps import PageUser, StateDep, TranslatorDep
from otklik.web.errors import ApiError
from otklik.web.pages.explore import filter_options
from otklik.web.params import parse_period
from otklik.web.priorities import drivers_context, drivers_for, impact_figure, row_url
from otklik.web.rendering import render
from otklik.web.scope import scoped_filters

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Values = Annotated[list[str] | None, Query()]
_MEDIA = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "md": "text/markdown; charset=utf-8",
}


def _metric(metric: str) -> str:
    if metric not in DRIVER_METRICS:
        raise ApiError(422, f"no drivers for {metric!r}", code="invalid_request")
    return metric


@router.get("/priorities")
def priorities_page(
    request: Request,
    user: PageUser,
    state: StateDep,
    t: TranslatorDep,
    period: Annotated[str | None, Query(max_length=40)] = None,
    metric: str = "nps",
    segment: Annotated[str | None, Query(max_length=400)] = None,
    owner_team: Values = None,
    pillar: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    report, filters = drivers_for(
        state,
        user,
        metric=_metric(metric),
        period=period,
        segment=[segment] if segment else [],
        team=owner_team,
        pillar=pillar,
    )
    rows: list[dict[str, Any]] = [
        {"row": row, "url": row_url(report, row["topic"], filters)} for row in backlog(report)
    ]
    return render(
        request,
        "drivers.html",
        {
            "report": report,
            "rows": rows,
            "figure": impact_figure(report, [item["row"] for item in rows], t, filters),
            "metric": metric,
            "metrics": DRIVER_METRICS,
            "period_text": period or report.period.label,
            "segment": segment or "",
            "pillar": pillar or "",
            "pillars": PILLARS,
            "options": filter_options(state, user, ("owner_team",)),
            "chosen": {"owner_team": owner_team or []},
            "formats": REPORT_FORMATS,
        },
    )


@router.get("/priorities/report")
def management_download(
    user: PageUser,
    state: StateDep,
    t: TranslatorDep,
    format: str = "pdf",
    period: Annotated[str | None, Query(max_length=40)] = None,
    metric: str = "nps",
    owner_team: Values = None,
) -> Response:
    """The one-page case for management in the page's language, inside the user's zone."""
    if format not in REPORT_FORMATS:
        raise ApiError(422, f"format: one of {', '.join(REPORT_FORMATS)}", code="invalid_request")
    chosen: dict[str, list[str | None]] = {"owner_team": list(owner_team or [])}
    filters = scoped_filters(user, chosen)
    chosen_period = parse_period(period)  # 422 with its own line, as on every route
    try:
        report = management_report(
            state.engine,
            drivers_context(state, user),
            period=chosen_period,
            filters=filters,
            metric=_metric(metric),
        )
        if format == "pdf":
            body: bytes = to_pdf(report, t.locale, find_font(state.settings.pdf_font))
        elif format == "xlsx":
            body = to_xlsx(report, t.locale)
        else:
            body = to_markdown(report, t.locale).encode("utf-8")
    except (MetricError, ConfigError) as exc:
        raise ApiError(422, str(exc), code="invalid_request") from None
    name = f"otklik-management-{report.period.label}.{format}"
    return Response(
        body,
        media_type=_MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
