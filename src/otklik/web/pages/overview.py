"""The overview: NPS, CSAT and CES with n, 95% intervals and trends, volumes by channel;
exported to PDF for management."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from otklik.auth import Principal, Role
from otklik.metrics import Grain, Period
from otklik.web.charts import bar_figure, items_url, trend_figure
from otklik.web.dashboard import Overview, build_overview
from otklik.web.deps import LabelsDep, PageUser, StateDep, TranslatorDep
from otklik.web.ex_view import pillars_figure, pillars_for
from otklik.web.exports import find_font
from otklik.web.i18n import Translator
from otklik.web.names import Labels, Names
from otklik.web.pages import incidents
from otklik.web.pdf import overview_pdf
from otklik.web.rendering import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _scope_label(user: Principal, t: Translator, names: Names) -> str:
    return t("scope.team", team=names.team(user.zone)) if user.zone else t("scope.all")


def _figures(overview: Overview, user: Principal, labels: Labels) -> dict[str, Any]:
    t = labels.t
    base: dict[str, list[str | None]] = {}
    if user.zone:
        base["owner_team"] = [user.zone]
    trends = {trend.metric: trend_figure(trend, t, base) for trend in overview.trends}
    total = overview.total or 1
    names = [labels("channel", channel) for channel, _ in overview.channels]
    channel_urls = [
        items_url({**base, "channel": [channel]}, overview.start, overview.end)
        for channel, _ in overview.channels
    ]
    texts = [
        f"{label}: {t.integer(count)} ({t.percent(100 * count / total)})"
        for label, (_, count) in zip(names, overview.channels, strict=True)
    ]
    channels = bar_figure(names, [count for _, count in overview.channels], channel_urls, texts, t)
    return {"trends": trends, "channels": channels}


@router.get("/", response_class=HTMLResponse)
def overview_page(
    request: Request,
    user: PageUser,
    state: StateDep,
    t: TranslatorDep,
    labels: LabelsDep,
    start: Annotated[str | None, Query(alias="from")] = None,
    end: Annotated[str | None, Query(alias="to")] = None,
    format: str | None = None,
) -> Response:
    if user.role is Role.HR:  # hr sees employee experience only
        return RedirectResponse("/ex", status_code=303)
    overview = build_overview(state, user, start=start, end=end)
    if format == "pdf":
        zone = t("overview.timezone", zone=overview.timezone)
        caption = f"{_scope_label(user, t, labels.names)} · {zone}"
        font = find_font(state.settings.pdf_font)
        pdf = overview_pdf(overview, t, font, caption, labels)
        return Response(
            pdf,
            media_type="application/pdf",
            headers={
                "Content-Disposition": (
                    f'attachment; filename="otklik-overview-{overview.start}.pdf"'
                )
            },
        )
    return render(
        request,
        "overview.html",
        {
            "overview": overview,
            "figures": _figures(overview, user, labels),
            "scope": _scope_label(user, t, labels.names),
            "incidents_banner": incidents.banner(state, user),
            "period_incidents": incidents.period_incidents(
                state, user, overview.start, overview.end
            ),
            "pillars": pillars_figure(
                pillars_for(
                    state,
                    user,
                    period=Period(
                        f"{overview.start}..{overview.last_day}", overview.start, overview.end
                    ),
                    grain=Grain.ALL,
                ),
                t,
            ),
        },
    )
