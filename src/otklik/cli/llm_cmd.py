"""``otklik llm ...`` and ``otklik classify --method llm``: the LLM's prompts from the shell.

Settings: ``OTKLIK_LLM_BASE_URL``, ``OTKLIK_LLM_MODEL``, ``OTKLIK_LLM_API_KEY`` and the rest
of ``OTKLIK_LLM_*`` (docs/llm.md). Every text is masked before it is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy import Engine

from otklik.cli import app
from otklik.cli.common import DbOption, console, err_console, open_store, print_json
from otklik.config import load_settings
from otklik.metrics import query_day

if TYPE_CHECKING:
    from otklik.llm import AssistResult, LlmClassifyReport, LlmClient

__all__ = [
    "LlmFormat",
    "compare_with_llm",
    "llm_app",
    "llm_client",
    "mask_command",
    "offer_command",
    "print_llm_report",
    "progress_bar",
    "prompts_command",
    "reply_command",
    "run_llm_classification",
    "runs_command",
    "summarize_command",
]

llm_app = typer.Typer(
    help="LLM analysis: summaries, reply drafts, offers beyond the script (docs/llm.md).",
    no_args_is_help=True,
)
app.add_typer(llm_app, name="llm")


class LlmFormat(StrEnum):
    table = "table"
    json = "json"


FormatOption = Annotated[LlmFormat, typer.Option("--format", help="table|json")]
ItemOption = Annotated[int, typer.Option("--item", min=1, help="The item's id.")]


@contextmanager
def llm_client(engine: Engine | None = None) -> Iterator[LlmClient]:
    """A client on the configured endpoint, caching in the store when there is one."""
    from otklik.llm import LlmClient, MemoryCache, StoreCache, load_llm_settings, make_http_client

    settings = load_llm_settings()
    settings.require_endpoint()
    with make_http_client(settings) as http:
        cache = StoreCache(engine) if engine is not None else MemoryCache()
        yield LlmClient(settings, http=http, cache=cache)


@contextmanager
def progress_bar(label: str, show: bool = True) -> Iterator[Any]:
    """A rich progress bar on stderr (hidden when not a terminal); yields update(done, total)."""
    with Progress(
        TextColumn(f"[bold]{label}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        disable=not (show and err_console.is_terminal),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def run_llm_classification(
    engine: Engine,
    *,
    reclassify: bool = False,
    taxonomy: Path | None = None,
    teams: Path | None = None,
    show_progress: bool = True,
) -> LlmClassifyReport:
    """``otklik classify --method llm``: classify and route with the LLM, with a progress bar."""
    from otklik.llm import classify_with_llm, load_llm_settings

    settings = load_settings()
    llm_settings = load_llm_settings()
    with llm_client(engine) as client, progress_bar("classifying (LLM)", show_progress) as bar:
        return classify_with_llm(
            engine,
            client,
            reclassify=reclassify,
            taxonomy=taxonomy or settings.taxonomy,
            teams=teams or settings.teams,
            model_dir=settings.model_dir,
            batch_size=max(16, llm_settings.concurrency * 8),
            progress=bar,
            prompts_dir=llm_settings.prompts_dir,
            actor=settings.actor,
        )


def print_llm_report(report: LlmClassifyReport) -> None:
    """The LLM part of a classify run: answers, cache, failures, tokens and cost."""
    usage = report.usage
    console.print(
        f"LLM {report.model}: {usage['asked']:,} asked, {usage['cached']:,} from cache, "
        f"{usage['failed']:,} failed; tokens {usage['prompt_tokens']:,} + "
        f"{usage['completion_tokens']:,}; cost {usage['cost']:.4f}; run #{report.run_id}",
        markup=False,
        highlight=False,
    )
    for item_id, reason in report.failures[:10]:
        console.print(f"  item {item_id}: {reason}", markup=False, highlight=False)
    if len(report.failures) > 10:
        console.print(f"  … and {len(report.failures) - 10} more (otklik llm runs)", markup=False)


def _print_assist(result: AssistResult, output: LlmFormat) -> None:
    if output is LlmFormat.json:
        print_json(result.as_dict())
    else:
        _print_answer(result)
    if result.failure:
        raise typer.Exit(1)


def _print_answer(result: AssistResult) -> None:
    if result.failure:
        err_console.print(f"no answer: {result.failure}", markup=False, highlight=False)
    answer = result.answer.model_dump() if result.answer is not None else {}
    if result.task == "summarize" and answer:
        table = Table("problem", "count", "quotes", title=answer.get("overview") or None)
        for problem in answer["problems"]:
            quotes = "\n".join(f"«{q}»" for q in problem["quotes"])
            table.add_row(problem["title"], str(problem["count"]), quotes)
        console.print(table)
    elif result.task == "reply" and answer:
        console.print(
            f"[{answer['language']}, {answer['address_form']}]", markup=False, highlight=False
        )
        console.print(answer["reply"], markup=False, highlight=False)
    elif result.task == "offer" and answer:
        table = Table("offer", "why", "needs approval", title=answer.get("risk") or None)
        for offer in answer["suggestions"]:
            table.add_row(offer["offer"], offer["why"], "yes" if offer["needs_approval"] else "")
        console.print(table)
    usage = result.usage
    console.print(
        f"{result.model} · {result.prompt_version} · read {result.read} · tokens "
        f"{usage['prompt_tokens']} + {usage['completion_tokens']} · cost {usage['cost']:.4f}"
        + (" · cached" if usage["cached"] else ""),
        markup=False,
        highlight=False,
        style="dim",
    )


@llm_app.command("summarize")
def summarize_command(
    topic: Annotated[str, typer.Option("--topic", help="Topic id (subtopics included).")],
    since: Annotated[
        str | None, typer.Option("--since", help="First day (YYYY-MM-DD).", show_default=False)
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", help="Last day included (YYYY-MM-DD).", show_default=False),
    ] = None,
    language: Annotated[
        str | None,
        typer.Option("--language", help="ru|en (default: the comments' usual language)."),
    ] = None,
    output: FormatOption = LlmFormat.table,
    db: DbOption = None,
) -> None:
    """Main problems in a topic's comments for a period, with quotes copied from them."""
    from otklik.llm import load_llm_settings, summarize_topic

    settings = load_settings()
    first = query_day(since, "--since") if since else None
    last = query_day(until, "--until") if until else None
    with open_store(db) as engine, llm_client(engine) as client:
        result = summarize_topic(
            engine,
            client,
            topic=topic,
            since=first,
            until=last,
            zone=settings.timezone,
            language=language,
            directory=load_llm_settings().prompts_dir,
            actor=settings.actor,
        )
    _print_assist(result, output)


@llm_app.command("reply")
def reply_command(
    item: ItemOption, output: FormatOption = LlmFormat.table, db: DbOption = None
) -> None:
    """Draft a reply to an item in the customer's language and form of address."""
    from otklik.llm import draft_reply

    _assist_item(draft_reply, item, output, db)


@llm_app.command("offer")
def offer_command(
    item: ItemOption, output: FormatOption = LlmFormat.table, db: DbOption = None
) -> None:
    """Suggest what the operator may offer beyond the script, from the customer's history."""
    from otklik.llm import suggest_offer

    _assist_item(suggest_offer, item, output, db)


def _assist_item(assist: Callable[..., Any], item: int, output: LlmFormat, db: str | None) -> None:
    """Run one of the per-item prompts (reply, offer) on ``item`` and print its answer."""
    from otklik.llm import load_llm_settings

    with open_store(db) as engine, llm_client(engine) as client:
        result = assist(
            engine,
            client,
            item_id=item,
            directory=load_llm_settings().prompts_dir,
            actor=load_settings().actor,
        )
    _print_assist(result, output)


@llm_app.command("mask")
def mask_command(
    text: Annotated[str, typer.Argument(help="A text; '-' reads standard input.")],
) -> None:
    """Print the text as an LLM would receive it (personal data masked); sends nothing."""
    import sys

    from otklik.llm import mask_for_llm

    source = sys.stdin.read() if text == "-" else text
    console.print(mask_for_llm(source), markup=False, highlight=False, soft_wrap=True)


@llm_app.command("prompts")
def prompts_command(output: FormatOption = LlmFormat.table) -> None:
    """The prompts in force: task, language, version and where each was read from."""
    from otklik.llm import PROMPT_LANGUAGES, TASKS, load_llm_settings, load_prompt

    directory = load_llm_settings().prompts_dir
    rows = [
        load_prompt(task, language, directory=directory)
        for task in TASKS
        for language in PROMPT_LANGUAGES
    ]
    found = [
        {"task": p.task, "language": p.language, "version": p.version, "source": p.source}
        for p in rows
    ]
    if output is LlmFormat.json:
        print_json(found)
        return
    table = Table("task", "language", "version", "source")
    for row in found:
        table.add_row(row["task"], row["language"], row["version"], row["source"])
    console.print(table)


@llm_app.command("runs")
def runs_command(
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000, help="How many.")] = 20,
    output: FormatOption = LlmFormat.table,
    db: DbOption = None,
) -> None:
    """The latest LLM runs: task, model, answers, failures, tokens and cost."""
    from otklik.llm import recent_runs

    with open_store(db) as engine:
        runs = recent_runs(engine, limit=limit)
    if output is LlmFormat.json:
        print_json(runs)
        return
    table = Table(
        "#", "started (UTC)", "task", "model", "asked", "cached", "failed", "tokens", "cost"
    )
    for run in runs:
        table.add_row(
            str(run["id"]),
            f"{run['started_at']:%Y-%m-%d %H:%M}",
            run["task"],
            run["model"],
            str(run["asked"]),
            str(run["cached"]),
            str(run["failed"]),
            f"{run['prompt_tokens'] + run['completion_tokens']:,}",
            f"{run['cost']:.4f}",
        )
    console.print(table)


def compare_with_llm(
    train: Path,
    test: Path,
    *,
    text_column: str,
    label_column: str,
    target: str | None,
    seed: int,
    predictions: Path | None,
    as_json: bool,
) -> None:
    """``otklik model eval --method llm``: the LLM and the trained model, side by side."""
    from otklik.classify import default_rules, load_taxonomy
    from otklik.llm import evaluate_llm, load_llm_settings

    settings = load_settings()
    taxonomy = load_taxonomy(settings.taxonomy) if settings.taxonomy else default_rules().taxonomy
    with llm_client() as client, progress_bar("asking the LLM", not as_json) as bar:
        result = evaluate_llm(
            train,
            test,
            client=client,
            taxonomy=taxonomy,
            text_column=text_column,
            label_column=label_column,
            target=target,
            seed=seed,
            prompts_dir=load_llm_settings().prompts_dir,
            predictions=predictions,
            progress=bar,
        )
    if as_json:
        print_json(result)
        return
    llm, trained = result["llm"], result["trained"]
    table = Table(
        "",
        f"LLM {llm['model']}",
        f"trained ({trained['method']})",
        title=f"{test.name}: {result['target']}, {result['n_test']} texts",
        title_justify="left",
    )

    def latency(value: float | None) -> str:
        return "–" if value is None else f"{value * 1000:,.1f} ms"

    table.add_row("accuracy", f"{llm['accuracy']:.4f}", f"{trained['accuracy']:.4f}")
    table.add_row("macro-F1", f"{llm['macro_f1']:.4f}", f"{trained['macro_f1']:.4f}")
    table.add_row("cost", f"{llm['cost']:.4f}", "0")
    table.add_row(
        "latency per text",
        latency(llm["latency_s_per_text"]),
        latency(trained["latency_s_per_text"]),
    )
    table.add_row("failed", str(llm["failed"]), "0")
    table.add_row("tokens", f"{llm['prompt_tokens']:,} + {llm['completion_tokens']:,}", "–")
    console.print(table)
    for reason, count in llm["failure_reasons"].items():
        console.print(f"  {count} × {reason}", markup=False, highlight=False)
