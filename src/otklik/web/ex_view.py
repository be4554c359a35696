"""What the EX page, the EX API and the overview's pillars chart share: the EX report and the
link for the settings in force, and the pillar scores in a user's zone, as figures."""

from __future__ import annotations

from datetime import date
from typing import Any

from otklik.auth import Principal
from otklik.errors import MetricError
from otklik.ex import ExCxLink, ExReport, ex_cx_link, ex_report, load_costs
from otklik.metrics import Grain, Period
from otklik.pillars import PILLARS, PillarReport, pillar_scores
from otklik.web.i18n import Translator
from otklik.web.scope import scoped_filters
from otklik.web.state import WebState

__all__ = ["ex_link_for", "ex_report_for", "pillars_figure", "pillars_for"]

_GOOD = "#2f855a"
_BAD = "#c53030"


def ex_report_for(state: WebState, *, period: str | None, by: str | None) -> ExReport:
    settings = state.settings
    return ex_report(
        state.engine,
        period=period or None,
        by=by or None,
        min_group=settings.ex_min_group,
        costs=load_costs(settings.ex_costs),
        timezone=settings.timezone,
    )


def ex_link_for(state: WebState, *, period: str | None) -> ExCxLink:
    settings = state.settings
    return ex_cx_link(
        state.engine,
        period=Period.parse(period) if period else None,
        min_group=settings.ex_min_group,
        timezone=settings.timezone,
    )


def pillars_for(
    state: WebState,
    user: Principal,
    *,
    period: str | Period | None,
    grain: Grain | str = Grain.QUARTER,
    team: str | None = None,
) -> PillarReport:
    """Pillar scores limited to the user's zone (a team user asking for another team: 403)."""
    scoped = scoped_filters(user, {"owner_team": [team]} if team else None)
    owner = scoped.get("owner_team", [None])[0]
    return pillar_scores(
        state.engine,
        period=period,
        grain=grain,
        owner_team=owner,
        timezone=state.settings.timezone,
    )


def _bar(
    name: str, labels: list[str], figures: list[Any], color: str, t: Translator
) -> dict[str, Any]:
    values = [f.value for f in figures]
    texts = [
        f"{label}: {t.metric(f.value, '%')} [{t.metric(f.ci_low, '%')} … "
        f"{t.metric(f.ci_high, '%')}], n = {t.integer(f.n)}"
        if f.value is not None
        else f"{label}: –"
        for label, f in zip(labels, figures, strict=True)
    ]
    return {
        "type": "bar",
        "name": name,
        "x": labels,
        "y": values,
        "text": texts,
        "textposition": "none",
        "hovertemplate": "%{text}<extra></extra>",
        "marker": {"color": color},
        "error_y": {
            "type": "data",
            "symmetric": False,
            "array": [None if f.value is None else f.ci_high - f.value for f in figures],
            "arrayminus": [None if f.value is None else f.value - f.ci_low for f in figures],
        },
    }


def pillars_figure(report: PillarReport, t: Translator) -> dict[str, Any] | None:
    """Share negative and positive per pillar (95% intervals as error bars) of the report's
    last period; None when no item carries a pillar."""
    if not report.points:
        return None
    last = max({p.period for p in report.points}, key=lambda label: _start(label))
    points = {p.pillar: p for p in report.points if p.period == last}
    shown = [name for name in PILLARS if name in points]
    labels = [t(f"ex_pillar.{name}") for name in shown]
    return {
        "data": [
            _bar(t("ex.pillars_negative"), labels, [points[n].negative for n in shown], _BAD, t),
            _bar(t("ex.pillars_positive"), labels, [points[n].positive for n in shown], _GOOD, t),
        ],
        "layout": {
            "height": 300,
            "barmode": "group",
            "margin": {"l": 50, "r": 10, "t": 10, "b": 60},
            "showlegend": True,
            "legend": {"orientation": "h"},
            "xaxis": {"type": "category", "automargin": True},
            "yaxis": {"title": {"text": t("unit.%")}, "range": [0, 100], "automargin": True},
            "separators": ", " if t.locale == "ru" else ".,",
            "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "rgba(0,0,0,0)",
        },
    }


def _start(label: str) -> date:
    try:
        return Period.parse(label).start
    except MetricError:  # a label that is not a period sorts first
        return date.min
