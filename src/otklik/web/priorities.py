"""What the Priorities page and ``/api/v1/drivers``/``/api/v1/backlog`` share: the request's
period, segment, team and pillar turned into one :func:`otklik.drivers.options.run` inside the
user's zone, the items behind each row, and the impact chart. The figures are the drivers
package's; this module only parses and formats."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from otklik.auth import Principal
from otklik.drivers import (
    Context,
    DriversReport,
    backlog,
    context_of,
    default_period,
    parse_segments,
    run,
    run_backlog,
)
from otklik.errors import ConfigError, MetricError
from otklik.metrics import Grain, Period, get_metric
from otklik.web.charts import items_url, plotly_text
from otklik.web.errors import ApiError
from otklik.web.i18n import Translator
from otklik.web.names import file_stamp
from otklik.web.params import parse_period
from otklik.web.scope import scoped_filters
from otklik.web.state import HEAVY_TTL_S, WebState

__all__ = ["backlog_for", "drivers_context", "drivers_for", "impact_figure", "row_url"]


def drivers_context(state: WebState, user: Principal | None = None) -> Context:
    """The drivers context for the settings in force; with ``user``, their own zone counts as
    a known team even when the teams file no longer names it (an unknown team is refused only
    when someone asks for it)."""
    settings = state.settings
    context: Context = state.cache.get(
        ("drivers-context", *_stamps(state)), lambda: context_of(settings)
    )
    zone = user.zone if user is not None else None
    if zone and context.teams is not None and zone not in context.teams:
        return replace(context, teams=context.teams | {zone})
    return context


def _stamps(state: WebState) -> tuple[Any, ...]:
    """The taxonomy's and the drivers file's stamps: a changed file is a new context."""
    stamps: list[Any] = []
    for path in (state.settings.taxonomy, state.settings.drivers):
        stamps += list(file_stamp(path)) if path is not None else [None]
    return tuple(stamps)


def drivers_for(
    state: WebState,
    user: Principal,
    *,
    metric: str = "nps",
    period: str | None = None,
    segment: Sequence[str] = (),
    team: Sequence[str] | None = None,
    pillar: str | None = None,
    method: str = "impact",
) -> tuple[DriversReport, dict[str, list[str | None]]]:
    """The drivers report for a request and the filters it used (the zone applied)."""
    try:
        chosen: dict[str, list[str | None]] = dict(parse_segments([s for s in segment if s]))
        if team:
            chosen["owner_team"] = [value for value in team if value]
        filters = scoped_filters(user, chosen)
        context = drivers_context(state, user)
        chosen_period: str | Period | None = period
        if not (period and period.strip()):
            try:
                chosen_period = default_period(state.engine, context.zone, filters)
            except MetricError:  # nothing in the zone yet: this month, empty
                chosen_period = Period.of(datetime.now(UTC).date(), Grain.MONTH)
        if isinstance(chosen_period, str):
            chosen_period = parse_period(chosen_period)
        # The analysis reads every item of two periods and bootstraps (seconds at 1M items):
        # kept in the page cache per zone, filters and choices, like the overview's figures
        # (dropped by a write, served while recomputed after the expiry), and computed at
        # start-up for every zone's default view.
        key = (
            "drivers",
            metric,
            chosen_period,
            repr(sorted(filters.items())),
            pillar or None,
            method,
            context.zone.key,
            context.teams,
            _stamps(state),
        )
        report = state.cache.get(
            key,
            lambda: run(
                state.engine,
                context,
                metric=metric,
                period=chosen_period,
                filters=filters,
                pillar=pillar or None,
                method=method,
            ),
            ttl_s=HEAVY_TTL_S,
            keep=True,
        )
    except (MetricError, ConfigError) as exc:
        raise ApiError(422, str(exc), code="invalid_request") from None
    return report, filters


def backlog_for(
    state: WebState,
    user: Principal,
    *,
    metric: str = "nps",
    period: str | None = None,
    segment: Sequence[str] = (),
    team: Sequence[str] | None = None,
    pillar: str | None = None,
    top: int | None = None,
    split: str | None = None,
) -> tuple[DriversReport, list[dict[str, Any]]]:
    """The backlog for a request (topics, or topic × ``split`` values), in the user's zone."""
    report, filters = drivers_for(
        state, user, metric=metric, period=period, segment=segment, team=team, pillar=pillar
    )
    if not split:
        return report, backlog(report, top)
    try:
        return run_backlog(
            state.engine,
            drivers_context(state, user),
            metric=metric,
            period=report.period,
            filters=filters,
            pillar=pillar or None,
            top=top,
            split=split,
        )
    except (MetricError, ConfigError) as exc:
        raise ApiError(422, str(exc), code="invalid_request") from None


def row_url(report: DriversReport, topic: str, filters: Mapping[str, Sequence[str | None]]) -> str:
    """The items behind a row: the topic's items in the period, with the page's filters."""
    wanted = {name: list(values) for name, values in filters.items() if values}
    wanted["topic"] = [topic]
    return items_url(wanted, report.period.start, report.period.end)


def impact_figure(
    report: DriversReport,
    rows: Sequence[Mapping[str, Any]],
    t: Translator,
    filters: Mapping[str, Sequence[str | None]],
) -> dict[str, Any]:
    """Each problem's impact on the score as a horizontal bar with its 95% interval as a
    whisker; a click opens the problem's items."""
    shown = [row for row in rows if row["impact"] is not None][:12][::-1]
    labels = [plotly_text(row["label"].get(t.locale) or row["topic"]) for row in shown]
    unit = get_metric(report.metric).unit
    hover = [
        plotly_text(
            f"{row['label'].get(t.locale) or row['topic']}: {t.metric(row['impact'], unit)}"
            f" [{t.metric(row['impact_ci'][0], unit)} … {t.metric(row['impact_ci'][1], unit)}]"
            f", n = {t.integer(row['n'])}"
        )
        if row["impact_ci"]
        else plotly_text(str(row["topic"]))
        for row in shown
    ]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": labels,
                "x": [row["impact"] for row in shown],
                "customdata": [row_url(report, row["topic"], filters) for row in shown],
                "text": hover,
                "hovertemplate": "%{text}<extra></extra>",
                "textposition": "none",
                "marker": {
                    "color": ["#c53030" if row["impact"] < 0 else "#2f855a" for row in shown]
                },
                "error_x": {
                    "type": "data",
                    "visible": True,
                    "array": [
                        (row["impact_ci"][1] - row["impact"]) if row["impact_ci"] else 0
                        for row in shown
                    ],
                    "arrayminus": [
                        (row["impact"] - row["impact_ci"][0]) if row["impact_ci"] else 0
                        for row in shown
                    ],
                },
            }
        ],
        "layout": {
            "height": 60 + 28 * max(len(shown), 1),
            "margin": {"l": 10, "r": 10, "t": 10, "b": 40},
            "showlegend": False,
            "hovermode": "closest",
            "yaxis": {"type": "category", "automargin": True},
            "xaxis": {
                "title": {
                    "text": plotly_text(t("drivers.chart.axis", metric=report.metric.upper()))
                },
                "zeroline": True,
                "automargin": True,
            },
            "separators": ", " if t.locale == "ru" else ".,",
            "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "rgba(0,0,0,0)",
        },
    }
