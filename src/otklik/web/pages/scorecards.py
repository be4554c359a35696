"""Scorecards: each KPI's value with its 95% interval against the target, its guardrails
beside it, and the gaming flags with their evidence and a link to the items behind them.

A team user sees the KPIs its team owns (``owner`` in the KPI file is the team's slug) and
nothing else; admins and analysts see every KPI. The KPI file is the one in force
(:mod:`otklik.web.kpis`); admins edit it at ``/settings/kpis``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from otklik.kpi import BY_FIELDS, GamingFlag, KpiResult, Report
from otklik.metrics import get_metric, get_zone
from otklik.web.charts import items_url, plotly_text
from otklik.web.deps import LabelsDep, PageUser, StateDep, TranslatorDep
from otklik.web.errors import ApiError
from otklik.web.exports import EXPORT_FORMATS, export_table, find_font
from otklik.web.i18n import Translator, unit_digits
from otklik.web.kpis import current_kpis, kpi_report, kpi_report_marked, visible_kpis
from otklik.web.names import Labels
from otklik.web.params import parse_period
from otklik.web.pdf import scorecards_pdf
from otklik.web.rendering import render
from otklik.web.state import WebState

__all__ = [
    "BY_OPTIONS",
    "SCORECARD_COLUMNS",
    "SCORECARD_FORMATS",
    "router",
    "signal_text",
    "visible_kpis",
]

router = APIRouter(include_in_schema=False)

BY_OPTIONS: tuple[str, ...] = ("team", "agent", "channel")
_COLORS = {
    "met": "#2f855a",
    "missed": "#c53030",
    "not_significant": "#718096",
    "small_sample": "#b7791f",
}
_SIGNAL_SUFFIXES = ("below_peers", "above_peers", "improved", "worsened")


def signal_text(signal: str, t: Translator) -> str:
    """``aht_below_peers`` → "Average handle time: below peers" in the page's language."""
    for suffix in _SIGNAL_SUFFIXES:
        if signal.endswith("_" + suffix):
            metric = signal[: -len(suffix) - 1]
            return f"{t('metric.' + metric)}: {t('signal.' + suffix)}"
    return signal


def _label(scope: Mapping[str, Any], kpi_scope: Mapping[str, Any], labels: Labels) -> str:
    own = {k: v for k, v in scope.items() if k not in kpi_scope}
    shown = own or dict(scope)
    if not shown:
        return labels.t("scorecards.company")
    return ", ".join(labels(k, v) for k, v in shown.items())


def _items_link(scope: Mapping[str, Any], start: str | None, last: str | None) -> str:
    filters = {name: [str(value)] for name, value in scope.items() if value is not None}
    begin = date.fromisoformat(start) if start else None
    stop = date.fromisoformat(last) + timedelta(days=1) if last else None
    return items_url(filters, begin, stop)


def _figure(results: Sequence[KpiResult], labels: Labels) -> dict[str, Any]:
    """Each scope's value with its 95% interval as whiskers, the target as a dashed line."""
    t = labels.t
    kpi = results[0].kpi
    unit = kpi.spec.unit
    shown = [r for r in results if r.value is not None]
    names = [_label(r.scope, kpi.filters, labels) for r in shown]
    values = [r.value for r in shown]
    high = [
        (r.row.ci_high - r.value)
        if r.row and r.row.ci_high is not None and r.value is not None
        else 0
        for r in shown
    ]
    low = [
        (r.value - r.row.ci_low)
        if r.row and r.row.ci_low is not None and r.value is not None
        else 0
        for r in shown
    ]
    urls = [_items_link(r.scope, *_period(r)) for r in shown]
    texts = [
        plotly_text(
            f"{label}: {t.metric(r.value, unit)}, n = {t.integer(r.n)}, "
            + t("kpi_status." + r.status)
        )
        for label, r in zip(names, shown, strict=True)
    ]
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "markers",
                "x": [plotly_text(label) for label in names],
                "y": values,
                "error_y": {
                    "type": "data",
                    "symmetric": False,
                    "array": high,
                    "arrayminus": low,
                    "color": "#4a5568",
                },
                "marker": {"size": 9, "color": [_COLORS[r.status] for r in shown]},
                "customdata": urls,
                "text": texts,
                "hovertemplate": "%{text}<extra></extra>",
            }
        ],
        "layout": {
            "height": 260,
            "margin": {"l": 50, "r": 10, "t": 10, "b": 60},
            "showlegend": False,
            "xaxis": {"type": "category", "automargin": True},
            "yaxis": {"title": {"text": t(f"unit.{unit}")}, "automargin": True},
            "separators": ", " if t.locale == "ru" else ".,",
            "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "rgba(0,0,0,0)",
            "shapes": [
                {
                    "type": "line",
                    "xref": "paper",
                    "x0": 0,
                    "x1": 1,
                    "y0": kpi.target,
                    "y1": kpi.target,
                    "line": {"color": "#c53030", "dash": "dash"},
                }
            ],
        },
    }


def _period(result: KpiResult) -> tuple[str | None, str | None]:
    span = result.trend.period
    if span is None:
        return None, None
    return span.start.isoformat(), span.last_day.isoformat()


def _cards(report: Report, labels: Labels) -> list[dict[str, Any]]:
    cards: list[dict[str, Any]] = []
    for result in report.results:
        if not cards or cards[-1]["kpi"] is not result.kpi:
            cards.append({"kpi": result.kpi, "results": [], "unit": result.kpi.spec.unit})
        cards[-1]["results"].append(result)
    for card in cards:
        card["figure"] = _figure(card["results"], labels)
        card["period"] = card["results"][0].trend.period
    return cards


def _flag_view(flag: GamingFlag, t: Translator) -> dict[str, Any]:
    period = flag.evidence.get("period", {})
    rows = []
    for name, figures in flag.evidence.get("metrics", {}).items():
        unit = get_metric(name).unit
        reference = figures.get("peer_median", figures.get("previous"))
        rows.append(
            {
                "metric": name,
                "unit": unit,
                "value": figures.get("value"),
                "n": figures.get("n"),
                "reference": reference,
                "z": figures.get("robust_z"),
                "p": figures.get("p_value"),
                "broken": figures.get("broken", False),
            }
        )
    return {
        "flag": flag,
        "signals": [signal_text(s, t) for s in flag.signals],
        "rows": rows,
        "period": period,
        "peers": flag.evidence.get("peers"),
        "level": flag.evidence.get("level"),
        "items_url": _items_link(
            flag.evidence.get("items", flag.scope), period.get("from"), period.get("to")
        ),
    }


SCORECARD_COLUMNS: tuple[str, ...] = (
    "kpi",
    "metric",
    "scope",
    "period",
    "value",
    "ci_low",
    "ci_high",
    "n",
    "target",
    "kpi_status",
    "trend",
    "guardrails",
)
SCORECARD_FORMATS: tuple[str, ...] = ("pdf", *EXPORT_FORMATS)


def _score_rows(report: Report, labels: Labels) -> list[list[Any]]:
    """One row per KPI and scope, aligned with :data:`SCORECARD_COLUMNS`: figures rounded
    to the metric's unit (``unit_digits``), texts in the user's language."""
    t = labels.t
    rows: list[list[Any]] = []
    for r in report.results:
        kpi, row = r.kpi, r.row
        digits = unit_digits(kpi.spec.unit)

        def rounded(value: float | None, digits: int = digits) -> float | None:
            return None if value is None else round(value, digits)

        guards = "; ".join(
            (t("metric." + g.guardrail) if g.kind == "metric" else t("guardrail." + g.guardrail))
            + ": "
            + t("guard." + g.status)
            for g in r.guardrails
        )
        rows.append(
            [
                kpi.label(t.locale),
                kpi.metric,
                _label(r.scope, {}, labels),
                r.trend.period.label if r.trend.period else None,
                rounded(r.value),
                rounded(row.ci_low if row else None),
                rounded(row.ci_high if row else None),
                r.n,
                kpi.target,
                r.status,
                t("trend." + r.trend.verdict),
                guards,
            ]
        )
    return rows


def _download(
    request: Request,
    state: WebState,
    labels: Labels,
    report: Report,
    format: str,
    zone: str | None,
) -> Response:
    """The scorecards as PDF (charts and tables), XLSX or CSV (one row per KPI and scope)."""
    if format not in SCORECARD_FORMATS:
        raise ApiError(
            422,
            f"unknown format {format!r}: use {', '.join(SCORECARD_FORMATS)}",
            code="invalid_request",
        )
    if format == "pdf":
        t = labels.t
        caption = t("scope.team", team=labels.names.team(zone)) if zone else t("scope.all")
        pdf = scorecards_pdf(
            report,
            labels,
            find_font(state.settings.pdf_font),
            caption,
            lambda result: _label(result.scope, result.kpi.filters, labels),
        )
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": 'attachment; filename="otklik-scorecards.pdf"'},
        )
    return export_table(
        format,
        "otklik-scorecards",
        SCORECARD_COLUMNS,
        _score_rows(report, labels),
        zone=state.settings.timezone,
        request=request,
    )


@router.get("/scorecards")
def scorecards_page(
    request: Request,
    user: PageUser,
    state: StateDep,
    t: TranslatorDep,
    labels: LabelsDep,
    period: Annotated[str | None, Query(max_length=40)] = None,
    by: Annotated[str | None, Query(max_length=20)] = None,
    format: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    by = by or None
    period = (period or "").strip() or None
    if by is not None and (by not in BY_OPTIONS or by not in BY_FIELDS):
        raise ApiError(
            422, f"cannot split by {by!r}: use {', '.join(BY_OPTIONS)}", code="invalid_request"
        )
    if period is not None:
        parse_period(period)  # a period that cannot be read: 422 (web.params)
    kpis = current_kpis(state, user)
    if format is not None:  # a file is always current: it waits for a recomputation
        report = kpi_report(state, kpis, zone=user.zone, period=period, by=by)
        return _download(request, state, labels, report, format, user.zone)
    marked = kpi_report_marked(state, kpis, zone=user.zone, period=period, by=by)
    report = marked.value
    return render(
        request,
        "scorecards.html",
        {
            "cards": _cards(report, labels),
            "flags": [_flag_view(flag, t) for flag in report.gaming],
            "period": period or "",
            "by": by or "",
            "by_options": BY_OPTIONS,
            "rule": kpis.gaming,
            "zone": user.zone,
            "as_of": _as_of(marked.as_of, state.settings.timezone),
        },
    )


def _as_of(moment: datetime | None, timezone: str) -> str | None:
    """When figures from before a write were computed, in the reporting zone: ``HH:MM``
    today, ``YYYY-MM-DD HH:MM`` on another day; None for current figures."""
    if moment is None:
        return None
    zone = get_zone(timezone)
    local = moment.astimezone(zone)
    if local.date() == datetime.now(zone).date():
        return local.strftime("%H:%M")
    return local.strftime("%Y-%m-%d %H:%M")
