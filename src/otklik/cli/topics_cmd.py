"""``otklik topics report``: volume, share, NPS and CSAT per topic of the taxonomy tree.

A thin shell over :func:`otklik.metrics.topic_report` (the web page's and the API's figures).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from otklik.classify import DEFAULT_TAXONOMY, load_taxonomy
from otklik.cli import app
from otklik.cli.classify_cmd import TaxonomyOption
from otklik.cli.common import DbOption, console, open_store, print_json
from otklik.config import load_settings
from otklik.errors import MetricError
from otklik.ledger import latest_occurred_at
from otklik.metrics import Grain, MetricRow, Period, TopicFigures, get_zone, topic_report

__all__ = ["TopicsFormat", "report_command", "topics_app"]

topics_app = typer.Typer(
    no_args_is_help=True,
    help="Topic analytics: `otklik topics report [--period P] [--split FIELD]`.",
)
app.add_typer(topics_app, name="topics")


class TopicsFormat(StrEnum):
    table = "table"
    json = "json"


def _figure(row: MetricRow) -> str:
    if row.value is None:
        return "–"
    return f"{row.value:.1f} [{row.ci_low:.1f}…{row.ci_high:.1f}] n={row.n}"


def _change(row: TopicFigures, name: str) -> str:
    change = row.changes[name]
    if change is None or change.difference is None:
        return "–"
    return f"{change.difference:+.1f} {change.verdict}"


@topics_app.command("report")
def report_command(
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            help="2025-03, 2025-Q1, 2025-W05, 2025 or 2025-01-01..2025-02-15 "
            "(default: the month of the latest item).",
        ),
    ] = None,
    split: Annotated[
        str | None,
        typer.Option("--split", help="Split by agent, channel, product or mechanic."),
    ] = None,
    months: Annotated[int, typer.Option("--months", min=1, max=36, help="Trend length.")] = 12,
    output: Annotated[TopicsFormat, typer.Option("--format", help="table or json.")] = (
        TopicsFormat.table
    ),
    taxonomy: TaxonomyOption = None,
    db: DbOption = None,
) -> None:
    """Volume, share, NPS and CSAT (95% intervals) and the change against the previous period
    per topic; a parent counts its subtopics' items once. JSON is the API's shape."""
    settings = load_settings(database_url=db)
    tree = load_taxonomy(taxonomy or settings.taxonomy or DEFAULT_TAXONOMY)
    zone = get_zone(settings.timezone)
    with open_store(db) as engine:
        if period:
            chosen = Period.parse(period)
        else:
            latest = latest_occurred_at(engine)
            if latest is None:
                raise MetricError("the store has no items")
            chosen = Period.of(latest.replace(tzinfo=get_zone("UTC")).astimezone(zone), Grain.MONTH)
        try:
            report = topic_report(
                engine,
                topics=tree.topic_ids(),
                period=chosen,
                split=split,
                months=months,
                timezone=zone,
            )
        except ValueError as exc:
            raise MetricError(str(exc)) from None
    if output is TopicsFormat.json:
        print_json(report.to_dict())
        return
    table = Table(title=f"topics {report.period.label} (vs {report.previous.label}, {zone.key})")
    for column in (
        "topic",
        *(["segment"] if split else []),
        "items",
        "share %",
        "NPS",
        "Δ NPS",
        "CSAT %",
        "Δ CSAT",
    ):
        table.add_column(column)
    titles = {node.id: node.title("en") for node in tree.flat_topics()}
    for row in [*report.total, *report.rows]:
        if row.topic is not None and row.volume == 0 and row.previous_volume == 0:
            continue
        name = "(all)" if row.topic is None else "  " * row.depth + titles.get(row.topic, row.topic)
        share = "–" if row.share.value is None or row.topic is None else f"{row.share.value:.1f}"
        cells = [
            name,
            *([str(row.segment) if row.segment is not None else "–"] if split else []),
            str(row.volume),
            share,
            _figure(row.metrics["nps"]),
            _change(row, "nps"),
            _figure(row.metrics["csat"]),
            _change(row, "csat"),
        ]
        table.add_row(*cells)
    console.print(table)
