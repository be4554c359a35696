"""``otklik model train``: models from the team's human labels (on the model sub-app)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from otklik.classify import TARGETS, train_models
from otklik.cli.common import DbOption, OutputFormat, console, err_console, open_store, print_json
from otklik.cli.model_cmd import embedding_bar, model_app
from otklik.config import load_settings

__all__ = ["train_command"]


@model_app.command("train")
def train_command(
    target: Annotated[
        list[str] | None,
        typer.Option("--target", help=f"{'|'.join(TARGETS)} (repeat; default: all)."),
    ] = None,
    method: Annotated[str, typer.Option(help="Model method (see `otklik model eval`).")] = "auto",
    min_labels: Annotated[int, typer.Option(help="Fewest labels to train a target.")] = 10,
    model_dir: Annotated[
        Path | None, typer.Option(help="Where to save (default: $OTKLIK_MODEL_DIR or ./models).")
    ] = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="table|json")] = (
        OutputFormat.table
    ),
    db: DbOption = None,
) -> None:
    """Train type/sentiment/topic models on the human labels in the store and save them."""
    folder = model_dir or load_settings().model_dir
    with open_store(db) as engine, embedding_bar():
        report = train_models(
            engine,
            folder,
            targets=tuple(target) if target else TARGETS,
            method=method,
            min_labels=min_labels,
        )
    if output is OutputFormat.json:
        print_json(report.as_dict())
        return
    table = Table(title=f"Models in {folder}", title_justify="left")
    for column in (
        "target",
        "labels",
        "classes",
        "holdout",
        "holdout accuracy",
        "macro-F1",
        "result",
    ):
        table.add_column(column, overflow="fold")
    for result in report.targets:
        table.add_row(
            result.target,
            str(result.n),
            str(len(result.classes)),
            str(result.scores.get("holdout", "–")),
            str(result.scores.get("holdout_accuracy", "–")),
            str(result.scores.get("holdout_macro_f1", "–")),
            result.skipped or f"saved to {result.saved}",
        )
    console.print(table)
    for result in report.targets:
        if result.scores.get("warning"):
            err_console.print(f"{result.target}: {result.scores['warning']}", markup=False)
    console.print("`otklik classify --all` applies them to every item.", markup=False)
