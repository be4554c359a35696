"""``otklik init``, ``otklik import`` and ``otklik quarantine``: the ledger's commands."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text
from sqlalchemy import Engine

from otklik.cli import app
from otklik.cli.common import (
    DbOption,
    OutputFormat,
    console,
    engine_from,
    err_console,
    open_store,
    print_json,
)
from otklik.config import load_settings
from otklik.ingest import IMPORT_KINDS, ImportLimits, ImportReport, import_file
from otklik.ledger import list_quarantine, upgrade
from otklik.sheets import csv_writer

quarantine_app = typer.Typer(
    help="Rows that could not enter the ledger, with the reason.", no_args_is_help=True
)
app.add_typer(quarantine_app, name="quarantine")


@app.command("init")
def init_command(db: DbOption = None) -> None:
    """Create the store or upgrade it to the latest schema (safe to run again)."""
    engine = engine_from(db)
    try:
        revision = upgrade(engine)
    finally:
        engine.dispose()
    console.print(
        f"store ready at {engine.url.render_as_string(hide_password=True)} (schema {revision})"
    )


def _print_report(report: ImportReport, engine: Engine) -> None:
    detected = report.detected
    summary = Table(title=f"Import of {report.file} → source {report.source!r}", show_header=False)
    summary.add_column(style="bold")
    summary.add_column()
    for label, value in (
        ("read / прочитано", report.read),
        ("imported / загружено", report.imported),
        ("updated / обновлено", report.updated),
        ("duplicates / дубликаты", report.duplicates),
        ("quarantined / в карантине", report.quarantined),
        ("run", report.run_id),
    ):
        if label.startswith("updated") and not value:
            continue
        summary.add_row(label, str(value))
    file_facts = [
        f"{key}={detected[key]!r}"
        for key in ("format", "encoding", "encoding_confidence", "delimiter", "sheet")
        if key in detected
    ]
    summary.add_row("detected", ", ".join(file_facts))
    columns = detected.get("columns", {})
    summary.add_row(
        "columns",
        "\n".join(f"{field} ← {header!r}" for field, header in columns.items())
        or "none recognised",
    )
    if detected.get("attributes"):
        summary.add_row("kept as attributes", ", ".join(detected["attributes"]))
    if detected.get("scale"):
        summary.add_row("scale", detected["scale"])
    for field, order in detected.get("date_order", {}).items():
        summary.add_row(f"{field} order", order)
    for field, number_format in detected.get("number_format", {}).items():
        if not any(number_format in warning for warning in report.warnings):
            summary.add_row(f"{field} numbers", Text(number_format))
    for note in detected.get("notes", []):
        summary.add_row("note", note)
    for warning in report.warnings:
        summary.add_row("[yellow]warning / внимание[/]", Text(warning))
    console.print(summary)
    if report.quarantined:
        rows = list_quarantine(engine, run_id=report.run_id)[:5]
        for row in rows:
            console.print(f"  line {row['line']}: {row['reason']}", markup=False)
        console.print(
            f"{report.quarantined} row(s) quarantined: `otklik quarantine list --run "
            f"{report.run_id}`; fix the file and import it again.",
            markup=False,
        )


@app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(help="CSV/TSV, XLSX, JSON or JSONL file.")],
    kind: Annotated[str, typer.Option("--kind", help="|".join(IMPORT_KINDS))],
    source: Annotated[str | None, typer.Option(help="Feed name; default: the file's name.")] = None,
    mapping: Annotated[Path | None, typer.Option(help="YAML mapping file.")] = None,
    encoding: Annotated[str | None, typer.Option(help="Text encoding; default: detect.")] = None,
    delimiter: Annotated[str | None, typer.Option(help="CSV delimiter; default: detect.")] = None,
    sheet: Annotated[str | None, typer.Option(help="XLSX sheet; default: first visible.")] = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="table|json")] = (
        OutputFormat.table
    ),
    strict: Annotated[
        bool, typer.Option("--strict", help="Refuse the file (nothing imported) on any warning.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Import a file of feedback (or the customer list) into the ledger."""
    with open_store(db) as engine:
        _import(engine, path, kind, source, mapping, encoding, delimiter, sheet, output, strict)


def _import(
    engine: Engine,
    path: Path,
    kind: str,
    source: str | None,
    mapping: Path | None,
    encoding: str | None,
    delimiter: str | None,
    sheet: str | None,
    output: OutputFormat,
    strict: bool = False,
) -> None:
    settings = load_settings()
    show_progress = output is OutputFormat.table and err_console.is_terminal
    with Progress(
        TextColumn("[bold]importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        disable=not show_progress,
        transient=True,
    ) as bar:
        task = bar.add_task("import", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        report = import_file(
            engine,
            path,
            kind=kind,
            source=source,
            mapping=mapping,
            encoding=encoding,
            delimiter=delimiter,
            sheet=sheet,
            progress=progress,
            batch_size=settings.import_batch_size,
            strict=strict,
            limits=ImportLimits.of(settings),
        )
    # OTKLIK_CLASSIFY_ON_IMPORT: new items are classified and routed right away.
    classified = None
    if kind != "customers" and settings.classify_on_import:
        from otklik.cli.classify_cmd import run_classification

        classified = run_classification(engine, show_progress=output is OutputFormat.table)
    # Otherwise the new items go to the jobs (docs/deploy.md): the queue on PostgreSQL, this
    # process on SQLite; OTKLIK_JOBS=off leaves them for `otklik classify`.
    jobs = None
    if kind != "customers" and classified is None and settings.jobs != "off":
        from otklik.jobs import arrived, items_of_run

        new_items = items_of_run(engine, report.run_id)
        if new_items:
            jobs = {"mode": arrived(engine, settings, new_items), "items": len(new_items)}
    # New items are linked to open incidents; with OTKLIK_INCIDENTS_DETECT_ON_IMPORT spikes
    # are detected and bad ratings alerted too.
    spikes = None
    if kind != "customers":
        from otklik.incidents import after_import

        found = after_import(engine, settings)
        spikes = found if settings.incidents_detect_on_import or found["linked"] else None
    if output is OutputFormat.json:
        shown = report.as_dict()
        if classified is not None:
            shown["classification"] = classified.as_dict()
        if jobs is not None:
            shown["jobs"] = jobs
        if spikes is not None:
            shown["incidents"] = spikes
        print_json(shown)
    else:
        _print_report(report, engine)
        if classified is not None:
            from otklik.cli.classify_cmd import print_report

            print_report(classified)
        if jobs is not None:
            done = "queued for `otklik worker`" if jobs["mode"] == "queue" else "processed"
            console.print(f"jobs: {jobs['items']} new items {done}", markup=False)
        if spikes is not None:
            console.print(
                f"incidents: {len(spikes['detections'])} spike(s), {spikes['linked']} item(s) "
                f"linked, {len(spikes['alerts'])} bad-rating alert(s) (otklik incidents detect)",
                markup=False,
            )


@quarantine_app.command("list")
def quarantine_list(
    run: Annotated[int | None, typer.Option("--run", help="Only this import run.")] = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="table|json|csv")] = (
        OutputFormat.table
    ),
    db: DbOption = None,
) -> None:
    """List quarantined rows with their line, field, reason and raw values."""
    with open_store(db) as engine:
        rows = list_quarantine(engine, run_id=run)
    if output is OutputFormat.json:
        print_json(rows)
    elif output is OutputFormat.csv:
        _write_csv(rows)
    else:
        table = Table(title=f"Quarantine ({len(rows)} rows)")
        for column in ("run", "file", "line", "field", "reason"):
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(
                str(row["run_id"]),
                Path(row["file"]).name,
                str(row["line"]),
                row["field"] or "",
                row["reason"],
            )
        console.print(table)


def _write_csv(rows: list[dict[str, Any]]) -> None:
    writer = csv_writer(sys.stdout)
    writer.writerow(["run_id", "file", "line", "field", "reason", "raw"])
    for row in rows:
        writer.writerow(
            [
                row["run_id"],
                row["file"],
                row["line"],
                row["field"] or "",
                row["reason"],
                json.dumps(row["raw"], ensure_ascii=False),
            ]
        )
