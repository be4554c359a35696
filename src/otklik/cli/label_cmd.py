"""``otklik label``: human labels in, and the queue of items most worth labelling out."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from otklik.classify import import_labels, load_taxonomy, mask_pii, review_queue
from otklik.cli import app
from otklik.cli.cases_cmd import current_actor
from otklik.cli.common import DbOption, OutputFormat, console, open_store, print_json
from otklik.config import load_settings
from otklik.routing import load_teams, route_items, sync_teams
from otklik.sheets import csv_writer

__all__ = ["label_app"]

label_app = typer.Typer(
    help="Human labels: import them, and see which items to label next.", no_args_is_help=True
)
app.add_typer(label_app, name="label")

_QUEUE_CSV = (
    "item_id",
    "source",
    "external_id",
    "text",
    "predicted_type",
    "predicted_sentiment",
    "predicted_topics",
    "confidence",
    "type",
    "topic",
    "sentiment",
)


@label_app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(help="CSV/TSV, XLSX or JSON file of labels.")],
    sheet: Annotated[str | None, typer.Option(help="XLSX sheet; default: first visible.")] = None,
    by: Annotated[str | None, typer.Option("--by", help="Who labelled (default: you).")] = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="table|json")] = (
        OutputFormat.table
    ),
    db: DbOption = None,
) -> None:
    """Store human labels (item_id, or source + external_id; type, topic, sentiment).

    A human label always wins over the machine's; items it makes actionable get cases.
    """
    settings = load_settings()
    taxonomy = load_taxonomy(settings.taxonomy)
    with open_store(db) as engine:
        actor = by or current_actor()
        report = import_labels(engine, path, taxonomy, labelled_by=actor, sheet=sheet)
        teams = load_teams(settings.teams)
        sync_teams(engine, teams)
        # cases opened, or moved to a new owner team, are the labeller's doing in their history
        opened = route_items(engine, teams, report.item_ids, actor=actor) if report.item_ids else 0
    if output is OutputFormat.json:
        print_json({**report.as_dict(), "cases_opened": opened})
        return
    console.print(
        f"{report.file}: read {report.read}, new labels {report.created}, updated "
        f"{report.updated}, rejected {len(report.problems)}; cases opened {opened}",
        markup=False,
        highlight=False,
    )
    for problem in report.problems[:20]:
        console.print(f"  {problem}", markup=False, highlight=False)
    if len(report.problems) > 20:
        console.print(f"  … and {len(report.problems) - 20} more (--format json lists all)")


def _queue_rows(engine: Any, limit: int) -> list[dict[str, Any]]:
    rows = review_queue(engine, limit=limit)
    for row in rows:
        row["text"] = mask_pii(row["text"] or "")
        row["item_id"] = row.pop("id")
    return rows


@label_app.command("queue")
def queue_command(
    limit: Annotated[int, typer.Option(help="How many items.")] = 20,
    output: Annotated[
        OutputFormat,
        typer.Option("--format", help="table|json|csv (csv: a sheet to fill in and import)"),
    ] = OutputFormat.table,
    db: DbOption = None,
) -> None:
    """The machine-labelled items the classifier is least sure of: label these first."""
    with open_store(db) as engine:
        rows = _queue_rows(engine, limit)
    if output is OutputFormat.json:
        print_json(rows)
    elif output is OutputFormat.csv:
        writer = csv_writer(sys.stdout)
        writer.writerow(_QUEUE_CSV)
        for row in rows:
            writer.writerow(
                [
                    row["item_id"],
                    row["source"],
                    row["external_id"],
                    row["text"],
                    row["type"],
                    row["sentiment"],
                    ";".join(row["topics"] or []),
                    row["confidence"],
                    "",
                    "",
                    "",
                ]
            )
    else:
        table = Table(
            title=f"Label these first / разметьте сначала ({len(rows)})", title_justify="left"
        )
        for column in ("item", "confidence", "type", "sentiment", "topics", "text"):
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(
                str(row["item_id"]),
                f"{row['confidence']:.2f}",
                row["type"] or "",
                row["sentiment"] or "",
                ", ".join(row["topics"] or []),
                row["text"],
            )
        console.print(table)
