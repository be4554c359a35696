"""Plotly figures as plain dicts: the page embeds them as JSON and ``static/charts.js`` draws
them with the plotly.min.js that ships in the ``plotly`` package.

Labels and hover texts are formatted here with the page's locale (Babel), so months and
decimal separators read right in Russian and English. Plotly reads a subset of HTML in every
label, legend name and hover text (``<a href>`` becomes a live link), so each string that
reaches a figure passes through :func:`plotly_text` first: customer values show as typed.
Each point carries the URL of the items behind it (``customdata``): clicking it opens that list.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from otklik.metrics import MetricRow, get_metric
from otklik.web.dashboard import Trend, month_after
from otklik.web.i18n import Translator, catalogue

__all__ = [
    "bar_figure",
    "items_url",
    "metric_figure",
    "plotly_locale",
    "plotly_text",
    "trend_figure",
]

_BLUE = "#2b6cb0"
_BAND = "rgba(43,108,176,0.15)"
_GOOD = "#2f855a"
_BAD = "#c53030"
_PALETTE = (
    "#2b6cb0",
    "#dd6b20",
    "#2f855a",
    "#805ad5",
    "#c53030",
    "#319795",
    "#d69e2e",
    "#718096",
    "#b83280",
    "#3182ce",
)


def plotly_text(value: object) -> str:
    """``value`` as text Plotly shows literally: ``<``, ``>`` and ``&`` as entities (Plotly
    decodes those three and numeric ones; a quote needs none outside a tag)."""
    return html.escape(str(value), quote=False)


def plotly_locale(t: Translator) -> dict[str, str]:
    """Plotly's own interface words (the mode bar's tooltips…) in ``t``'s language: the
    dictionary ``static/charts.js`` registers as a Plotly locale, English text → shown text.
    The ``plotly.*`` messages hold them (their English value is Plotly's own text)."""
    return {catalogue("en")[key]: t(key) for key in catalogue("en") if key.startswith("plotly.")}


def _texts(values: Sequence[object]) -> list[str]:
    return [plotly_text(value) for value in values]


def items_url(
    filters: Mapping[str, Sequence[str | None]], start: date | None = None, end: date | None = None
) -> str:
    """The items page for these filters and the days [start, end)."""
    pairs: list[tuple[str, str]] = []
    for name, values in filters.items():
        pairs.extend((name, "-" if value is None else value) for value in values)
    if start is not None:
        pairs.append(("from", start.isoformat()))
    if end is not None:
        pairs.append(("to", (end - timedelta(days=1)).isoformat()))
    return "/items?" + urlencode(pairs)


def _layout(t: Translator, unit: str, height: int = 260) -> dict[str, Any]:
    return {
        "height": height,
        "margin": {"l": 50, "r": 10, "t": 10, "b": 40},
        "showlegend": False,
        "hovermode": "closest",
        "xaxis": {"type": "category", "automargin": True},
        "yaxis": {"title": {"text": t(f"unit.{unit}")}, "zeroline": False, "automargin": True},
        "separators": ", " if t.locale == "ru" else ".,",
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
    }


def _scales(metric: str) -> list[str | None]:
    return list(get_metric(metric).scales)


def _hover(t: Translator, unit: str, row: MetricRow, label: str) -> str:
    ci = ""
    if row.ci_low is not None and row.ci_high is not None:
        ci = f" [{t.metric(row.ci_low, unit)} … {t.metric(row.ci_high, unit)}]"
    return f"{label}: {t.metric(row.value, unit)}{ci}, n = {t.integer(row.n)}"


def trend_figure(
    trend: Trend, t: Translator, base_filters: dict[str, list[str | None]]
) -> dict[str, Any]:
    """A metric by month: the line, its 95% band, and marks where a change is significant."""
    rows = [row for row in trend.rows if row.period is not None and row.value is not None]
    labels = [t.month_short(row.period) for row in rows]
    x = _texts(labels)
    scales = _scales(trend.metric)
    filters = {**base_filters, **({"scale": scales} if scales else {})}
    urls = [
        items_url(filters, row.period, month_after(row.period))  # type: ignore[arg-type]
        for row in rows
    ]
    banded = [row for row in rows if row.ci_low is not None and row.ci_high is not None]
    band_x = _texts([t.month_short(row.period) for row in banded])
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "x": band_x + band_x[::-1],
            "y": [row.ci_high for row in banded] + [row.ci_low for row in banded][::-1],
            "fill": "toself",
            "fillcolor": _BAND,
            "line": {"width": 0},
            "hoverinfo": "skip",
            "name": t("chart.ci"),
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "x": x,
            "y": [r.value for r in rows],
            "line": {"color": _BLUE, "width": 2},
            "marker": {"size": 7},
            "customdata": urls,
            "name": plotly_text(t(f"metric.{trend.metric}")),
            "text": [
                plotly_text(_hover(t, trend.unit, row, label))
                for row, label in zip(rows, labels, strict=True)
            ],
            "hovertemplate": "%{text}<extra></extra>",
        },
    ]
    marks_x, marks_y, marks_text, marks_color, marks_symbol = [], [], [], [], []
    for row, label in zip(rows, x, strict=True):
        change = trend.changes.get(row.period)  # type: ignore[arg-type]
        if change is None or not change.significant or change.difference is None:
            continue
        better = (change.difference > 0) == bool(trend.higher_is_better)
        marks_x.append(label)
        marks_y.append(row.value)
        marks_color.append(_GOOD if better else _BAD)
        marks_symbol.append("triangle-up" if change.difference > 0 else "triangle-down")
        marks_text.append(
            plotly_text(
                t(
                    "chart.significant",
                    difference=t.number(change.difference),
                    p=t.number(change.p_value or 0.0, 3),
                )
            )
        )
    data.append(
        {
            "type": "scatter",
            "mode": "markers",
            "x": marks_x,
            "y": marks_y,
            "marker": {
                "size": 14,
                "color": marks_color,
                "symbol": marks_symbol,
                "line": {"width": 1, "color": "#fff"},
            },
            "text": marks_text,
            "hovertemplate": "%{text}<extra></extra>",
            "name": t("chart.significant_short"),
        }
    )
    return {"data": data, "layout": _layout(t, trend.unit)}


def bar_figure(
    labels: Sequence[str],
    values: Sequence[float],
    urls: Sequence[str],
    texts: Sequence[str],
    t: Translator,
    unit: str = "items",
) -> dict[str, Any]:
    return {
        "data": [
            {
                "type": "bar",
                "x": _texts(labels),
                "y": list(values),
                "customdata": list(urls),
                "text": _texts(texts),
                "hovertemplate": "%{text}<extra></extra>",
                "textposition": "none",
                "marker": {"color": _BLUE},
            }
        ],
        "layout": _layout(t, unit),
    }


def metric_figure(
    metric: str,
    rows: Sequence[MetricRow],
    segments: Sequence[str],
    t: Translator,
    base_filters: dict[str, list[str | None]],
    start: date | None,
    end: date | None,
    grain: str,
    namer: Callable[[str, object], str] | None = None,
) -> dict[str, Any]:
    """Explore: one line per segment by period (bars when not by period), with 95% error bars;
    each point links to its items. ``namer(field, value)`` names a segment's value for people
    (:class:`otklik.web.names.Labels`; default: as stored)."""
    spec = get_metric(metric)
    scales = list(spec.scales)
    groups: dict[tuple[Any, ...], list[MetricRow]] = {}
    for row in rows:
        if row.value is not None:
            groups.setdefault(tuple(row.segment.get(name) for name in segments), []).append(row)
    data: list[dict[str, Any]] = []
    for index, (key, members) in enumerate(groups.items()):
        name = " · ".join(
            "–" if value is None else namer(field, value) if namer else str(value)
            for field, value in zip(segments, key, strict=True)
        ) or t(f"metric.{spec.name}")
        x, urls, texts = [], [], []
        for row in members:
            filters: dict[str, list[str | None]] = {
                **base_filters,
                **{s: [row.segment.get(s)] for s in segments},
            }
            if scales:
                filters["scale"] = list(scales)
            if row.period is None:
                label, first, stop = name, start, end
            else:
                label = (
                    t.month_short(row.period) if grain == "month" else t.date(row.period, "medium")
                )
                first, stop = row.period, _period_end(row.period, grain)
            x.append(label)
            urls.append(items_url(filters, first, stop))
            texts.append(_hover(t, spec.unit, row, f"{name} · {label}" if segments else label))
        trace: dict[str, Any] = {
            "x": _texts(x),
            "y": [r.value for r in members],
            "customdata": urls,
            "text": _texts(texts),
            "hovertemplate": "%{text}<extra></extra>",
            "name": plotly_text(name),
            "marker": {"color": _PALETTE[index % len(_PALETTE)]},
            "error_y": {
                "type": "data",
                "visible": True,
                "array": [
                    (r.ci_high - r.value) if r.ci_high is not None and r.value is not None else 0
                    for r in members
                ],
                "arrayminus": [
                    (r.value - r.ci_low) if r.ci_low is not None and r.value is not None else 0
                    for r in members
                ],
            },
        }
        if grain == "all":
            trace.update({"type": "bar", "textposition": "none"})
        else:
            trace.update({"type": "scatter", "mode": "lines+markers"})
        data.append(trace)
    layout = _layout(t, spec.unit, height=380)
    layout["showlegend"] = len(data) > 1
    return {"data": data, "layout": layout}


def _period_end(start: date, grain: str) -> date:
    if grain == "day":
        return start + timedelta(days=1)
    if grain == "week":
        return start + timedelta(days=7)
    if grain == "month":
        return month_after(start)
    if grain == "quarter":
        return month_after(month_after(month_after(start)))
    if grain == "year":
        return date(start.year + 1, 1, 1)
    return start
