"""What the topics page and ``/api/v1/topics`` share: the request's period, filters and zone
turned into one :func:`otklik.metrics.topic_report`, the taxonomy's titles, and the charts.

The web layer only parses and formats: the figures are the metrics package's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from otklik.auth import Principal
from otklik.classify import DEFAULT_TAXONOMY, Taxonomy, read_taxonomy
from otklik.ledger import latest_occurred_at
from otklik.metrics import (
    TOPIC_SPLITS,
    Grain,
    MetricRow,
    Period,
    TopicFigures,
    TopicReport,
    get_metric,
    get_zone,
    topic_report,
)
from otklik.web.charts import items_url, plotly_text
from otklik.web.errors import ApiError
from otklik.web.i18n import Translator
from otklik.web.names import file_stamp
from otklik.web.params import parse_period
from otklik.web.scope import scoped_filters
from otklik.web.state import HEAVY_TTL_S, WebState

__all__ = [
    "TOPIC_FILTERS",
    "build_report",
    "drill_url",
    "segment_label",
    "taxonomy_of",
    "topic_choices",
    "topic_titles",
    "topics_figure",
    "trend_figure",
]

TOPIC_FILTERS: tuple[str, ...] = ("kind", "channel", "product", "region", "owner_team")
"""Item fields the topics page filters by (multi-selects of names, as on the other pages)."""
# Split values that are item fields can narrow the items page; a mechanic cannot.
_ITEM_SPLITS = ("agent", "channel", "product")
_PALETTE = ("#2b6cb0", "#dd6b20", "#2f855a", "#805ad5", "#c53030", "#319795", "#d69e2e")


def taxonomy_of(state: WebState) -> Taxonomy | None:
    """The taxonomy in force (``OTKLIK_TAXONOMY``, else the shipped one), cached briefly;
    None when the file cannot be read (the page then shows topic ids)."""
    path = state.settings.taxonomy or DEFAULT_TAXONOMY

    def load() -> Taxonomy | None:
        taxonomy, _issues = read_taxonomy(path)
        return taxonomy

    return state.cache.get(("taxonomy", *file_stamp(path)), load)


def topic_titles(taxonomy: Taxonomy | None, locale: str) -> dict[str, str]:
    """Each topic's name in ``locale`` (the taxonomy's own translation); topics missing from
    it are shown by their id (``titles.get(topic, topic)``)."""
    if taxonomy is None:
        return {}
    return {node.id: node.title(locale) for node in taxonomy.flat_topics()}


def topic_choices(state: WebState, locale: str) -> list[tuple[str, str]]:
    """(id, name) of every topic for a filter list, children indented under their parent."""
    taxonomy = taxonomy_of(state)
    if taxonomy is None:
        return []
    return [
        (node.id, "\u00a0\u00a0" * node.id.count(".") + node.title(locale))
        for node in taxonomy.flat_topics()
    ]


def segment_label(t: Translator, split: str | None, value: str | None) -> str:
    """A split value as people read it (channels and mechanics through the catalogue)."""
    if split in ("channel", "mechanic"):
        return t.code(split, value)
    return "–" if value is None else str(value)


def _period(text: str | None, state: WebState, filters: Mapping[str, Any]) -> Period:
    if text and text.strip():
        chosen = parse_period(text)
        assert chosen is not None
        return chosen
    zone = get_zone(state.settings.timezone)
    latest = latest_occurred_at(state.engine, filters=filters)
    if latest is None:
        return Period.of(datetime.now(UTC).date(), Grain.MONTH)
    local = latest.replace(tzinfo=UTC).astimezone(zone).date()
    return Period.of(local, Grain.MONTH)


def build_report(
    state: WebState,
    user: Principal,
    *,
    period: str | None,
    split: str | None,
    chosen: Mapping[str, Sequence[str | None]],
    months: int = 12,
) -> TopicReport:
    """The report for a request: the user's zone applied to every figure (totals and shares
    included), the period parsed (default: the month of the latest item in the zone)."""
    if split is not None and split not in TOPIC_SPLITS:
        raise ApiError(422, f"cannot split topics by {split!r}", code="invalid_request")
    filters = scoped_filters(user, chosen)
    taxonomy = taxonomy_of(state)
    topics = tuple(taxonomy.topic_ids()) if taxonomy is not None else ()
    chosen_period = _period(period, state, filters)
    timezone = state.settings.timezone
    # One GROUP BY over every item of the trend's months (seconds at 1M items): kept in the
    # page cache per zone and filters, like the overview's figures (dropped by a write, served
    # while recomputed after the expiry), and computed at start-up for every zone's default.
    key = ("topics", repr(sorted(filters.items())), chosen_period, split, months, timezone, topics)
    try:
        return state.cache.get(
            key,
            lambda: topic_report(
                state.engine,
                topics=topics,
                period=chosen_period,
                filters=filters,
                split=split,
                months=months,
                timezone=timezone,
            ),
            ttl_s=HEAVY_TTL_S,
            keep=True,
        )
    except ValueError as exc:
        raise ApiError(422, str(exc), code="invalid_request") from None


def drill_url(
    report: TopicReport,
    row: TopicFigures,
    filters: Mapping[str, Sequence[str | None]],
) -> str:
    """The items behind a row: its topic (subtopics included), the split value where the items
    page can filter by it, the page's filters and the period's days."""
    wanted: dict[str, list[str | None]] = {name: list(v) for name, v in filters.items() if v}
    if row.topic is not None:
        wanted["topic"] = [row.topic]
    if report.split in _ITEM_SPLITS:
        wanted[report.split] = [row.segment]
    return items_url(wanted, report.period.start, report.period.end)


def _hover(t: Translator, label: str, row: TopicFigures, metric: str) -> str:
    figure = row.metrics[metric]
    unit = get_metric(metric).unit
    ci = ""
    if figure.ci_low is not None and figure.ci_high is not None:
        ci = f" [{t.metric(figure.ci_low, unit)} … {t.metric(figure.ci_high, unit)}]"
    return (
        f"{label}: {metric.upper()} {t.metric(figure.value, unit)}{ci}, n = {t.integer(figure.n)}"
        f" · {t('topics.col.volume')} {t.integer(row.volume)}"
    )


def topics_figure(
    report: TopicReport,
    t: Translator,
    titles: Mapping[str, str],
    filters: Mapping[str, Sequence[str | None]],
    metric: str = "nps",
    max_segments: int = 6,
) -> dict[str, Any]:
    """The metric per topic (topics with answers) as bars with 95% error bars, one colour per
    split value (the most frequent ``max_segments``); a click opens the topic's items."""
    unit = get_metric(metric).unit
    segments = [row.segment for row in report.total][:max_segments]
    data: list[dict[str, Any]] = []
    for index, segment in enumerate(segments):
        rows = [
            row
            for row in report.rows
            if row.segment == segment and row.metrics[metric].value is not None
        ]
        labels = [("  " * row.depth) + titles.get(str(row.topic), str(row.topic)) for row in rows]
        values = [row.metrics[metric] for row in rows]
        data.append(
            {
                "type": "bar",
                "orientation": "v",
                "x": [plotly_text(label) for label in labels],
                "y": [value.value for value in values],
                "customdata": [drill_url(report, row, filters) for row in rows],
                "text": [
                    plotly_text(_hover(t, label, row, metric))
                    for label, row in zip(labels, rows, strict=True)
                ],
                "hovertemplate": "%{text}<extra></extra>",
                "textposition": "none",
                "name": plotly_text(segment_label(t, report.split, segment))
                if report.split
                else metric.upper(),
                "marker": {"color": _PALETTE[index % len(_PALETTE)]},
                "error_y": _error_bars(values),
            }
        )
    return {"data": data, "layout": _layout(t, unit, len(data) > 1)}


def _error_bars(values: Sequence[MetricRow]) -> dict[str, Any]:
    def up(v: MetricRow) -> float:
        return v.ci_high - v.value if v.ci_high is not None and v.value is not None else 0.0

    def down(v: MetricRow) -> float:
        return v.value - v.ci_low if v.ci_low is not None and v.value is not None else 0.0

    return {
        "type": "data",
        "visible": True,
        "array": [up(v) for v in values],
        "arrayminus": [down(v) for v in values],
    }


def trend_figure(
    report: TopicReport,
    row: TopicFigures,
    t: Translator,
    filters: Mapping[str, Sequence[str | None]],
    metric: str = "nps",
) -> dict[str, Any]:
    """One topic's metric by month: the line and its 95% band; a point opens that month's
    items of the topic."""
    unit = get_metric(metric).unit
    points = [p for p in row.trend if p.metrics[metric].value is not None]
    x = [plotly_text(t.month_short(p.period)) for p in points]
    values = [p.metrics[metric] for p in points]
    urls = []
    for point in points:
        wanted = {name: list(v) for name, v in filters.items() if v}
        if row.topic is not None:
            wanted["topic"] = [row.topic]
        end = Period.of(point.period, Grain.MONTH).end
        urls.append(items_url(wanted, point.period, end))
    banded = [(label, v) for label, v in zip(x, values, strict=True) if v.ci_low is not None]
    data = [
        {
            "type": "scatter",
            "x": [label for label, _ in banded] + [label for label, _ in banded][::-1],
            "y": [v.ci_high for _, v in banded] + [v.ci_low for _, v in banded][::-1],
            "fill": "toself",
            "fillcolor": "rgba(43,108,176,0.15)",
            "line": {"width": 0},
            "hoverinfo": "skip",
            "name": plotly_text(t("chart.ci")),
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "x": x,
            "y": [v.value for v in values],
            "customdata": urls,
            "text": [
                plotly_text(
                    f"{t.month_short(p.period)}: {t.metric(v.value, unit)}, n = {t.integer(v.n)}"
                )
                for p, v in zip(points, values, strict=True)
            ],
            "hovertemplate": "%{text}<extra></extra>",
            "line": {"color": _PALETTE[0], "width": 2},
            "name": metric.upper(),
        },
    ]
    return {"data": data, "layout": _layout(t, unit, False)}


def _layout(t: Translator, unit: str, legend: bool) -> dict[str, Any]:
    return {
        "height": 320,
        "margin": {"l": 50, "r": 10, "t": 10, "b": 80},
        "showlegend": legend,
        "hovermode": "closest",
        "barmode": "group",
        "xaxis": {"type": "category", "automargin": True},
        "yaxis": {"title": {"text": t(f"unit.{unit}")}, "zeroline": True, "automargin": True},
        "separators": ", " if t.locale == "ru" else ".,",
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
    }
