"""``otklik drivers`` and ``otklik backlog``: which topics move a score, what they cost, and the
ranked list of problems. A thin shell over :mod:`otklik.drivers` (the API's and page's figures).
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from otklik.cli import app
from otklik.cli.common import DbOption, console, open_store, print_json
from otklik.config import load_settings
from otklik.drivers import (
    BACKLOG_COLUMNS,
    backlog_rows,
    compose_digest,
    context_of,
    find_font,
    management_report,
    parse_segments,
    run,
    run_backlog,
    send_digest,
    send_team_digests,
    to_markdown,
    to_pdf,
    to_xlsx,
    write_backlog_csv,
    xlsx_bytes,
)
from otklik.errors import MetricError

__all__ = ["BacklogFormat", "DriversFormat", "backlog_command", "drivers_command"]

PeriodOption = Annotated[
    str | None,
    typer.Option(
        "--period",
        help="2025-03, 2025-Q1, 2025-W05, 2025 or 2025-01-01..2025-02-15 "
        "(default: the month of the latest item).",
    ),
]
MetricOption = Annotated[
    str, typer.Option("--metric", help="nps, csat, csi or ces (the score whose drivers to find).")
]
SegmentOption = Annotated[
    list[str] | None,
    typer.Option("--segment", help="Only items with FIELD=VALUE (repeatable), e.g. channel=app."),
]
PillarOption = Annotated[
    str | None, typer.Option("--pillar", help="Only items tagged with this CX pillar.")
]
TeamOption = Annotated[
    str | None, typer.Option("--team", help="Only the items of this owner team (its zone).")
]


class DriversFormat(StrEnum):
    table = "table"
    json = "json"


class BacklogFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


class Method(StrEnum):
    impact = "impact"
    relative_weights = "relative-weights"


def _filters(segment: list[str] | None, team: str | None) -> dict[str, list[str | None]]:
    filters = parse_segments(segment or [])
    if team:
        filters["owner_team"] = [team]
    return filters


def _num(value: Any, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _ci(pair: list[float] | None, digits: int = 1) -> str:
    return "–" if not pair else f"[{pair[0]:.{digits}f}…{pair[1]:.{digits}f}]"


def _money(row: dict[str, Any]) -> str:
    money = row.get("revenue_at_risk")
    if not money:
        return "–"
    return f"{money['amount']:,.0f} {money['currency']} (n={money['n']})"


@app.command("drivers")
def drivers_command(
    metric: MetricOption = "nps",
    period: PeriodOption = None,
    segment: SegmentOption = None,
    method: Annotated[
        Method, typer.Option("--method", help="impact (on the score) or relative-weights.")
    ] = Method.impact,
    pillar: PillarOption = None,
    team: TeamOption = None,
    output: Annotated[DriversFormat, typer.Option("--format", help="table or json.")] = (
        DriversFormat.table
    ),
    db: DbOption = None,
) -> None:
    """Per topic: n, share, the topic's score, its impact on the score (all − without the
    topic) with a 95% bootstrap interval, the trend against the previous period, revenue at
    risk and priority, sorted by priority. JSON is the API's shape."""
    settings = load_settings(database_url=db)
    context = context_of(settings)
    with open_store(db) as engine:
        report = run(
            engine,
            context,
            metric=metric,
            period=period,
            filters=_filters(segment, team),
            pillar=pillar,
            method=method.value,
        )
    data = report.to_dict()
    if output is DriversFormat.json:
        print_json(data)
        return
    weights = method is Method.relative_weights
    title = (
        f"drivers of {metric.upper()} {report.period.label} (vs {report.previous.label}): "
        f"{_num(report.value)} {_ci(data['value_ci'])} n={report.n}"
    )
    if weights:
        title += f", R² = {_num(report.r2, 3)} {_ci(data['r2_ci'], 3)}"
    table = Table(title=title)
    columns = ["topic", "owner", "n", "share %", "score", "impact [95% CI]", "sig."]
    columns += ["weight [95% CI]"] if weights else ["trend", "revenue at risk", "priority"]
    for column in columns:
        table.add_column(column)
    for row in data["drivers"]:
        cells = [
            row["label"].get("en", row["topic"]),
            row.get("owner_team") or "–",
            str(row["n"]),
            _num(row["share"]),
            _num(row["metric"]),
            f"{_num(row['impact'])} {_ci(row['impact_ci'])}",
            "yes" if row["significant"] else "no",
        ]
        if weights:
            cells.append(f"{_num(row['weight'], 4)} {_ci(row['weight_ci'], 4)}")
        else:
            trend = row["trend"] or {}
            change = _num(trend.get("change"))
            cells += [
                change + (" *" if trend.get("significant") else ""),
                _money(row),
                _num(row["priority"], 3),
            ]
        table.add_row(*cells)
    console.print(table)


@app.command("backlog")
def backlog_command(
    period: PeriodOption = None,
    metric: MetricOption = "nps",
    top: Annotated[int | None, typer.Option("--top", min=1, help="Only the first N.")] = None,
    split: Annotated[
        str | None,
        typer.Option("--split", help="Problems as topic × the values of this field (channel…)."),
    ] = None,
    segment: SegmentOption = None,
    pillar: PillarOption = None,
    team: TeamOption = None,
    output: Annotated[
        BacklogFormat, typer.Option("--format", help="table, json, csv or xlsx.")
    ] = BacklogFormat.table,
    out: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (xlsx: required).")
    ] = None,
    db: DbOption = None,
) -> None:
    """The problems (topics that drag the score down), ranked by priority = |impact| × share ×
    revenue weight (docs/drivers.md), with volume, trend, impact, revenue at risk, owner team
    and open cases."""
    settings = load_settings(database_url=db)
    context = context_of(settings)
    with open_store(db) as engine:
        report, rows = run_backlog(
            engine,
            context,
            metric=metric,
            period=period,
            filters=_filters(segment, team),
            pillar=pillar,
            top=top,
            split=split,
        )
    if output is BacklogFormat.json:
        data = report.to_dict()
        data.pop("drivers")
        print_json({**data, "backlog": rows})
        return
    if output is BacklogFormat.csv:
        if out is None:
            write_backlog_csv(sys.stdout, rows)
        else:
            with out.open("w", encoding="utf-8", newline="") as stream:
                write_backlog_csv(stream, rows)
        return
    if output is BacklogFormat.xlsx:
        if out is None:
            raise MetricError("--format xlsx writes a file: add --output backlog.xlsx")
        out.write_bytes(xlsx_bytes({"backlog": (BACKLOG_COLUMNS, backlog_rows(rows))}))
        console.print(f"wrote {out}")
        return
    table = Table(title=f"backlog {report.period.label}: {metric.upper()}, {report.currency}")
    for column in (
        "#",
        "problem",
        "owner",
        "share %",
        "impact [95% CI]",
        "trend",
        "at risk",
        "open cases",
        "priority",
    ):
        table.add_column(column)
    for row in rows:
        trend = row["trend"] or {}
        where = "".join(f" ({k}={v})" for k, v in (row.get("segment") or {}).items())
        table.add_row(
            str(row["rank"]),
            row["label"].get("en", row["topic"]) + where,
            row.get("owner_team") or "–",
            _num(row["share"]),
            f"{_num(row['impact'])} {_ci(row['impact_ci'])}",
            _num(trend.get("change")) + (" *" if trend.get("significant") else ""),
            _money(row),
            str((row.get("cases") or {}).get("open", "–")),
            _num(row["priority"], 3),
        )
    console.print(table)


report_app = typer.Typer(
    no_args_is_help=True, help="Reports: `otklik report management [--period P] --format pdf`."
)
app.add_typer(report_app, name="report")
digest_app = typer.Typer(
    no_args_is_help=True, help="The weekly digest by e-mail: `otklik digest send --to ADDR`."
)
app.add_typer(digest_app, name="digest")


class ReportFormat(StrEnum):
    pdf = "pdf"
    xlsx = "xlsx"
    md = "md"


class Language(StrEnum):
    ru = "ru"
    en = "en"


LangOption = Annotated[Language, typer.Option("--lang", help="ru or en.")]


@report_app.command("management")
def management_command(
    period: PeriodOption = None,
    output: Annotated[ReportFormat, typer.Option("--format", help="pdf, xlsx or md.")] = (
        ReportFormat.md
    ),
    out: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file (pdf, xlsx: required)."),
    ] = None,
    lang: LangOption = Language.ru,
    metric: MetricOption = "nps",
    segment: SegmentOption = None,
    team: TeamOption = None,
    db: DbOption = None,
) -> None:
    """One page for management: headline metrics with 95% intervals and their change, the top
    five problems with cost, trend, owner and cases, what improved, charts (PDF)."""
    if output is not ReportFormat.md and out is None:
        raise MetricError(
            f"--format {output.value} writes a file: add --output report.{output.value}"
        )
    settings = load_settings(database_url=db)
    context = context_of(settings)
    with open_store(db) as engine:
        report = management_report(
            engine, context, period=period, filters=_filters(segment, team), metric=metric
        )
    if output is ReportFormat.md:
        text = to_markdown(report, lang.value)
        if out is None:
            sys.stdout.write(text)
        else:
            out.write_text(text, encoding="utf-8")
        return
    assert out is not None
    if output is ReportFormat.xlsx:
        out.write_bytes(to_xlsx(report, lang.value))
    else:
        out.write_bytes(to_pdf(report, lang.value, find_font(settings.pdf_font)))
    console.print(f"wrote {out}")


@digest_app.command("send")
def digest_send_command(
    to: Annotated[
        list[str] | None, typer.Option("--to", help="An e-mail address (repeatable).")
    ] = None,
    teams: Annotated[
        bool,
        typer.Option(
            "--teams", help="Also send each team's digest (its zone) to that team's users."
        ),
    ] = False,
    team: Annotated[
        str | None,
        typer.Option(
            "--team", help="The team whose zone the digest covers (default: all, for management)."
        ),
    ] = None,
    period: Annotated[
        str | None,
        typer.Option("--period", help="Default: the week of the latest item (2025-W23…)."),
    ] = None,
    lang: LangOption = Language.ru,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the e-mail instead of sending it.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Send the weekly digest (headline metrics, top problems with cost, what improved) over
    SMTP (OTKLIK_SMTP_HOST, _PORT, _STARTTLS, _USER, _PASSWORD, _FROM)."""
    if not to and not teams:
        raise MetricError("say whom to send it to: --to ADDRESS (repeatable) and/or --teams")
    settings = load_settings(database_url=db)
    context = context_of(settings)
    with open_store(db) as engine:
        digest = compose_digest(engine, context, team=team, period=period, locale=lang.value)
        if dry_run:
            sys.stdout.write(f"Subject: {digest.subject}\n\n{digest.text}")
            return
        if to:
            ids = send_digest(settings, to, digest)
            console.print(f"sent {len(ids)} e-mail(s): {digest.subject}")
        if teams:
            for name, addresses, subject in send_team_digests(
                engine, settings, context, period=period, locale=lang.value
            ):
                console.print(f"sent {len(addresses)} e-mail(s) to team {name}: {subject}")
