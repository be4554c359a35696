"""What the EX page, the EX API and the overview's pillars chart share: the EX report and the
link for the settings in force, and the pillar scores in a user's zone, as figures."""

from __future__ import annotations

from datetime import date
from typing import Any

from otklik.auth import Principal
from otklik.configs import check_team
from otklik.errors import MetricError
from otklik.ex import ExCxLink, ExReport, ex_cx_link, ex_report, load_costs
from otklik.metrics import Grain, Period
from otklik.pillars import PILLARS, PillarReport, pillar_scores
from otklik.web.i18n import Translator
from otklik.web.params import parse_period
from otklik.web.scope import scoped_filters
from otklik.web.state import WebState

__all__ = ["enps_figure", "ex_link_for", "ex_report_for", "pillars_figure", "pillars_for"]

_GOOD = "#2f855a"
_BAD = "#c53030"


def ex_report_for(state: WebState, *, period: str | None, by: str | None) -> ExReport:
    """The EX report (the same for every role allowed to see it: small groups are hidden in
    the report itself), kept in the page cache by everything it depends on, like the other
    page figures (dropped on every write)."""
    parse_period(period)  # a period that cannot be read: 422, as on every route
    settings = state.settings
    costs = load_costs(settings.ex_costs)
    key = ("ex_report", period or None, by or None, settings.ex_min_group, repr(costs))
    return state.cache.get(
        (*key, settings.timezone),
        lambda: ex_report(
            state.engine,
            period=period or None,
            by=by or None,
            min_group=settings.ex_min_group,
            costs=costs,
            timezone=settings.timezone,
        ),
        keep=True,
    )


def ex_link_for(state: WebState, *, period: str | None) -> ExCxLink:
    """EX beside CX per team, kept in the page cache like :func:`ex_report_for`."""
    chosen = parse_period(period)
    settings = state.settings
    return state.cache.get(
        ("ex_link", period or None, settings.ex_min_group, settings.timezone),
        lambda: ex_cx_link(
            state.engine,
            period=chosen,
            min_group=settings.ex_min_group,
            timezone=settings.timezone,
        ),
        keep=True,
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
    period = parse_period(period)  # 422 when it cannot be read, as on every route
    scoped = scoped_filters(user, {"owner_team": [team]} if team else None)
    owner = scoped.get("owner_team", [None])[0]
    check_team(state.settings, team)  # what was asked; the user's own zone is theirs anyway
    # Kept briefly (a scan of every classified item: seconds at 1M items), per zone.
    key = ("pillars", repr(period), str(grain), owner, state.settings.timezone)
    return state.cache.get(
        key,
        lambda: pillar_scores(
            state.engine,
            period=period,
            grain=grain,
            owner_team=owner,
            timezone=state.settings.timezone,
        ),
        keep=True,
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


_LINES = ("#2b6cb0", "#c53030", "#2f855a", "#b7791f", "#6b46c1", "#319795", "#d53f8c", "#4a5568")


def enps_figure(report: ExReport, t: Translator, all_label: str) -> dict[str, Any] | None:
    """eNPS per period, one line per shown group (95% intervals as error bars); None when no
    group has a figure shown."""
    cells = [c for c in report.figures if c.metric == "enps" and not c.suppressed]
    if not cells:
        return None
    periods = sorted({c.period for c in cells}, key=_start)
    names = [_period_name(label, t) for label in periods]
    data = []
    groups = sorted({c.group for c in cells}, key=lambda g: (g is not None, str(g)))
    for index, group in enumerate(groups):
        by_period = {c.period: c for c in cells if c.group == group}
        shown = [by_period.get(label) for label in periods]
        name = all_label if group is None else group
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": name,
                "x": names,
                "y": [c.value if c else None for c in shown],
                "text": [
                    f"{name}: {t.metric(c.value, 'points')} [{t.metric(c.ci_low, 'points')} … "
                    f"{t.metric(c.ci_high, 'points')}], n = {t.integer(c.n)}"
                    if c
                    else ""
                    for c in shown
                ],
                "hovertemplate": "%{text}<extra></extra>",
                "line": {"color": _LINES[index % len(_LINES)], "width": 2},
                "error_y": {
                    "type": "data",
                    "symmetric": False,
                    "array": [
                        c.ci_high - c.value
                        if c and c.value is not None and c.ci_high is not None
                        else None
                        for c in shown
                    ],
                    "arrayminus": [
                        c.value - c.ci_low
                        if c and c.value is not None and c.ci_low is not None
                        else None
                        for c in shown
                    ],
                },
            }
        )
    return {
        "data": data,
        "layout": {
            "height": 300,
            "margin": {"l": 50, "r": 10, "t": 10, "b": 40},
            "showlegend": True,
            "legend": {"orientation": "h"},
            "xaxis": {"type": "category", "automargin": True},
            "yaxis": {"title": {"text": t("unit.points")}, "range": [-100, 100]},
            "separators": ", " if t.locale == "ru" else ".,",
            "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "rgba(0,0,0,0)",
        },
    }


def _period_name(label: str, t: Translator) -> str:
    if "-Q" in label and len(label) == 7:
        return t("ex.quarter", q=label[-1], year=label[:4])
    return label


def _start(label: str) -> date:
    try:
        return Period.parse(label).start
    except MetricError:  # a label that is not a period sorts first
        return date.min
