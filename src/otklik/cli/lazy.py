"""Command groups loaded on first use, so ``otklik --help`` answers without the domain.

Every command module imports the library it drives (SQLAlchemy, SciPy, Ibis, pandas …), which
costs seconds; a user typing ``otklik --help`` or ``otklik import …`` should pay only for what
runs. :data:`COMMANDS` names the module that registers each top-level command and its one-line
help for the listing; a test (``tests/cli/test_lazy.py``) checks it against the commands
themselves, so the listing cannot drift from them.
"""

from __future__ import annotations

import importlib
from typing import Any

# Typer ≥ 0.20 carries its own copy of click; the group's types come from there.
from typer import _click as click
from typer.core import TyperCommand, TyperGroup

__all__ = ["COMMANDS", "LazyGroup", "load_all"]

# name → (modules under otklik.cli that register it, space-separated; the start of its help,
# shown by `otklik --help`)
COMMANDS: dict[str, tuple[str, str]] = {
    "cases": ("cases_cmd", "Cases: actionable feedback in its owner team's queue, with an SLA."),
    "classify": (
        "classify_cmd",
        "Classify items not yet classified (type, topics, sentiment, language) and open cases.",
    ),
    "conduct": (
        "conduct_cmd",
        "Conduct: abusive customers and the policy that protects operators (docs/conduct.md).",
    ),
    "contact": (
        "contact_cmd",
        "Contact policy: every message a customer receives, checked by one policy.",
    ),
    "doctor": (
        "jobs_cmd",
        "Check a deployment: store, migrations, secret, worker, queue; says what to fix.",
    ),
    "demo": (
        "demo_cmd",
        "Load a demo company (a bank with a marketplace side, 2025) and show what it holds.",
    ),
    "backlog": (
        "drivers_cmd",
        "The problems (topics that drag the score down), ranked by priority",
    ),
    "digest": ("drivers_cmd", "The weekly digest by e-mail: `otklik digest send --to ADDR`."),
    "drivers": (
        "drivers_cmd",
        "Per topic: n, share, the topic's score, its impact on the score (all − without the topic)",
    ),
    "ex": (
        "ex_cmd",
        "Employee experience: `otklik ex report`, `otklik ex link`, `otklik ex staff import`.",
    ),
    "experiment": (
        "experiment_cmd",
        "Experiments: `otklik experiment create|list|show|analyze|assign|rollout …`.",
    ),
    "import": ("ledger_cmd", "Import a file of feedback (or the customer list) into the ledger."),
    "incidents": (
        "incidents_cmd",
        "Incidents: spikes detected, records with an honest ETA, status for customers.",
    ),
    "init": (
        "ledger_cmd",
        "Create the store or upgrade it to the latest schema (safe to run again).",
    ),
    "jobs": (
        "jobs_cmd",
        "Background jobs: `otklik jobs list [--failed]`, `otklik jobs retry ID`.",
    ),
    "kpi": (
        "kpi_cmd",
        "KPIs with guardrails: `otklik kpi report`, `otklik kpi suggest METRIC`, "
        "`otklik kpi validate [FILE]`, `otklik kpi list`.",
    ),
    "label": ("label_cmd", "Human labels: import them, and see which items to label next."),
    "llm": (
        "llm_cmd",
        "LLM analysis: summaries, reply drafts, offers beyond the script (docs/llm.md).",
    ),
    "metrics": ("metrics_cmd", "CX metrics with n and 95% intervals."),
    "model": (
        "model_cmd train_cmd",
        "Trained text classifiers: evaluate on labelled files, train on the team's labels.",
    ),
    "pillars": (
        "pillars_cmd",
        "Pillar scores per quarter: share negative and positive of the items tagged with each",
    ),
    "report": (
        "drivers_cmd",
        "Reports: `otklik report management [--period P] --format pdf`.",
    ),
    "quarantine": ("ledger_cmd", "Rows that could not enter the ledger, with the reason."),
    "serve": (
        "web_cmd",
        "Run the web app: dashboards, items, team inboxes and the JSON API (/api/v1).",
    ),
    "survey": (
        "survey_cmd",
        "Surveys: create them, invite customers with signed one-time links, see the policy.",
    ),
    "token": ("web_cmd", "API tokens (Authorization: Bearer TOKEN)."),
    "topics": (
        "topics_cmd",
        "Topic analytics: `otklik topics report [--period P] [--split FIELD]`.",
    ),
    "user": ("web_cmd", "People who sign in to the web app."),
    "worker": (
        "jobs_cmd",
        "Run a worker: process arrivals (classify, route, open cases) and scheduled jobs.",
    ),
    "validate": (
        "classify_cmd",
        "Check the taxonomy, teams, contact policy (and KPI and mapping) files.",
    ),
}


def _import(modules: str) -> None:
    for module in modules.split():
        importlib.import_module(f"otklik.cli.{module}")


def load_all() -> None:
    """Import every command module (for the reference, the docs tests and shell completion)."""
    for modules in sorted({modules for modules, _ in COMMANDS.values()}):
        _import(modules)


class LazyGroup(TyperGroup):
    """The root group: lists :data:`COMMANDS` without importing them, imports one to run it."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMANDS) | set(self.commands))

    def _load(self, name: str) -> click.Command | None:
        if name not in self.commands and name in COMMANDS:
            import typer

            from otklik.cli import app

            _import(COMMANDS[name][0])
            built = typer.main.get_group(app)
            self.commands.update(built.commands)
        return self.commands.get(name)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        loaded = self.commands.get(cmd_name)
        if loaded is not None:
            return loaded
        if cmd_name in COMMANDS:
            # For the listing only: a stand-in with the help line; running it loads the module.
            help_line = COMMANDS[cmd_name][1]
            return TyperCommand(cmd_name, help=help_line, short_help=help_line)
        return None

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args:
            self._load(str(args[0]))
        return super().resolve_command(ctx, args)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> Any:
        load_all()
        return super().shell_complete(ctx, incomplete)
