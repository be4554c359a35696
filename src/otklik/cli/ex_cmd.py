"""``otklik ex``: employee experience (eNPS, eCSI, turnover, exit reasons × cost, EX ↔ CX) and
the staff list. A thin shell over :mod:`otklik.ex`; the minimum group size and the replacement
costs come from the settings (``OTKLIK_EX_MIN_GROUP``, ``OTKLIK_EX_COSTS``)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from otklik.cli import app
from otklik.cli.common import DbOption, console, open_store, print_json
from otklik.config import load_settings
from otklik.ex import ExCell, ex_cx_link, ex_report, import_staff, load_costs

__all__ = ["ExBy", "ExFormat", "ex_app", "staff_app"]

ex_app = typer.Typer(
    no_args_is_help=True,
    help="Employee experience: `otklik ex report`, `otklik ex link`, `otklik ex staff import`.",
)
staff_app = typer.Typer(no_args_is_help=True, help="The staff list (HR export).")
ex_app.add_typer(staff_app, name="staff")
app.add_typer(ex_app, name="ex")


class ExFormat(StrEnum):
    table = "table"
    json = "json"


class ExBy(StrEnum):
    team = "team"
    department = "department"
    tenure = "tenure"


PeriodOption = Annotated[
    str | None,
    typer.Option(
        "--period",
        help="2025-Q1, 2025-03, 2025 or 2025-01-01..2025-03-31 (default: every quarter).",
    ),
]


def _cell(cell: ExCell) -> str:
    if cell.suppressed:
        return "hidden (group too small)"
    if cell.value is None:
        return "–"
    bounds = "" if cell.ci_low is None else f" [{cell.ci_low:.1f}…{cell.ci_high:.1f}]"
    return f"{cell.value:.1f}{bounds} n={cell.n}"


@ex_app.command("report")
def report_command(
    period: PeriodOption = None,
    by: Annotated[ExBy | None, typer.Option("--by", help="team, department or tenure.")] = None,
    output: Annotated[ExFormat, typer.Option("--format", help="table or json.")] = ExFormat.table,
    db: DbOption = None,
) -> None:
    """eNPS, eCSI and turnover (95% intervals) per quarter and group, and exit reasons ×
    replacement cost; a group smaller than OTKLIK_EX_MIN_GROUP shows no figure."""
    settings = load_settings(database_url=db)
    costs = load_costs(settings.ex_costs)
    with open_store(db) as engine:
        report = ex_report(
            engine,
            period=period,
            by=by.value if by else None,
            min_group=settings.ex_min_group,
            costs=costs,
            timezone=settings.timezone,
        )
    if output is ExFormat.json:
        print_json(report.to_dict())
        return
    table = Table(title=f"EX figures (groups under {report.min_group} hidden)")
    for column in ("metric", "period", by.value if by else "group", "value [95% CI] n"):
        table.add_column(column)
    for cell in (*report.figures, *report.turnover):
        table.add_row(cell.metric, cell.period, cell.group or "all", _cell(cell))
    console.print(table)
    reasons = Table(title=f"Exit reasons × replacement cost {report.currency}".rstrip())
    for column in ("reason", "leavers", "share % [95% CI]", "cost"):
        reasons.add_column(column)
    for reason in report.exit_reasons:
        if reason.suppressed:
            reasons.add_row(reason.reason or "other", "hidden", "–", "–")
            continue
        reasons.add_row(
            reason.reason or "other",
            str(reason.leavers),
            f"{reason.share:.1f} [{reason.ci_low:.1f}…{reason.ci_high:.1f}]",
            "not configured" if reason.cost is None else f"{reason.cost:,.0f}",
        )
    console.print(reasons)


def _figure(value: dict[str, Any] | None) -> str:
    if not value or value.get("value") is None:
        return "–"
    return f"{value['value']:.1f} n={value['n']}"


@ex_app.command("link")
def link_command(
    period: PeriodOption = None,
    output: Annotated[ExFormat, typer.Option("--format", help="table or json.")] = ExFormat.table,
    db: DbOption = None,
) -> None:
    """EX beside CX per customer-serving team and quarter, and their correlation (Pearson r,
    Fisher z 95% interval) across team × quarter: an association, not a cause."""
    settings = load_settings(database_url=db)
    with open_store(db) as engine:
        link = ex_cx_link(
            engine,
            period=None if period is None else _period(period),
            min_group=settings.ex_min_group,
            timezone=settings.timezone,
        )
    if output is ExFormat.json:
        print_json(link.to_dict())
        return
    table = Table(title="EX ↔ CX by team and quarter")
    for column in ("team", "period", "eNPS", "eCSI", "CSAT", "NPS", "repeat rate"):
        table.add_column(column)
    for row in link.rows:
        table.add_row(
            row["team"],
            row["period"],
            *(_figure(row[m]) for m in ("enps", "ecsi", "csat", "nps", "repeat_rate")),
        )
    console.print(table)
    for c in link.correlations:
        shown = (
            "too few cells" if c.r is None else f"r = {c.r:.2f} [{c.ci_low:.2f}…{c.ci_high:.2f}]"
        )
        console.print(f"{c.ex} ~ {c.cx}: {shown}, k = {c.k} (association, not cause)")


def _period(text: str) -> Any:
    from otklik.metrics import Period

    return Period.parse(text)


@staff_app.command("import")
def staff_import_command(
    path: Annotated[Path, typer.Argument(help="CSV/TSV, XLSX, JSON or JSONL staff list.")],
    source: Annotated[
        str | None, typer.Option(help="Source name; default: the file's name.")
    ] = None,
    output: Annotated[ExFormat, typer.Option("--format", help="table or json.")] = ExFormat.table,
    db: DbOption = None,
) -> None:
    """Import the staff list (employee id, start and leave dates, role, department, team,
    leave reason); a re-import updates employees by id, unreadable rows are listed."""
    with open_store(db) as engine:
        report = import_staff(engine, path, source=source)
    if output is ExFormat.json:
        print_json(report.to_dict())
        return
    console.print(
        f"staff list {path.name}: read {report.read}, imported {report.imported}, "
        f"updated {report.updated}, skipped {len(report.problems)}",
        markup=False,
    )
    for problem in report.problems[:10]:
        console.print(f"  line {problem['line']}: {problem['reason']}", markup=False)
