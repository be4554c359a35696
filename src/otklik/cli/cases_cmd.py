"""``otklik cases``: each team's queue of actionable feedback, with SLA and an audit trail."""

from __future__ import annotations

import getpass
import sys
from datetime import datetime
from typing import Annotated, Any

import typer
from rich.table import Table

from otklik.cli import app
from otklik.cli.common import DbOption, OutputFormat, console, open_store, print_json
from otklik.config import load_settings
from otklik.routing import assign_case, close_case, get_case, list_cases, reopen_case
from otklik.sheets import csv_writer

__all__ = ["cases_app", "current_actor"]

cases_app = typer.Typer(
    help="Cases: actionable feedback in its owner team's queue, with an SLA.",
    no_args_is_help=True,
)
app.add_typer(cases_app, name="cases")

FormatOption = Annotated[OutputFormat, typer.Option("--format", help="table|json|csv")]
_LIST_COLUMNS = ("id", "team", "status", "reason", "due_at", "overdue", "assignee", "text")


def current_actor() -> str:
    """Who the audit trail names: $OTKLIK_ACTOR, else the login name."""
    configured = load_settings().actor
    if configured:
        return configured
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def _print_cases(cases: list[dict[str, Any]], title: str) -> None:
    table = Table(title=title, title_justify="left")
    for column in ("id", "team", "status", "reason", "due (UTC)", "assignee", "text"):
        table.add_column(column, overflow="fold")
    for case in cases:
        due = _when(case["due_at"]) + (" OVERDUE" if case["overdue"] else "")
        table.add_row(
            str(case["id"]),
            case["team"],
            case["status"],
            case["reason"],
            due,
            case["assignee"] or "",
            case["text"],
            style="red" if case["overdue"] else None,
        )
    console.print(table)


@cases_app.command("list")
def list_command(
    team: Annotated[str | None, typer.Option(help="Only this team's queue.")] = None,
    status: Annotated[
        str | None, typer.Option(help="open|in_progress|closed|all (default: not closed).")
    ] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only cases past due.")] = False,
    limit: Annotated[int, typer.Option(help="At most this many, most urgent first.")] = 100,
    output: FormatOption = OutputFormat.table,
    db: DbOption = None,
) -> None:
    """List cases, most urgent first (texts have personal data masked)."""
    with open_store(db) as engine:
        cases = list_cases(engine, team=team, status=status, overdue=overdue, limit=limit)
    if output is OutputFormat.json:
        print_json(cases)
    elif output is OutputFormat.csv:
        writer = csv_writer(sys.stdout)
        writer.writerow(_LIST_COLUMNS)
        for case in cases:
            writer.writerow([case[name] for name in _LIST_COLUMNS])
    else:
        scope = f" of {team}" if team else ""
        _print_cases(cases, f"Cases{scope} / обращения ({len(cases)})")


def _print_case(case: dict[str, Any]) -> None:
    table = Table(show_header=False, title=f"Case {case['id']}", title_justify="left")
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for name in ("team", "status", "reason", "assignee", "note", "source", "external_id", "text"):
        table.add_row(name, str(case[name] or ""))
    table.add_row("due (UTC)", _when(case["due_at"]) + (" OVERDUE" if case["overdue"] else ""))
    table.add_row("first response due", _when(case["first_response_due_at"]))
    console.print(table)
    events = Table(title="History / история", title_justify="left")
    for column in ("at (UTC)", "actor", "action", "status", "note"):
        events.add_column(column, overflow="fold")
    for event in case["events"]:
        change = f"{event['from_status'] or '–'} → {event['to_status']}"
        events.add_row(
            _when(event["at"]), event["actor"], event["action"], change, event["note"] or ""
        )
    console.print(events)


@cases_app.command("show")
def show_command(
    case_id: Annotated[int, typer.Argument(help="Case id.")],
    show_pii: Annotated[bool, typer.Option("--show-pii", help="Show the text unmasked.")] = False,
    output: Annotated[OutputFormat, typer.Option("--format", help="table|json")] = (
        OutputFormat.table
    ),
    db: DbOption = None,
) -> None:
    """Show one case with its history."""
    with open_store(db) as engine:
        case = get_case(engine, case_id, show_pii=show_pii)
    print_json(case) if output is OutputFormat.json else _print_case(case)


def _done(case: dict[str, Any], output: OutputFormat) -> None:
    if output is OutputFormat.json:
        print_json(case)
    else:
        console.print(
            f"case {case['id']}: {case['status']}"
            + (f", assigned to {case['assignee']}" if case["assignee"] else ""),
            markup=False,
        )


@cases_app.command("assign")
def assign_command(
    case_id: Annotated[int, typer.Argument(help="Case id.")],
    assignee: Annotated[str, typer.Argument(help="Who works on it.")],
    note: Annotated[str | None, typer.Option(help="Why, for the history.")] = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="table|json")] = (
        OutputFormat.table
    ),
    db: DbOption = None,
) -> None:
    """Assign a case to someone (an open case moves to in_progress)."""
    with open_store(db) as engine:
        case = assign_case(engine, case_id, assignee, actor=current_actor(), note=note)
    _done(case, output)


@cases_app.command("close")
def close_command(
    case_id: Annotated[int, typer.Argument(help="Case id.")],
    note: Annotated[str, typer.Option(help="What was done (required).")],
    output: Annotated[OutputFormat, typer.Option("--format", help="table|json")] = (
        OutputFormat.table
    ),
    db: DbOption = None,
) -> None:
    """Close a case, saying what was done."""
    with open_store(db) as engine:
        case = close_case(engine, case_id, note=note, actor=current_actor())
    _done(case, output)


@cases_app.command("reopen")
def reopen_command(
    case_id: Annotated[int, typer.Argument(help="Case id.")],
    note: Annotated[str, typer.Option(help="Why it is reopened (required).")],
    output: Annotated[OutputFormat, typer.Option("--format", help="table|json")] = (
        OutputFormat.table
    ),
    db: DbOption = None,
) -> None:
    """Reopen a closed case."""
    with open_store(db) as engine:
        case = reopen_case(engine, case_id, note=note, actor=current_actor())
    _done(case, output)
