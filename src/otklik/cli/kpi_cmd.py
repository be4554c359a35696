"""``otklik kpi``: check KPI files, suggest targets, report KPIs with guardrails and gaming flags.

A thin shell over :mod:`otklik.kpi`: ``validate`` ↔ ``read_kpis``, ``suggest`` ↔
``suggest_target``, ``report`` ↔ ``evaluate`` and ``render_text``.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from otklik.cli import app
from otklik.cli.common import (
    DbOption,
    SourceOption,
    console,
    err_console,
    metric_source,
    print_json,
)
from otklik.config import load_settings
from otklik.errors import MetricError
from otklik.kpi import (
    KpiSet,
    Report,
    Suggestion,
    evaluate,
    format_value,
    kpis_in_force,
    load_kpis,
    read_kpis,
    render_text,
    scope_text,
    suggest_target,
)
from otklik.metrics import Grain, get_metric, query_day

__all__ = [
    "KpiFormat",
    "KpisOption",
    "Language",
    "kpi_app",
    "kpis_path",
    "list_command",
    "parse_scope",
    "report_command",
    "suggest_command",
    "validate_command",
]

kpi_app = typer.Typer(
    no_args_is_help=True,
    help="KPIs with guardrails: `otklik kpi report`, `otklik kpi suggest METRIC`, "
    "`otklik kpi validate [FILE]`, `otklik kpi list`.",
)
app.add_typer(kpi_app, name="kpi")

KpisOption = Annotated[
    Path | None,
    typer.Option(
        "--kpis",
        help="KPI YAML (default: $OTKLIK_KPIS, else ./kpis.yaml if it exists, else the "
        "shipped one).",
        show_default=False,
    ),
]


class KpiFormat(StrEnum):
    table = "table"
    json = "json"
    text = "text"


class Language(StrEnum):
    en = "en"
    ru = "ru"


FormatOption = Annotated[
    KpiFormat,
    typer.Option("--format", help="table | json | text (Markdown to paste into a letter)."),
]


def kpis_path(path: Path | None) -> Path:
    """The KPI file to use: the option, else $OTKLIK_KPIS, else ./kpis.yaml
    ($OTKLIK_KPIS_LOCAL) when it exists, else the shipped default."""
    return path or kpis_in_force(load_settings())


def parse_scope(items: list[str] | None) -> dict[str, str]:
    """``--scope FIELD=VALUE`` options (``company`` alone means no filter)."""
    scope: dict[str, str] = {}
    for item in items or []:
        if item.strip().lower() == "company":
            continue
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise MetricError(f"--scope {item!r} is not FIELD=VALUE (or company)")
        scope[name.strip()] = value.strip()
    return scope


@kpi_app.command("validate")
def validate_command(
    file: Annotated[
        Path | None, typer.Argument(help="KPI YAML to check.", show_default=False)
    ] = None,
    kpis: KpisOption = None,
    teams: Annotated[
        Path | None,
        typer.Option(
            "--teams",
            help="Teams YAML the owners must come from (default: $OTKLIK_TEAMS or the "
            "shipped one).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Check a KPI file, every name it refers to included (metrics, owner teams, scope
    fields, channels); each problem is printed as file:line: key: message."""
    path = kpis_path(file or kpis)
    config, issues = read_kpis(path, teams=teams)
    for issue in issues:
        err_console.print(str(issue), markup=False, highlight=False, soft_wrap=True)
    if config is None:
        err_console.print(f"{len(issues)} problem(s) found", markup=False)
        raise typer.Exit(2)
    console.print(f"ok: {path} ({len(config.kpis)} KPIs)", markup=False, highlight=False)


@kpi_app.command("list")
def list_command(kpis: KpisOption = None, fmt: FormatOption = KpiFormat.table) -> None:
    """The KPIs of the file: metric, scope, target, owner and guardrails."""
    config = load_kpis(kpis_path(kpis))
    if fmt is KpiFormat.json:
        print_json(
            [k.model_dump(mode="json", exclude_none=True, by_alias=True) for k in config.kpis]
        )
        return
    table = Table(title="KPIs (docs/kpi.md explains the pairs)")
    for column in ("kpi", "metric", "scope", "period", "target", "owner", "guardrails"):
        table.add_column(column)
    for k in config.kpis:
        sign = "≤" if k.lower_is_better else "≥"
        guards = ", ".join(
            g.name + (f" ±{g.tolerance:g}" if g.tolerance is not None else "") for g in k.guardrails
        )
        table.add_row(
            k.name,
            k.metric,
            scope_text(k.filters),
            k.period,
            f"{sign} {format_value(k.target, k.spec.unit)}",
            k.owner,
            guards,
        )
    console.print(table)


def _print_suggestion(s: Suggestion, fmt: KpiFormat) -> None:
    if fmt is KpiFormat.json:
        print_json(s.to_dict())
        return
    unit = get_metric(s.metric).unit
    sign = "≤" if s.lower_is_better else "≥"
    lines = [
        f"{s.metric} ({scope_text(s.scope)}), last {len(s.history)} {s.grain}s: mean "
        f"{format_value(s.mean, unit)}, spread (SD) {s.spread:.3g}, best "
        f"{format_value(s.best, unit)}, worst {format_value(s.worst, unit)}; slope "
        f"{'–' if s.slope is None else f'{s.slope:+.3g}'} per {s.grain}"
        + ("" if s.slope_p_value is None else f" (p = {s.slope_p_value:.2g})"),
        f"model: next {s.grain} ~ normal({format_value(s.forecast, unit)}, sd {s.sd:.3g})",
        f"target {sign} {format_value(s.target, unit)}: reached with probability "
        f"{s.probability:.0%}; reported as met (whole 95% CI beyond it) with probability "
        f"{s.probability_met:.0%}",
        "options: " + "; ".join(f"{p:.0%} → {sign} {format_value(t, unit)}" for p, t in s.options),
    ]
    lines += [f"warning: {w}" for w in s.warnings]
    lines += [f"left out {p}: {why}" for p, why in s.excluded]
    for line in lines:
        console.print(line, markup=False, highlight=False, soft_wrap=True)


@kpi_app.command("suggest")
def suggest_command(
    metric: Annotated[str, typer.Argument(help="Metric name (see `otklik metrics list`).")],
    scope: Annotated[
        list[str] | None,
        typer.Option(
            "--scope",
            help="FIELD=VALUE (channel, team, agent, product) or company; repeatable.",
        ),
    ] = None,
    grain: Annotated[Grain, typer.Option("--grain", help="Period of the history.")] = (Grain.MONTH),
    periods: Annotated[int, typer.Option("--periods", min=3, help="Periods of history.")] = 12,
    probability: Annotated[
        float,
        typer.Option(
            "--probability",
            help="Chance of reaching the suggested target (0.3: one period in three).",
        ),
    ] = 0.3,
    target: Annotated[
        float | None,
        typer.Option(
            "--target",
            help="Judge this target instead of proposing one.",
            show_default=False,
        ),
    ] = None,
    window_days: Annotated[
        int | None,
        typer.Option("--window-days", help="FCR / repeat window in days.", show_default=False),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option(
            "--to",
            help="History up to this day (excluded; YYYY-MM-DD).",
            show_default=False,
        ),
    ] = None,
    fmt: FormatOption = KpiFormat.table,
    db: DbOption = None,
    source_file: SourceOption = None,
) -> None:
    """Propose a target from the baseline with the probability of reaching it."""
    stop = None
    if end is not None:
        stop = query_day(end, "--to")
    with metric_source(db, source_file, rollups=False) as source:
        result = suggest_target(
            metric,
            source,
            scope=parse_scope(scope),
            grain=grain,
            periods=periods,
            probability=probability,
            target=target,
            window_days=window_days,
            end=stop,
        )
    _print_suggestion(result, fmt)


def _report_table(report: Report) -> None:
    table = Table(title="KPIs: value with 95% CI against the target")
    for column in (
        "kpi",
        "scope",
        "value",
        "95% CI",
        "n",
        "target",
        "status",
        "trend",
        "guardrails",
    ):
        table.add_column(column, justify="right" if column in ("value", "n") else "left")
    for r in report.results:
        unit = r.kpi.spec.unit
        row = r.row
        ci = (
            "–"
            if row is None or row.ci_low is None or row.ci_high is None
            else (f"{format_value(row.ci_low, unit)} … {format_value(row.ci_high, unit)}")
        )
        sign = "≤" if r.kpi.lower_is_better else "≥"
        period = r.trend.period.label if r.trend.period is not None else "–"
        guards = ", ".join(f"{g.guardrail}: {g.status}" for g in r.guardrails)
        table.add_row(
            f"{r.kpi.name} ({period})",
            scope_text(r.scope),
            format_value(r.value, unit),
            ci,
            f"{r.n:,}",
            f"{sign} {format_value(r.kpi.target, unit)}",
            r.status,
            r.trend.verdict,
            guards,
        )
    console.print(table)
    if not report.gaming:
        console.print("gaming: none found", markup=False)
        return
    flags = Table(title="Possible gaming (KPI far better than peers, a guardrail far worse)")
    for column in ("scope", "kpi", "signals", "evidence"):
        flags.add_column(column)
    for flag in report.gaming:
        parts = []
        for name, figures in flag.evidence.get("metrics", {}).items():
            unit = get_metric(name).unit
            ref = figures.get("peer_median", figures.get("previous"))
            z = figures.get("robust_z")
            parts.append(
                f"{name} {format_value(figures.get('value'), unit)} vs "
                f"{format_value(ref, unit)}" + ("" if z is None else f" (z {z:+.1f})")
            )
        flags.add_row(scope_text(flag.scope), flag.kpi, ", ".join(flag.signals), "; ".join(parts))
    console.print(flags)


@kpi_app.command("report")
def report_command(
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            help="One row per team, agent, channel or product in each KPI's scope.",
            show_default=False,
        ),
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            help="2025, 2025-Q4, 2025-12, 2025-W05, a day or 2025-01-01..2025-02-15 "
            "(default: each KPI's latest period with data).",
            show_default=False,
        ),
    ] = None,
    kpi: Annotated[
        list[str] | None, typer.Option("--kpi", help="Only this KPI; repeatable.")
    ] = None,
    gaming: Annotated[bool, typer.Option("--gaming/--no-gaming", help="Look for gaming.")] = True,
    lang: Annotated[Language, typer.Option("--lang", help="Language of --format text.")] = (
        Language.en
    ),
    kpis: KpisOption = None,
    fmt: FormatOption = KpiFormat.table,
    db: DbOption = None,
    source_file: SourceOption = None,
) -> None:
    """Each KPI against its target with its trend, guardrails and gaming flags."""
    config: KpiSet = load_kpis(kpis_path(kpis))
    with metric_source(db, source_file, rollups=False) as source:
        report = evaluate(config, source, period=period, by=by, names=kpi, gaming=gaming)
    if fmt is KpiFormat.json:
        print_json(report.to_dict())
    elif fmt is KpiFormat.text:
        rule: dict[str, Any] = config.gaming.model_dump()
        sys.stdout.write(render_text(report, language=lang.value, rule=rule))
    else:
        _report_table(report)
