"""The EX page (``/ex``, admin and hr only): eNPS, eCSI and turnover by group with 95%
intervals, exit reasons × replacement cost, and the team's EX beside its customers' CX.
Groups smaller than ``OTKLIK_EX_MIN_GROUP`` show no figure (see :mod:`otklik.ex`)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from otklik.ex import BY_FIELDS
from otklik.web.deps import ExUser, StateDep, TranslatorDep
from otklik.web.ex_view import enps_figure, ex_link_for, ex_report_for
from otklik.web.rendering import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/ex", response_class=HTMLResponse)
def ex_page(
    request: Request,
    user: ExUser,
    state: StateDep,
    t: TranslatorDep,
    period: Annotated[str | None, Query(max_length=40)] = None,
    by: Annotated[Literal["", "team", "department", "tenure"], Query()] = "",
) -> HTMLResponse:
    report = ex_report_for(state, period=period, by=by or None)
    link = ex_link_for(state, period=period)
    return render(
        request,
        "ex.html",
        {
            "report": report,
            "enps_chart": enps_figure(report, t, t("ex.all")),
            "link": link,
            "period": period or "",
            "by": by,
            "by_fields": BY_FIELDS,
        },
    )
