"""``otklik validate`` and ``otklik classify``: check the configs, classify and route items."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy import Engine

from otklik.cli import app
from otklik.cli.common import DbOption, OutputFormat, console, err_console, open_store, print_json
from otklik.config import load_settings
from otklik.ingest import read_mapping
from otklik.kpi import DEFAULT_KPIS, kpis_in_force, read_kpis
from otklik.routing import ProcessReport, check_configs, classify_and_route, teams_in_force
from otklik.surveys import read_policy

__all__ = [
    "ClassifyMethod",
    "TaxonomyOption",
    "TeamsOption",
    "classify_command",
    "print_report",
    "run_classification",
    "validate_command",
]

TaxonomyOption = Annotated[
    Path | None,
    typer.Option(
        "--taxonomy",
        help="Taxonomy YAML (default: $OTKLIK_TAXONOMY or the shipped one).",
        show_default=False,
    ),
]
TeamsOption = Annotated[
    Path | None,
    typer.Option(
        "--teams",
        help="Teams YAML (default: $OTKLIK_TEAMS or the shipped one).",
        show_default=False,
    ),
]


@app.command("validate")
def validate_command(
    taxonomy: TaxonomyOption = None,
    teams: TeamsOption = None,
    kpis: Annotated[
        Path | None,
        typer.Option(
            "--kpis",
            help="Also check this KPI YAML (default: $OTKLIK_KPIS, or ./kpis.yaml if it exists).",
            show_default=False,
        ),
    ] = None,
    policy: Annotated[
        Path | None,
        typer.Option(
            "--policy",
            help="Contact policy YAML (default: $OTKLIK_SURVEY_POLICY or the shipped one).",
            show_default=False,
        ),
    ] = None,
    mappings: Annotated[
        list[Path] | None,
        typer.Option(
            "--mapping", help="Also check this import mapping YAML; repeatable.", show_default=False
        ),
    ] = None,
) -> None:
    """Check the taxonomy, teams, contact policy (and KPI and mapping) files; each problem,
    a reference to a team, topic, metric or field that does not exist included, is printed as
    file:line: key: message."""
    settings = load_settings()
    teams_file = teams or teams_in_force(settings)
    check = check_configs(taxonomy or settings.taxonomy, teams_file)
    in_force = kpis_in_force(settings)
    kpi_file = kpis or (in_force if in_force != DEFAULT_KPIS else None)
    kpi_set, kpi_issues = read_kpis(kpi_file, teams=teams_file) if kpi_file else (None, [])
    _policy, policy_issues = read_policy(policy or settings.survey_policy)
    mapping_issues = [issue for path in mappings or [] for issue in read_mapping(path)[1]]
    issues = [*check.issues, *kpi_issues, *policy_issues, *mapping_issues]
    for issue in issues:
        err_console.print(str(issue), markup=False, highlight=False, soft_wrap=True)
    if issues:
        err_console.print(f"{len(issues)} problem(s) found", markup=False)
        raise typer.Exit(2)
    kpi_text = f", {kpi_file} ({len(kpi_set.kpis)} KPIs)" if kpi_set is not None else ""
    console.print(
        f"ok: {check.taxonomy} ({check.topics} topics), {check.teams} ({check.team_count} teams)"
        + kpi_text,
        markup=False,
        highlight=False,
    )


def run_classification(
    engine: Engine,
    *,
    reclassify: bool = False,
    taxonomy: Path | None = None,
    teams: Path | None = None,
    show_progress: bool = True,
    processes: int | None = None,
) -> ProcessReport:
    """Classify and route with a progress bar on a terminal (also used after imports);
    ``processes`` None: ``OTKLIK_CLASSIFY_PROCESSES``."""
    settings = load_settings()
    with Progress(
        TextColumn("[bold]classifying"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        disable=not (show_progress and err_console.is_terminal),
        transient=True,
    ) as bar:
        task = bar.add_task("classify", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return classify_and_route(
            engine,
            reclassify=reclassify,
            taxonomy=taxonomy or settings.taxonomy,
            teams=teams or settings.teams,
            model_dir=settings.model_dir,
            batch_size=settings.classify_batch_size,
            progress=progress,
            processes=settings.classify_processes if processes is None else processes,
        )


def print_report(report: ProcessReport) -> None:
    result = report.classify
    console.print(
        f"classified / классифицировано: {result.classified:,} of {result.total_items:,} items "
        f"in {result.seconds:.1f} s ({result.per_second:,.0f} items/s); "
        f"cases opened / открыто обращений: {report.cases_opened:,}",
        markup=False,
        highlight=False,
    )
    if not result.classified:
        return
    table = Table(show_header=True, title_justify="left")
    for column in ("method", "type", "language"):
        table.add_column(column)
    methods = [f"{name} {count:,}" for name, count in result.by_method.most_common()]
    types = [f"{name} {count:,}" for name, count in result.by_type.most_common()]
    languages = [f"{name} {count:,}" for name, count in result.by_language.most_common(8)]
    for row in range(max(len(methods), len(types), len(languages))):
        table.add_row(*(c[row] if row < len(c) else "" for c in (methods, types, languages)))
    console.print(table)
    for target, version in result.models.items():
        console.print(f"model for {target}: {version}", markup=False)
    for part, counts in result.by_part.items():
        found = ", ".join(f"{name} {count:,}" for name, count in counts.most_common())
        console.print(f"{part} by / по методу: {found}", markup=False, highlight=False)


class ClassifyMethod(StrEnum):
    auto = "auto"  # rules, and the trained models where there are some
    llm = "llm"  # the LLM's classify prompt (docs/llm.md); the rules fill in what it misses


@app.command("classify")
def classify_command(
    reclassify: Annotated[
        bool, typer.Option("--all", help="Reclassify every item (human labels are kept).")
    ] = False,
    taxonomy: TaxonomyOption = None,
    teams: TeamsOption = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="table|json")] = (
        OutputFormat.table
    ),
    method: Annotated[
        ClassifyMethod,
        typer.Option(
            "--method",
            help="auto: rules and trained models; llm: the LLM at $OTKLIK_LLM_BASE_URL "
            "(texts masked; see docs/llm.md).",
        ),
    ] = ClassifyMethod.auto,
    processes: Annotated[
        int | None,
        typer.Option(
            "--processes",
            min=0,
            help="Processes reading the texts, this one included (0: one per core, up to 4, "
            "for runs of 20,000 items or more; 1: this one only). "
            "Default: $OTKLIK_CLASSIFY_PROCESSES or 0.",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Classify items not yet classified (type, topics, sentiment, language) and open cases."""
    if method is ClassifyMethod.llm:
        from otklik.cli.llm_cmd import print_llm_report, run_llm_classification

        with open_store(db) as engine:
            llm_report = run_llm_classification(
                engine,
                reclassify=reclassify,
                taxonomy=taxonomy,
                teams=teams,
                show_progress=output is OutputFormat.table,
            )
        if output is OutputFormat.json:
            print_json(llm_report.as_dict())
        else:
            print_report(llm_report.process)
            print_llm_report(llm_report)
        return
    with open_store(db) as engine:
        report = run_classification(
            engine,
            reclassify=reclassify,
            taxonomy=taxonomy,
            teams=teams,
            show_progress=output is OutputFormat.table,
            processes=processes,
        )
    if output is OutputFormat.json:
        print_json(report.as_dict())
    else:
        print_report(report)
