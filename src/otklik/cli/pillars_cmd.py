"""``otklik pillars``: the six pillars of CX excellence as a lens (:mod:`otklik.pillars`)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.table import Table

from otklik.cli import app
from otklik.cli.common import DbOption, console, open_store, print_json
from otklik.config import load_settings
from otklik.configs import check_team
from otklik.pillars import pillar_scores

__all__ = ["PillarsFormat", "pillars_command"]


class PillarsFormat(StrEnum):
    table = "table"
    json = "json"


def _figure(figure: Any) -> str:
    if figure.value is None:
        return "–"
    return f"{figure.value:.1f} [{figure.ci_low:.1f}…{figure.ci_high:.1f}] n={figure.n}"


@app.command("pillars")
def pillars_command(
    period: Annotated[
        str | None,
        typer.Option("--period", help="2025-Q1, 2025-03, 2025 … (default: every quarter)."),
    ] = None,
    team: Annotated[
        str | None, typer.Option("--team", help="Only items this team owns (owner_team).")
    ] = None,
    output: Annotated[PillarsFormat, typer.Option("--format", help="table or json.")] = (
        PillarsFormat.table
    ),
    db: DbOption = None,
) -> None:
    """Pillar scores per quarter: share negative and positive of the items tagged with each
    pillar, their NPS and CSAT (95% intervals), and the trend of the negative share."""
    settings = load_settings(database_url=db)
    check_team(settings, team)
    with open_store(db) as engine:
        report = pillar_scores(engine, period=period, owner_team=team, timezone=settings.timezone)
    if output is PillarsFormat.json:
        print_json(report.to_dict())
        return
    table = Table(title="CX pillars")
    for column in ("pillar", "period", "n", "negative %", "positive %", "NPS", "CSAT %"):
        table.add_column(column)
    for p in report.points:
        table.add_row(
            p.pillar,
            p.period,
            str(p.n),
            _figure(p.negative),
            _figure(p.positive),
            _figure(p.nps),
            _figure(p.csat),
        )
    console.print(table)
    for t in report.trends:
        verdict = "significant" if t.significant else "noise"
        console.print(
            f"{t.pillar}: negative share {t.change:+.1f} pp {t.previous} → {t.period} ({verdict})",
            markup=False,
        )
