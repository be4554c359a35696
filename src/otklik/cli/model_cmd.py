"""``otklik model ...``: trained text classifiers (``model eval`` here; ``model train`` joins).

The commands load scikit-learn (and torch, for embeddings) only when they run, so the rest of
the CLI starts without them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from otklik.cli import app
from otklik.cli.common import console, err_console, print_json

__all__ = ["EvalFormat", "Method", "embedding_bar", "eval_command", "model_app"]

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
    combined = "combined"
    llm = "llm"  # the LLM's classify prompt, scored next to the trained model (auto)
    rules = "rules"
    shipped = "shipped"
    hybrid = "hybrid"


class EvalFormat(StrEnum):
    table = "table"
    json = "json"


@contextmanager
def embedding_bar() -> Iterator[None]:
    """A progress bar on a terminal for the texts the e5 embedder encodes inside the block
    (``--method combined|embeddings|ensemble`` on non-English texts: ~40 texts a second)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskID,
        TextColumn,
        TimeRemainingColumn,
    )

    from otklik.classify import embedding_progress

    with Progress(
        TextColumn("[bold]embedding texts / векторы текстов"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        disable=not err_console.is_terminal,
        transient=True,
    ) as bar:
        tasks: list[TaskID] = []  # shown from the first batch: tfidf alone embeds nothing

        def report(done: int, total: int) -> None:
            if not tasks:
                tasks.append(bar.add_task("embed", total=total))
            bar.update(tasks[0], completed=done, total=total)

        with embedding_progress(report):
            yield


@model_app.command("eval")
def eval_command(
    test: Annotated[Path, typer.Option("--test", help="Labelled file to score on.")],
    text_column: Annotated[str, typer.Option("--text-column", help="Column with the text.")],
    label_column: Annotated[str, typer.Option("--label-column", help="Column with the label.")],
    train: Annotated[
        Path | None,
        typer.Option(
            "--train",
            help="Labelled file to train on (.csv, .tsv, .jsonl). Without it: the rules and "
            "the shipped model are scored, and what auto picks per language is shown.",
        ),
    ] = None,
    few_shot: Annotated[
        int | None,
        typer.Option("--few-shot", min=1, help="Train on K random examples per label."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed for --few-shot and the model.")] = 0,
    method: Annotated[
        Method,
        typer.Option(
            "--method",
            help="tfidf (no torch), embeddings, ensemble (the mean of the tfidf and embeddings "
            "models), combined (one model over n-grams and embeddings: e5 from otklik[e5] "
            "for non-English texts, MiniLM from otklik[embeddings] for English), or auto: "
            "ensemble when the embeddings extra is installed and the texts are mostly "
            "English, else tfidf; "
            "llm: the LLM ($OTKLIK_LLM_*) next to the auto model, with cost and latency "
            "(needs --train). Without --train: rules, shipped (the model otklik ships for the "
            "language), hybrid (rules; the shipped model where they see no sentiment) or auto "
            "(all three, and the one auto uses for the language).",
        ),
    ] = Method.auto,
    prior: Annotated[
        str,
        typer.Option(
            "--prior",
            help="With --train: none, shipped (start from the shipped sentiment model and the "
            "rules: the shipped model fine-tuned on --train) or auto (shipped when the labels "
            "are sentiments in a language otklik ships a model for).",
        ),
    ] = "none",
    target: Annotated[
        str | None,
        typer.Option(
            "--target",
            help="With --method llm: type, sentiment or topic; without --train: type or "
            "sentiment (default: what the labels name).",
            show_default=False,
        ),
    ] = None,
    language: Annotated[
        str | None,
        typer.Option(
            "--language",
            help="Without --train: the texts' language (default: the most frequent detected).",
            show_default=False,
        ),
    ] = None,
    predictions: Annotated[
        Path | None,
        typer.Option("--predictions", help="Write a CSV with text, label, predicted."),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            help="Without --train: read the texts as items of this kind (survey, contact, "
            "review, social…), as otklik classify does: a sentiment read as neutral follows a "
            "complaint or praise type, except for social posts. Default: each target alone.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[EvalFormat, typer.Option("--format", help="table|json")] = (EvalFormat.table),
) -> None:
    """Train on --train, predict --test, print accuracy, macro-F1 and speed; without --train,
    score the rules and the shipped model and show what auto picks per language."""
    from otklik.classify.evaluation import READY_METHODS, evaluate, evaluate_ready
    from otklik.errors import ConfigError

    if method is Method.llm:
        from otklik.cli.llm_cmd import compare_with_llm

        if train is None:
            raise ConfigError(
                "--method llm compares the LLM with a model trained on --train: give --train"
            )
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

    if train is None or method.value in READY_METHODS:
        if train is not None:
            raise ConfigError(f"--method {method.value} trains nothing; leave out --train")
    elif kind is not None:
        raise ConfigError("--kind applies to the rules and shipped models: leave out --train")
    if train is None or method.value in READY_METHODS:
        result = evaluate_ready(
            test,
            text_column=text_column,
            label_column=label_column,
            method=method.value,
            target=target,
            language=language,
            predictions=predictions,
            kind=kind,
        )
        title = test.name
    else:
        with embedding_bar():
            result = evaluate(
                train,
                test,
                text_column=text_column,
                label_column=label_column,
                few_shot=few_shot,
                seed=seed,
                method=method.value,
                predictions=predictions,
                prior=prior,
            )
        title = f"{train.name} → {test.name}"
    if output is EvalFormat.json:
        print_json(result)
        return
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    for key, value in _rows(result):
        table.add_row(key, value)
    if predictions is not None:
        table.add_row("predictions", str(predictions))
    console.print(table)


def _rows(result: dict[str, object], prefix: str = "") -> list[tuple[str, str]]:
    """Nested results as ``a.b`` rows (``compared.rules.accuracy``, ``auto.ru.method``)."""
    rows: list[tuple[str, str]] = []
    for key, value in result.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            rows += _rows(value, prefix=f"{name}.")
        else:
            rows.append((name, str(value)))
    return rows
