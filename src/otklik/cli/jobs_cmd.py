"""``otklik worker``, ``otklik jobs`` and ``otklik doctor``: the background work and the health
of a deployment (docs/deploy.md)."""

from __future__ import annotations

import logging
import os
import socket
from typing import Annotated

import typer
from rich.table import Table

from otklik.cli import app
from otklik.cli.common import DbOption, OutputFormat, console, engine_from, open_store, print_json
from otklik.config import load_settings
from otklik.errors import ConfigError

__all__ = ["doctor_command", "jobs_app", "worker_command"]

jobs_app = typer.Typer(
    no_args_is_help=True,
    help="Background jobs: `otklik jobs list [--failed]`, `otklik jobs retry ID`.",
)
app.add_typer(jobs_app, name="jobs")


@app.command("worker")
def worker_command(
    concurrency: Annotated[
        int | None,
        typer.Option(
            "--concurrency",
            min=1,
            help="Jobs this worker runs at once (default: $OTKLIK_JOBS_CONCURRENCY or 1).",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Run a worker: process arrivals (classify, route, open cases) and scheduled jobs."""
    from otklik.jobs import Queue, mode_of

    settings = load_settings(database_url=db)
    with open_store(db) as engine:
        mode = mode_of(engine, settings)
        if mode != "queue":
            raise ConfigError(
                "the store is SQLite (or OTKLIK_JOBS is not queue): jobs run in the process "
                "that writes; a worker needs PostgreSQL (OTKLIK_DATABASE_URL=postgresql://…)"
            )
        jobs = concurrency or settings.jobs_concurrency
        name = f"{socket.gethostname()}-{os.getpid()}"
        url = engine.url.render_as_string(hide_password=True)
        console.print(f"worker {name} on {url}: {jobs} at a time (ctrl-c stops)", markup=False)
        # Each job's start, end and failure (with its traceback) on standard error.
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
        Queue.for_store(engine, settings).run_worker(concurrency=jobs, name=name)


def _show_jobs(rows: list[dict[str, object]], title: str) -> None:
    table = Table(title=title)
    for column in ("id", "task", "status", "attempts", "items", "failed_at", "error"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            str(row["id"]),
            str(row["task"]),
            str(row["status"]),
            str(row["attempts"]),
            str(row["items"]),
            str(row["failed_at"] or ""),
            str(row["error"] or "").splitlines()[-1:][0] if row["error"] else "",
        )
    console.print(table)


@jobs_app.command("list")
def jobs_list(
    failed: Annotated[
        bool, typer.Option("--failed", help="Only the dead-letter list: failed, not retried.")
    ] = False,
    output: Annotated[OutputFormat, typer.Option("--format", help="table|json")] = (
        OutputFormat.table
    ),
    db: DbOption = None,
) -> None:
    """Jobs, newest first (the queue's on PostgreSQL; the failures of in-process steps on
    SQLite)."""
    from otklik.jobs import list_jobs

    with open_store(db) as engine:
        rows = list_jobs(engine, failed=failed)
    if output is OutputFormat.json:
        print_json(rows)
    else:
        what = "Failed jobs" if failed else "Jobs"
        _show_jobs(rows, f"{what} ({len(rows)})")


@jobs_app.command("retry")
def jobs_retry(
    job_id: Annotated[int, typer.Argument(metavar="ID", help="A job of `otklik jobs list`.")],
    output: Annotated[OutputFormat, typer.Option("--format", help="table|json")] = (
        OutputFormat.table
    ),
    db: DbOption = None,
) -> None:
    """Run a failed job again (queued anew on PostgreSQL, run here on SQLite)."""
    from otklik.jobs import retry_job

    settings = load_settings(database_url=db)
    with open_store(db) as engine:
        result = retry_job(engine, settings, job_id)
    if output is OutputFormat.json:
        print_json(result)
    elif result["status"] == "queued":
        console.print(f"job {job_id} queued again as job {result['retried_as']}", markup=False)
    else:
        console.print(f"job {job_id} ran again: {result['status']}", markup=False)


@app.command("doctor")
def doctor_command(
    output: Annotated[OutputFormat, typer.Option("--format", help="table|json")] = (
        OutputFormat.table
    ),
    db: DbOption = None,
    recount: Annotated[
        bool,
        typer.Option(
            "--recount",
            help="first reset the item count kept for the metric rollups (PostgreSQL)",
        ),
    ] = False,
) -> None:
    """Check a deployment: store, migrations, secret, worker, queue; says what to fix.

    Store reachable, migrations at head, secret key set, a worker alive (heartbeat), the queue's
    depth, the failed jobs and (PostgreSQL) the item count kept for the metric rollups: one line
    each; exit code 1 when a check fails."""
    from otklik.jobs import diagnose

    settings = load_settings(database_url=db)
    engine = engine_from(db)
    try:
        if recount:
            from otklik.metrics import recount as recount_items

            total = recount_items(engine)
            if total is not None:
                console.print(f"item count for the metric rollups reset to {total}", markup=False)
        checks = diagnose(engine, settings)
    finally:
        engine.dispose()
    if output is OutputFormat.json:
        print_json([check.as_dict() for check in checks])
    else:
        for check in checks:
            console.print(
                f"{check.status:<4}  {check.name}: {check.message}", markup=False, soft_wrap=True
            )
    if any(check.status == "fail" for check in checks):
        raise typer.Exit(1)
