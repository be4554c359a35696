"""Topics: volume, share, NPS and CSAT with 95% intervals per topic of the taxonomy tree (in
the user's language), the change against the previous period and a monthly trend; split by
agent, channel, product or survey mechanic; each topic opens its items."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from otklik.metrics import TOPIC_METRICS, TOPIC_SPLITS
from otklik.web.deps import PageUser, StateDep, TranslatorDep
from otklik.web.errors import ApiError
from otklik.web.pages.explore import filter_options
from otklik.web.params import split_values
from otklik.web.rendering import render
from otklik.web.topic_view import (
    TOPIC_FILTERS,
    build_report,
    drill_url,
    segment_label,
    taxonomy_of,
    topic_titles,
    topics_figure,
    trend_figure,
)

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Values = Annotated[list[str] | None, Query()]


@router.get("/topics")
def topics_page(
    request: Request,
    user: PageUser,
    state: StateDep,
    t: TranslatorDep,
    period: Annotated[str | None, Query(max_length=40)] = None,
    split: str | None = None,
    metric: str = "nps",
    topic: Annotated[str | None, Query(max_length=200)] = None,
    kind: Values = None,
    channel: Values = None,
    product: Values = None,
    region: Values = None,
    owner_team: Values = None,
) -> Response:
    if metric not in TOPIC_METRICS:
        raise ApiError(422, f"no topic figure {metric!r}", code="invalid_request")
    split = split or None
    chosen = {
        "kind": split_values(kind),
        "channel": split_values(channel),
        "product": split_values(product),
        "region": split_values(region),
        "owner_team": split_values(owner_team),
    }
    report = build_report(state, user, period=period, split=split, chosen=chosen)
    titles = topic_titles(taxonomy_of(state), t.locale)
    filters = {name: values for name, values in chosen.items() if values}
    focus = next((row for row in report.total), None)
    if topic:
        focus = next((row for row in report.rows if row.topic == topic), focus)
    rows = [
        {
            "row": row,
            "title": titles.get(str(row.topic), str(row.topic)),
            "segment": segment_label(t, report.split, row.segment),
            "url": drill_url(report, row, filters),
        }
        for row in report.rows
        if row.volume > 0 or row.previous_volume > 0  # topics without items are left out
    ]
    return render(
        request,
        "topics.html",
        {
            "report": report,
            "rows": rows,
            "totals": [
                {"row": row, "segment": segment_label(t, report.split, row.segment)}
                for row in report.total
            ],
            "figure": topics_figure(report, t, titles, filters, metric),
            "trend": trend_figure(report, focus, t, filters, metric) if focus else None,
            "focus_title": titles.get(str(focus.topic), str(focus.topic))
            if focus and focus.topic
            else "",
            "focus": focus,
            "metric": metric,
            "metrics": TOPIC_METRICS,
            "splits": {name: t(f"topics.split.{name}") for name in TOPIC_SPLITS},
            "split": split,
            "period_text": period or report.period.label,
            "options": filter_options(state, user, TOPIC_FILTERS),
            "chosen": chosen,
        },
    )
