"""``otklik demo``: a realistic company's feedback in a store, and what to look for in it."""

from __future__ import annotations

import shlex
from datetime import timedelta
from typing import Annotated, Any

import typer
from rich.columns import Columns
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from otklik.cli import app
from otklik.cli.classify_cmd import print_report, run_classification
from otklik.cli.common import DbOption, console, engine_from, err_console
from otklik.cli.web_cmd import serve_command
from otklik.config import DEFAULT_DATABASE_URL, ensure_secret_in_env_file
from otklik.demo import (
    DEMO_PASSWORD,
    DEMO_USERS,
    PERIOD_END,
    PERIOD_START,
    DemoData,
    DemoSummary,
    ensure_demo_users,
    ensure_editable_configs,
    generate,
    load_demo,
    top_problems,
)
from otklik.demo.conduct import load_conduct_demo
from otklik.demo.experiments import load_experiments_demo
from otklik.demo.incidents import plant_incident

__all__ = ["demo_command"]


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "%":
        return f"{value:.1f}%"
    if unit == "s":
        return f"{value:.0f} s"
    if unit == "★":
        return f"{value:.2f} ★"
    if unit == "pts":
        return f"{value:+.1f}"
    return f"{value:.2f}"


def _counts_table(title: str, counts: dict[str, int]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("", style="bold")
    table.add_column("items / шт.", justify="right")
    for name, count in counts.items():
        table.add_row(name, f"{count:,}")
    return table


def _print_load(summary: DemoSummary, data: DemoData) -> None:
    written = summary.imported + summary.updated
    if written == 0 and summary.duplicates:
        console.print(
            f"The store already held this demo: all {summary.duplicates:,} rows counted as "
            "duplicates, nothing written twice (повторный запуск ничего не дублирует)."
        )
    else:
        console.print(
            f"Loaded / загружено: {summary.imported:,} new rows, {summary.updated:,} updated, "
            f"{summary.duplicates:,} already there ({data.rows:,} items + "
            f"{data.customer_count:,} customers)."
        )


def _print_summary(summary: DemoSummary) -> None:
    kinds = _counts_table("By kind / По видам", summary.by_kind)
    channels = _counts_table("By channel / По каналам", summary.by_channel)
    facts = Table(title="Store / Хранилище", title_justify="left", show_header=False)
    facts.add_column(style="bold")
    facts.add_column()
    if summary.first_at is not None and summary.last_at is not None:
        facts.add_row(
            "period / период", f"{summary.first_at:%Y-%m-%d} … {summary.last_at:%Y-%m-%d}"
        )
    facts.add_row("items / записей", f"{summary.items:,}")
    share = 100 * summary.churned / summary.customers if summary.customers else 0.0
    facts.add_row("customers / клиентов", f"{summary.customers:,}")
    facts.add_row("churned / ушли", f"{summary.churned:,} ({share:.0f}%)")
    console.print(Columns([kinds, channels, facts], padding=(0, 2)))
    figures = Table(title="Headline figures / Ключевые показатели", title_justify="left")
    figures.add_column("metric / метрика", style="bold")
    figures.add_column("value", justify="right")
    figures.add_column("95% CI / ДИ", justify="right")
    figures.add_column("n", justify="right")
    for figure in summary.figures:
        interval = (
            f"{_number(figure.ci_low, figure.unit)} … {_number(figure.ci_high, figure.unit)}"
            if figure.ci_low is not None and figure.ci_high is not None
            else "–"
        )
        figures.add_row(
            f"{figure.name} / {figure.name_ru}",
            _number(figure.value, figure.unit),
            interval,
            f"{figure.n:,}",
        )
    console.print(figures)
    patterns = Table(
        title="Planted patterns: what to look for / Что искать", title_justify="left", expand=True
    )
    patterns.add_column("pattern / закономерность", ratio=3)
    patterns.add_column("measured in the store / в данных", ratio=2)
    for finding in summary.findings:
        mark = "✓" if finding.found else "✗"
        title = Text(f"{mark} {finding.title} / {finding.title_ru}\n", style="bold")
        patterns.add_row(title + Text(finding.look_for), Text(finding.evidence))
    console.print(patterns)


def _print_priorities(rows: list[dict[str, Any]]) -> None:
    """The backlog's top problems (``otklik backlog``): impact on NPS and revenue at risk."""
    if not rows:
        return
    table = Table(
        title="What to fix first / Что исправлять в первую очередь (otklik backlog)",
        title_justify="left",
    )
    for column in (
        "# / problem / проблема",
        "NPS impact [95% CI] / влияние",
        "at risk / под риском",
    ):
        table.add_column(column)
    for row in rows:
        ci = row["impact_ci"] or [0.0, 0.0]
        money = row["revenue_at_risk"]
        table.add_row(
            f"{row['rank']}. {row['label']['en']} / {row['label']['ru']} ({row['owner_team']})",
            f"{row['impact']:+.1f} [{ci[0]:+.1f} … {ci[1]:+.1f}] n = {row['n']:,}",
            f"{money['amount']:,.0f} {money['currency']} (n = {money['n']:,})",
        )
    console.print(table)


@app.command("demo")
def demo_command(
    rows: Annotated[int, typer.Option("--rows", help="Feedback items to generate.")] = 50_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed, same data.")] = 42,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Only load the data; do not serve the web app.")
    ] = False,
    host: Annotated[str, typer.Option("--host", help="Address to serve on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to serve on.")] = 8000,
    db: DbOption = None,
) -> None:
    """Load a demo company (a bank with a marketplace side, 2025) and show what it holds."""
    data = generate(rows, seed)
    engine = engine_from(db)
    url = engine.url.render_as_string(hide_password=True)
    console.print(
        f"otklik demo: a bank with a marketplace side, {PERIOD_START:%Y-%m-%d} … "
        f"{PERIOD_END - timedelta(days=1):%Y-%m-%d}, {data.rows:,} items, "
        f"{data.customer_count:,} customers, seed {seed} → {url}",
        markup=False,
    )
    with Progress(
        TextColumn("[bold]{task.description:<16}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        disable=not err_console.is_terminal,
        transient=True,
    ) as bar:
        task = bar.add_task("loading", total=data.total)

        def progress(source: str, done: int) -> None:
            bar.update(task, advance=done, description=source)

        summary = load_demo(engine, data, progress)
    try:
        _print_load(summary, data)
        _print_summary(summary)
        # Classify and route like a real store, so topics, owners and team inboxes are filled.
        print_report(run_classification(engine))
        load_experiments_demo(engine, end=PERIOD_END)  # docs/experiments.md
        load_conduct_demo(engine, seed)
        plant_incident(engine)
        _print_priorities(top_problems(engine))
        created = ensure_demo_users(engine)
    finally:
        engine.dispose()
    _print_logins(created)
    secret_file, wrote = ensure_secret_in_env_file()
    if wrote:
        console.print(
            f"wrote a random OTKLIK_SECRET_KEY to {secret_file.absolute()} (survey links and "
            "sign-ins stay valid across restarts; the CLI and the server read it from there)",
            markup=False,
            soft_wrap=True,
        )
    for path in ensure_editable_configs():
        console.print(
            f"wrote {path.absolute()} (a copy of the shipped file, editable at /admin)",
            markup=False,
            soft_wrap=True,
        )
    db_flag = _db_flag(url)
    if no_serve:
        console.print(f"Serve it with: otklik serve{db_flag}", markup=False, soft_wrap=True)
        _print_next_steps(host, port, db_flag)
        return
    _print_next_steps(host, port, db_flag)
    serve_command(host=host, port=port, db=db)


def _db_flag(url: str) -> str:
    """`` --db URL`` as a shell argument, or nothing for the default store."""
    return "" if url == DEFAULT_DATABASE_URL else f" --db {shlex.quote(url)}"


def _print_next_steps(host: str, port: int, db_flag: str) -> None:
    """The last lines of the demo: where to open it, who to sign in as, how to run `otklik`."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    url = f"http://{shown}:{port}/"
    admin = DEMO_USERS[0][0]
    console.print(
        f"\nOpen / откройте: {url}\n"
        f"Sign in / вход: {admin} / {DEMO_PASSWORD} (other roles above)\n"
        f"The outage as customers saw it / сбой глазами клиентов: {url}status?at=2025-06-10T12:00\n"
        "The otklik command / команда otklik: `source .venv/bin/activate`, then e.g.\n"
        f"  otklik metrics nps --by month{db_flag}\n"
        f"  otklik kpi report{db_flag}\n"
        f"  otklik cases list --overdue{db_flag}\n"
        "or without activating: .venv/bin/otklik --help",
        markup=False,
        soft_wrap=True,
    )


def _print_logins(created: list[str]) -> None:
    table = Table(title="Sign in / Вход (demo users, password / пароль: " + DEMO_PASSWORD + ")")
    table.add_column("e-mail")
    table.add_column("role / роль")
    for email, role, team in DEMO_USERS:
        table.add_row(email, role + (f" ({team})" if team else ""))
    console.print(table)
    if created:
        console.print(f"created {len(created)} demo user(s)", markup=False)
