"""``otklik experiment``: define, assign, analyse and roll out experiments.

A thin shell over :mod:`otklik.experiments` (the API's and the web page's figures).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from otklik.cli import app
from otklik.cli.common import DbOption, console, open_store, print_json
from otklik.config import load_settings
from otklik.errors import ConfigError
from otklik.experiments import (
    METRICS,
    Analysis,
    StoredExperiment,
    analyze,
    assign,
    build,
    create_experiment,
    events,
    get_experiment,
    guard,
    import_store_ratings,
    list_experiments,
    load_experiments,
    mechanic_honesty,
    parse_variant,
    plan,
    rollout,
    set_status,
    store_prompt,
)
from otklik.surveys import load_policy

__all__ = ["ExperimentFormat", "experiment_app"]

experiment_app = typer.Typer(
    no_args_is_help=True,
    help="Experiments: `otklik experiment create|list|show|analyze|assign|rollout …`.",
)
app.add_typer(experiment_app, name="experiment")


class ExperimentFormat(StrEnum):
    table = "table"
    json = "json"


FormatOption = Annotated[ExperimentFormat, typer.Option("--format", help="table or json.")]


def _num(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _plan_line(stored: StoredExperiment) -> str:
    d = stored.definition
    return (
        f"{d.key}: {plan(d)} customers per variant for a fixed-horizon test of {d.metric} "
        f"(MDE {d.effect:g} {d.primary.unit}, α {d.alpha:g}, power {d.power:g}; "
        f"stopping: {d.stopping})"
    )


@experiment_app.command("create")
def create_command(
    key: Annotated[str | None, typer.Argument(help="The experiment's key.")] = None,
    variant: Annotated[
        list[str] | None,
        typer.Option("--variant", help="NAME or NAME=WEIGHT; at least two (control first)."),
    ] = None,
    metric: Annotated[
        str | None, typer.Option("--metric", help=f"Primary metric: {', '.join(METRICS)}.")
    ] = None,
    guardrail: Annotated[
        list[str] | None, typer.Option("--guardrail", help="A guardrail metric (repeatable).")
    ] = None,
    hypothesis: Annotated[str, typer.Option("--hypothesis", help="What you expect and why.")] = "",
    mde: Annotated[
        float | None, typer.Option("--mde", help="Minimum detectable effect in the metric's unit.")
    ] = None,
    baseline: Annotated[
        float | None, typer.Option("--baseline", help="Expected control value (planning).")
    ] = None,
    stopping: Annotated[
        str, typer.Option("--stopping", help="sequential (peek any day) or fixed.")
    ] = "sequential",
    kind: Annotated[str, typer.Option("--kind", help="mechanic, channel, timing, change…")] = (
        "change"
    ),
    survey_type: Annotated[
        str | None, typer.Option("--survey-type", help="Survey type for the contact policy.")
    ] = None,
    max_days: Annotated[int, typer.Option("--max-days", min=1, max=365)] = 28,
    file: Annotated[
        Path | None, typer.Option("--file", help="YAML file of experiments (all, or KEY's).")
    ] = None,
    draft: Annotated[bool, typer.Option("--draft", help="Store without starting.")] = False,
    output: FormatOption = ExperimentFormat.table,
    db: DbOption = None,
) -> None:
    """Define an experiment; prints the sample size per variant before it starts."""
    if file is not None:
        definitions = load_experiments(file)
        if key is not None:
            definitions = [d for d in definitions if d.key == key]
            if not definitions:
                raise ConfigError(f"{file}: no experiment {key!r}")
    else:
        if key is None or metric is None or not variant:
            raise ConfigError("give KEY, --metric and at least two --variant (or --file)")
        data: dict[str, Any] = {
            "key": key,
            "hypothesis": hypothesis,
            "variants": [parse_variant(v).model_dump() for v in variant],
            "metric": metric,
            "guardrails": guardrail or [],
            "stopping": stopping,
            "kind": kind,
            "max_days": max_days,
        }
        for name, value in (("mde", mde), ("baseline", baseline), ("survey_type", survey_type)):
            if value is not None:
                data[name] = value
        definitions = [build(data)]
    with open_store(db) as engine:
        created = [create_experiment(engine, d, start=not draft) for d in definitions]
    if output is ExperimentFormat.json:
        print_json(
            [{**c.to_dict(), "sample_size_per_variant": plan(c.definition)} for c in created]
        )
        return
    for stored in created:
        console.print(_plan_line(stored), markup=False, highlight=False)
        console.print(f"{stored.key}: {stored.status}", markup=False, highlight=False)


@experiment_app.command("list")
def list_command(output: FormatOption = ExperimentFormat.table, db: DbOption = None) -> None:
    """Every experiment with its status, metric and rollout stage."""
    with open_store(db) as engine:
        found = list_experiments(engine)
    if output is ExperimentFormat.json:
        print_json({"experiments": [s.to_dict() for s in found]})
        return
    table = Table(title="experiments")
    for column in ("key", "status", "metric", "variants", "stage", "winner"):
        table.add_column(column)
    for s in found:
        table.add_row(
            s.key,
            s.status,
            s.definition.metric,
            ", ".join(f"{v.name}={v.weight:g}" for v in s.definition.variants),
            "–" if s.rollout_stage is None else f"{s.rollout_stage}%",
            s.winner or "–",
        )
    console.print(table)


@experiment_app.command("show")
def show_command(
    key: str, output: FormatOption = ExperimentFormat.table, db: DbOption = None
) -> None:
    """An experiment's definition, plan and events."""
    with open_store(db) as engine:
        stored = get_experiment(engine, key)
        log = events(engine, key)
    if output is ExperimentFormat.json:
        print_json(
            {**stored.to_dict(), "sample_size_per_variant": plan(stored.definition), "events": log}
        )
        return
    d = stored.definition
    console.print(f"{d.key} — {stored.status}", markup=False, highlight=False)
    if d.hypothesis:
        console.print(f"hypothesis: {d.hypothesis}", markup=False, highlight=False)
    console.print(_plan_line(stored), markup=False, highlight=False)
    for v in d.variants:
        console.print(
            f"  variant {v.name} weight {v.weight:g}"
            + (" (control)" if v.name == d.control_name else ""),
            markup=False,
            highlight=False,
        )
    for event in log:
        console.print(f"  {event['at']} {event['kind']} {event['detail']}", markup=False)


def _analysis_table(result: Analysis) -> None:
    unit = result.unit
    console.print(
        f"{result.key}: {result.status}, day {result.days}; {result.metric} ({unit}); "
        f"planned {result.planned_n} per variant; SRM p = {result.srm_p:.4f}",
        markup=False,
        highlight=False,
    )
    table = Table(title=f"{result.key}: {result.metric}")
    for column in ("variant", "exposed", "n", "value [95% CI]"):
        table.add_column(column)
    for f in result.variants:
        table.add_row(
            f.variant,
            str(result.exposed.get(f.variant, 0)),
            str(f.n),
            f"{_num(f.value, 2)} [{_num(f.ci_low, 2)}…{_num(f.ci_high, 2)}]",
        )
    console.print(table)
    diffs = Table(title="vs control")
    for column in ("metric", "variant", "Δ [95% CI]", "p", "always-valid CI", "p (always valid)"):
        diffs.add_column(column)
    for c in [*result.comparisons, *result.guardrails]:
        diffs.add_row(
            c.metric,
            c.variant,
            f"{_num(c.difference, 2)} [{_num(c.ci_low, 2)}…{_num(c.ci_high, 2)}]",
            _num(c.p_value, 4),
            f"[{_num(c.cs_low, 2)}…{_num(c.cs_high, 2)}]",
            _num(c.p_always_valid, 4),
        )
    console.print(diffs)
    best = f" ({result.best})" if result.best else ""
    console.print(f"decision: {result.decision}{best}", markup=False, highlight=False)


@experiment_app.command("analyze")
def analyze_command(
    key: str, output: FormatOption = ExperimentFormat.table, db: DbOption = None
) -> None:
    """Sizes, estimates with intervals, the always-valid p-values, SRM and the decision."""
    with open_store(db) as engine:
        result = analyze(engine, key)
    if output is ExperimentFormat.json:
        print_json(result.to_dict())
        return
    _analysis_table(result)


@experiment_app.command("assign")
def assign_command(
    key: str,
    customer: Annotated[str, typer.Option("--customer", help="The customer's id.")],
    output: FormatOption = ExperimentFormat.table,
    db: DbOption = None,
) -> None:
    """The customer's variant (sticky), logged as an exposure."""
    settings = load_settings(database_url=db)
    with open_store(db) as engine:
        result = assign(
            engine, key, customer, policy=load_policy(settings.survey_policy), source="cli"
        )
    if output is ExperimentFormat.json:
        print_json(result.to_dict())
        return
    note = "" if result.contact_allowed else f" (not contacted: {result.reason})"
    console.print(f"{result.customer}: {result.variant}{note}", markup=False, highlight=False)


@experiment_app.command("rollout")
def rollout_command(
    key: str,
    to: Annotated[int, typer.Option("--to", help="Stage in percent: 20, 50 or 100.")],
    winner: Annotated[
        str | None, typer.Option("--winner", help="The variant to roll out (default: the winner).")
    ] = None,
    output: FormatOption = ExperimentFormat.table,
    db: DbOption = None,
) -> None:
    """Move the winner to the next stage after checking primary and guardrail metrics."""
    settings = load_settings(database_url=db)
    with open_store(db) as engine:
        result = rollout(engine, key, to, winner=winner, settings=settings)
    if output is ExperimentFormat.json:
        print_json(result.to_dict())
    elif result.halted:
        console.print(f"{key}: halted — {result.reason}", markup=False, highlight=False)
    else:
        console.print(f"{key}: {result.winner} at {result.stage}% ({result.status})", markup=False)
    if result.halted:
        raise typer.Exit(3)


@experiment_app.command("guard")
def guard_command(
    key: Annotated[str | None, typer.Argument(help="One experiment (default: all live).")] = None,
    output: FormatOption = ExperimentFormat.table,
    db: DbOption = None,
) -> None:
    """The daily check: halt (and notify) any live experiment a guardrail says is harmful."""
    settings = load_settings(database_url=db)
    with open_store(db) as engine:
        keys = [key] if key else [s.key for s in list_experiments(engine)]
        results = [guard(engine, k, settings=settings) for k in keys]
    if output is ExperimentFormat.json:
        print_json([r.to_dict() for r in results])
        return
    for r in results:
        state = f"halted — {r.reason}" if r.halted else r.status
        console.print(f"{r.key}: {state}", markup=False, highlight=False)


@experiment_app.command("start")
def start_command(key: str, db: DbOption = None) -> None:
    """Start a draft (prints the sample size per variant first)."""
    with open_store(db) as engine:
        stored = get_experiment(engine, key)
        console.print(_plan_line(stored), markup=False, highlight=False)
        if stored.status != "draft":
            raise ConfigError(f"experiment {key!r} is {stored.status}, not a draft")
        set_status(engine, key, "running")
    console.print(f"{key}: running", markup=False)


@experiment_app.command("stop")
def stop_command(key: str, db: DbOption = None) -> None:
    """Stop an experiment: everyone sees the control from now on."""
    with open_store(db) as engine:
        set_status(engine, key, "stopped")
    console.print(f"{key}: stopped", markup=False)


@experiment_app.command("honesty")
def honesty_command(
    experiment: Annotated[
        str | None, typer.Option("--experiment", help="Only invitations of this experiment.")
    ] = None,
    reference: Annotated[str, typer.Option("--reference", help="Reference mechanic.")] = "link",
    output: FormatOption = ExperimentFormat.table,
    db: DbOption = None,
) -> None:
    """Which mechanic gives honest answers: bias, extremes, straight-lining, speed, agreement."""
    with open_store(db) as engine:
        found = mechanic_honesty(engine, reference=reference, experiment=experiment)
    if output is ExperimentFormat.json:
        print_json({"reference": reference, "mechanics": [m.to_dict() for m in found]})
        return
    table = Table(title=f"mechanics vs {reference}")
    for column in (
        "mechanic",
        "answers",
        "bias, % of scale",
        "extreme %",
        "straight %",
        "fast %",
        "agree %",
    ):
        table.add_column(column)
    for m in found:
        table.add_row(
            m.mechanic + (" (reference)" if m.reference else ""),
            str(m.answers),
            f"{_num(m.bias.value)} [{_num(m.bias.ci_low)}…{_num(m.bias.ci_high)}]",
            _num(m.extreme.value),
            _num(m.straight.value),
            _num(m.fast.value),
            _num(m.agreement.value),
        )
    console.print(table)


@experiment_app.command("import-ratings")
def import_ratings_command(key: str, file: Path, db: DbOption = None) -> None:
    """Import the app-store rating trend (CSV: date,variant,stars,count)."""
    with open_store(db) as engine:
        stored = import_store_ratings(engine, key, file)
    console.print(f"{key}: {stored} rows of store ratings imported", markup=False)


@experiment_app.command("store-prompt")
def store_prompt_command(
    key: str,
    customer: Annotated[str, typer.Option("--customer")],
    payments: Annotated[int, typer.Option("--payments", min=0, help="Successful payments so far.")],
    output: FormatOption = ExperimentFormat.table,
    db: DbOption = None,
) -> None:
    """Whether to ask the customer for a store rating now (never by their earlier scores)."""
    with open_store(db) as engine:
        result = store_prompt(engine, key, customer, successful_payments=payments)
    if output is ExperimentFormat.json:
        print_json(result.to_dict())
        return
    console.print(
        f"{customer}: {'ask' if result.ask else 'do not ask'} ({result.variant}: {result.reason})",
        markup=False,
        highlight=False,
    )
