"""``otklik model ...``: trained text classifiers (``model eval`` here; ``model train`` joins).

The commands load scikit-learn (and torch, for embeddings) only when they run, so the rest of
the CLI starts without them.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from otklik.cli import app
from otklik.cli.common import console, print_json

__all__ = ["EvalFormat", "Method", "eval_command", "model_app"]

model_app = typer.Typer(
    help="Trained text classifiers: evaluate on labelled files, train on the team's labels.",
    no_args_is_help=True,
)
app.add_typer(model_app, name="model")


class Method(StrEnum):
    auto = "auto"
    tfidf = "tfidf"
    embeddings = "embeddings"
    ensemble = "ensemble"
    llm = "llm"  # the LLM's classify prompt, scored next to the trained model (auto)


class EvalFormat(StrEnum):
    table = "table"
    json = "json"


@model_app.command("eval")
def eval_command(
    train: Annotated[
        Path, typer.Option("--train", help="Labelled file to train on (.csv, .tsv, .jsonl).")
    ],
    test: Annotated[Path, typer.Option("--test", help="Labelled file to score on.")],
    text_column: Annotated[str, typer.Option("--text-column", help="Column with the text.")],
    label_column: Annotated[str, typer.Option("--label-column", help="Column with the label.")],
    few_shot: Annotated[
        int | None,
        typer.Option("--few-shot", min=1, help="Train on K random examples per label."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed for --few-shot and the model.")] = 0,
    method: Annotated[
        Method,
        typer.Option(
            "--method",
            help="tfidf (no torch), embeddings, ensemble, or auto: ensemble when the "
            "embeddings extra is installed and the texts are mostly English, else tfidf; "
            "llm: the LLM ($OTKLIK_LLM_*) next to the auto model, with cost and latency.",
        ),
    ] = Method.auto,
    target: Annotated[
        str | None,
        typer.Option(
            "--target",
            help="With --method llm: type, sentiment or topic (default: what the labels name).",
            show_default=False,
        ),
    ] = None,
    predictions: Annotated[
        Path | None,
        typer.Option("--predictions", help="Write a CSV with text, label, predicted."),
    ] = None,
    output: Annotated[EvalFormat, typer.Option("--format", help="table|json")] = (EvalFormat.table),
) -> None:
    """Train on --train, predict --test, print accuracy, macro-F1 and speed."""
    if method is Method.llm:
        from otklik.cli.llm_cmd import compare_with_llm

        compare_with_llm(
            train,
            test,
            text_column=text_column,
            label_column=label_column,
            target=target,
            seed=seed,
            predictions=predictions,
            as_json=output is EvalFormat.json,
        )
        return
    from otklik.classify.evaluate import evaluate

    result = evaluate(
        train,
        test,
        text_column=text_column,
        label_column=label_column,
        few_shot=few_shot,
        seed=seed,
        method=method.value,
        predictions=predictions,
    )
    if output is EvalFormat.json:
        print_json(result)
        return
    table = Table(title=f"{train.name} → {test.name}", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    for key, value in result.items():
        table.add_row(key, str(value))
    if predictions is not None:
        table.add_row("predictions", str(predictions))
    console.print(table)
