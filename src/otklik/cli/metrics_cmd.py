"""``otklik metrics``: a metric by period and segment, a comparison, the catalogue.

``otklik metrics METRIC …`` runs the default ``show`` command; ``compare`` and ``list`` are
subcommands (a metric is never called that).
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from typing import Annotated, Any

import typer
from rich.table import Table
from typer._click import Context
from typer.core import TyperGroup

from otklik.cli import app
from otklik.cli.common import (
    DbOption,
    OutputFormat,
    SourceOption,
    console,
    metric_source,
    print_json,
)
from otklik.errors import MetricError
from otklik.metrics import (
    CATALOGUE,
    MIN_TEST_N,
    Comparison,
    Grain,
    MetricRow,
    Slice,
    compare,
    compute,
    get_metric,
    query_day,
    to_sql,
)
from otklik.metrics.query import FilterValue
from otklik.sheets import csv_writer

__all__ = ["metrics_app"]

_DEFAULT = "show"


class _DefaultCommandGroup(TyperGroup):
    """A group whose first argument is a subcommand or, failing that, the default's METRIC."""

    def resolve_command(self, ctx: Context, args: list[str]) -> tuple[str | None, Any, list[str]]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            return _DEFAULT, self.commands[_DEFAULT], args
        return super().resolve_command(ctx, args)


metrics_app = typer.Typer(
    cls=_DefaultCommandGroup,
    no_args_is_help=True,
    subcommand_metavar="METRIC [OPTIONS] | compare METRIC … | list",
    help="CX metrics with n and 95% intervals: `otklik metrics METRIC [OPTIONS]`, "
    "`otklik metrics compare METRIC …`, `otklik metrics list`.",
)
app.add_typer(metrics_app, name="metrics")

Metric = Annotated[
    str, typer.Argument(metavar="METRIC", help="Metric name (see `otklik metrics list`).")
]
FromOption = Annotated[
    str | None, typer.Option("--from", help="First day included (YYYY-MM-DD).", show_default=False)
]
ToOption = Annotated[
    str | None, typer.Option("--to", help="Last day included (YYYY-MM-DD).", show_default=False)
]
KindOption = Annotated[list[str] | None, typer.Option("--kind", help="Only this kind.")]
ChannelOption = Annotated[list[str] | None, typer.Option("--channel", help="Only this channel.")]
WhereOption = Annotated[
    list[str] | None,
    typer.Option("--where", help="Only rows with FIELD=VALUE (e.g. team=support); repeatable."),
]
WindowOption = Annotated[
    int | None,
    typer.Option(
        "--window-days", help="FCR / repeat window in days (default 7).", show_default=False
    ),
]
ScaleOption = Annotated[
    str | None, typer.Option("--scale", help="Scale for csat/csi (csat5, csat10, rating5).")
]
TopBoxOption = Annotated[
    float | None, typer.Option("--top-box", help="Lowest score in the top box (csat: 4 on csat5).")
]
FormatOption = Annotated[OutputFormat, typer.Option("--format", help="Output format.")]


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    return query_day(value, option)


def _filters(
    kind: list[str] | None, channel: list[str] | None, where: list[str] | None
) -> dict[str, FilterValue]:
    filters: dict[str, FilterValue] = {}
    if kind:
        filters["kind"] = list(kind)
    if channel:
        filters["channel"] = list(channel)
    for item in where or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise MetricError(f"--where {item!r} is not FIELD=VALUE")
        previous = filters.get(name.strip())
        values = [] if previous is None else list(previous)
        filters[name.strip()] = [*values, value.strip()]
    return filters


def _range(start: str | None, end: str | None) -> tuple[date | None, date | None]:
    first, last = _day(start, "--from"), _day(end, "--to")
    return first, (last + timedelta(days=1)) if last is not None else None


_UNIT_FORMATS = {"%": "{:.1f}%", "points": "{:+.1f}", "s": "{:.1f} s", "score": "{:.2f}"}


def _fmt(unit: str, value: float | None) -> str:
    if value is None:
        return "–"
    return _UNIT_FORMATS.get(unit, "{:.3g}").format(value)


def _ci(unit: str, row: MetricRow) -> str:
    if row.ci_low is None or row.ci_high is None:
        return "–"
    return f"{_fmt(unit, row.ci_low)} … {_fmt(unit, row.ci_high)}"


def _print_rows(
    metric: str, rows: list[MetricRow], segments: list[str], fmt: OutputFormat, by: Grain
) -> None:
    if fmt is OutputFormat.json:
        print_json([row.to_dict() for row in rows])
        return
    if fmt is OutputFormat.csv:
        writer = csv_writer(sys.stdout, lineterminator="\n")
        writer.writerow(MetricRow.table_header(segments))
        writer.writerows(row.cells(segments) for row in rows)
        return
    spec = get_metric(metric)
    if not rows:
        console.print(f"{spec.name}: no data for these filters")
        return
    table = Table(
        title=f"{spec.name} — {spec.title}, by {by.value}",
        caption=f"scope: {spec.scope} · periods in time zone {rows[0].timezone}",
    )
    for column in ["period", *segments]:
        table.add_column(column)
    table.add_column(f"value ({spec.unit})", justify="right")
    table.add_column("n", justify="right")
    table.add_column("95% CI", justify="right")
    table.add_column("flags")
    for row in rows:
        segment = ["–" if value is None else str(value) for value in row.segment.values()]
        table.add_row(
            row.period_label,
            *segment,
            _fmt(spec.unit, row.value),
            str(row.n),
            _ci(spec.unit, row),
            ", ".join(row.flags),
        )
    console.print(table)


@metrics_app.command(_DEFAULT)
def show_command(
    metric: Metric,
    by: Annotated[Grain, typer.Option("--by", help="Period to group by.")] = Grain.ALL,
    segment: Annotated[
        list[str] | None, typer.Option("--segment", help="Field to split by; repeatable.")
    ] = None,
    start: FromOption = None,
    end: ToOption = None,
    kind: KindOption = None,
    channel: ChannelOption = None,
    where: WhereOption = None,
    window_days: WindowOption = None,
    scale: ScaleOption = None,
    top_box: TopBoxOption = None,
    fmt: FormatOption = OutputFormat.table,
    sql: Annotated[bool, typer.Option("--sql", help="Print the query's SQL instead.")] = False,
    db: DbOption = None,
    source_file: SourceOption = None,
) -> None:
    """A metric per period and segment, each value with n, its 95% CI and flags."""
    first, stop = _range(start, end)
    segments = list(segment or [])
    options: dict[str, Any] = dict(
        by=by,
        segments=segments,
        filters=_filters(kind, channel, where),
        start=first,
        end=stop,
        window_days=window_days,
        scale=scale,
        top_box=top_box,
    )
    with metric_source(db, source_file, rollups=not sql) as source:
        if sql:
            sys.stdout.write(to_sql(metric, source, **options) + "\n")
            return
        rows = compute(metric, source, **options)
    _print_rows(metric, rows, segments, fmt, by)


def _slices(periods: list[str], values: list[str]) -> tuple[Slice, Slice, list[str], list[str]]:
    """Two slices, and what is left to apply to both (a common period or segment value)."""
    if len(periods) == 2 and len(values) <= 1:
        return Slice.period(periods[0]), Slice.period(periods[1]), [], values
    if len(values) == 2 and len(periods) <= 1:
        sides = []
        for item in values:
            name, sep, value = item.partition("=")
            if not sep:
                raise MetricError(f"--segment-value {item!r} is not FIELD=VALUE")
            sides.append(Slice.segment(name.strip(), value.strip()))
        return sides[0], sides[1], periods, []
    raise MetricError(
        "compare needs two sides: --period A --period B, or "
        "--segment-value FIELD=A --segment-value FIELD=B"
    )


def _print_comparison(result: Comparison, fmt: OutputFormat) -> None:
    if fmt is OutputFormat.json:
        print_json(result.to_dict())
        return
    unit = get_metric(result.metric).unit
    if fmt is OutputFormat.csv:
        writer = csv_writer(sys.stdout, lineterminator="\n")
        writer.writerow(
            [
                "metric",
                "side",
                "value",
                "n",
                "ci_low",
                "ci_high",
                "difference",
                "diff_ci_low",
                "diff_ci_high",
                "p_value",
                "significant",
                "test",
                "verdict",
            ]
        )
        for label, row in ((result.a_label, result.a), (result.b_label, result.b)):
            writer.writerow(
                [
                    result.metric,
                    label,
                    row.value,
                    row.n,
                    row.ci_low,
                    row.ci_high,
                    result.difference,
                    result.ci_low,
                    result.ci_high,
                    result.p_value,
                    result.significant,
                    result.test,
                    result.verdict,
                ]
            )
        return
    table = Table(title=f"{result.metric}: {result.b_label} vs {result.a_label}")
    for column in ("side", f"value ({unit})", "n", "95% CI", "flags"):
        table.add_column(column, justify="left" if column in ("side", "flags") else "right")
    for label, row in ((result.a_label, result.a), (result.b_label, result.b)):
        table.add_row(
            label, _fmt(unit, row.value), str(row.n), _ci(unit, row), ", ".join(row.flags)
        )
    console.print(table)
    diff_unit = "pp" if unit == "%" else unit
    low = "–" if result.ci_low is None else f"{result.ci_low:+.2f}"
    high = "–" if result.ci_high is None else f"{result.ci_high:+.2f}"
    p = "–" if result.p_value is None else f"{result.p_value:.4g}"
    if result.significant is None:
        verdict = f"not enough data to test (needs {MIN_TEST_N} on each side and some spread)"
    elif result.significant:
        verdict = f"significant at {result.alpha:.0%}"
    else:
        verdict = f"not significant at {result.alpha:.0%} (could be noise)"
    console.print(
        f"difference {result.difference:+.2f} {diff_unit} (95% CI {low} … {high}), "
        f"{result.test}, p = {p}: {verdict}",
        markup=False,
        highlight=False,
    )


@metrics_app.command("compare")
def compare_command(
    metric: Metric,
    period: Annotated[
        list[str] | None,
        typer.Option(
            "--period",
            help="A period to compare (2024-03, 2024-Q1, 2024-W05, "
            "2024, 2024-03-15, 2024-01-01..2024-02-15); give two.",
        ),
    ] = None,
    segment_value: Annotated[
        list[str] | None,
        typer.Option("--segment-value", help="A segment to compare as FIELD=VALUE; give two."),
    ] = None,
    start: FromOption = None,
    end: ToOption = None,
    kind: KindOption = None,
    channel: ChannelOption = None,
    where: WhereOption = None,
    window_days: WindowOption = None,
    scale: ScaleOption = None,
    top_box: TopBoxOption = None,
    alpha: Annotated[float, typer.Option("--alpha", help="Significance level.")] = 0.05,
    fmt: FormatOption = OutputFormat.table,
    db: DbOption = None,
    source_file: SourceOption = None,
) -> None:
    """Whether a metric differs between two periods or two segments (test and p-value)."""
    a, b, common_periods, common_values = _slices(list(period or []), list(segment_value or []))
    filters = _filters(kind, channel, [*(where or []), *common_values])
    first, stop = _range(start, end)
    if common_periods:
        common = Slice.period(common_periods[0])
        first, stop = common.start, common.end
    with metric_source(db, source_file) as source:
        result = compare(
            metric,
            source,
            a,
            b,
            filters=filters,
            start=first,
            end=stop,
            window_days=window_days,
            scale=scale,
            top_box=top_box,
            alpha=alpha,
        )
    _print_comparison(result, fmt)


@metrics_app.command("list")
def list_command(fmt: FormatOption = OutputFormat.table) -> None:
    """The catalogue: every metric, its formula and its interval."""
    specs = list(CATALOGUE.values())
    if fmt is OutputFormat.json:
        print_json(
            [
                {
                    "name": s.name,
                    "title": s.title,
                    "unit": s.unit,
                    "formula": s.formula,
                    "numerator": s.numerator,
                    "denominator": s.denominator,
                    "ci": s.ci_method,
                    "guardrails": list(s.guardrails),
                    "gaming": s.gaming,
                    "scope": s.scope,
                }
                for s in specs
            ]
        )
        return
    if fmt is OutputFormat.csv:
        writer = csv_writer(sys.stdout, lineterminator="\n")
        writer.writerow(["name", "title", "unit", "formula", "ci", "guardrails"])
        for s in specs:
            writer.writerow(
                [s.name, s.title, s.unit, s.formula, s.ci_method, ";".join(s.guardrails)]
            )
        return
    table = Table(title="otklik metrics (docs/metrics.md explains each)")
    for column in ("metric", "what", "formula", "95% CI", "guardrails"):
        table.add_column(column)
    for s in specs:
        table.add_row(s.name, s.title, s.formula, s.ci_method, ", ".join(s.guardrails))
    console.print(table)
