"""What runs by itself: the steps every arrival goes through, and the scheduled jobs.

An *arrival* (a file imported, an upload, items posted to the API, a survey answer) is a list
of new item ids. :data:`ARRIVAL_STEPS` is the chain it goes through, in order; each step is one
function ``run(ctx, item_ids)`` that must be safe to run twice on the same items (a retried
job runs it again). :data:`PERIODIC` lists the scheduled jobs: ``run(ctx)`` on a cron schedule.

Other packages add theirs with :func:`add_step` / :func:`add_periodic` at import time (listed
in :data:`STEP_MODULES`, imported before a queue or a worker is built), e.g.::

    add_step("detect_incidents", detect_for_items)          # after "route"
    add_periodic("send_digest", "0 7 * * *", send_digest)  # 07:00 UTC every day
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine

from otklik.config import Settings

__all__ = [
    "ARRIVAL_STEPS",
    "PERIODIC",
    "STEP_MODULES",
    "Periodic",
    "Step",
    "StepContext",
    "add_periodic",
    "add_step",
    "load_step_modules",
    "next_step",
    "periodic_named",
    "step_named",
]


@dataclass(frozen=True)
class StepContext:
    """What a step gets: the store and the settings of the process running it."""

    engine: Engine
    settings: Settings


StepRun = Callable[[StepContext, Sequence[int]], object]
PeriodicRun = Callable[[StepContext], object]


@dataclass(frozen=True)
class Step:
    name: str
    run: StepRun


@dataclass(frozen=True)
class Periodic:
    name: str
    cron: str  # minute hour day month weekday [second], UTC
    run: PeriodicRun


def _classify(ctx: StepContext, item_ids: Sequence[int]) -> object:
    """Type, topics, sentiment, language of the items not yet classified (rules and models)."""
    from otklik.classify import (
        RuleSet,
        classify_items,
        default_rules,
        load_taxonomy,
        load_trained_models,
    )

    settings = ctx.settings
    rules = RuleSet(load_taxonomy(settings.taxonomy)) if settings.taxonomy else default_rules()
    report = classify_items(
        ctx.engine,
        rules=rules,
        models=load_trained_models(settings.model_dir),
        batch_size=settings.classify_batch_size,
        item_ids=list(item_ids),
    )
    return report.as_dict()


def _route(ctx: StepContext, item_ids: Sequence[int]) -> object:
    """Owner teams of the classified items, and a case for each actionable one without one."""
    from otklik.routing import load_teams, route_items, sync_teams

    teams = load_teams(ctx.settings.teams)
    sync_teams(ctx.engine, teams)
    return {"cases_opened": route_items(ctx.engine, teams, list(item_ids))}


def _prune(ctx: StepContext) -> object:
    """Drop what has expired: sessions past their end, login blocks older than their window
    (``OTKLIK_LOGIN_WINDOW_S``), rate buckets idle for an hour, and (PostgreSQL) succeeded jobs
    older than ``OTKLIK_JOBS_KEEP_DAYS`` (failed ones stay for the dead-letter list)."""
    from datetime import timedelta

    from sqlalchemy import delete

    from otklik.jobs.shared import prune_rate_buckets
    from otklik.ledger.models_auth import LoginFailure, UserSession

    now = datetime.now(UTC)
    naive = now.replace(tzinfo=None)
    with ctx.engine.begin() as conn:
        sessions = conn.execute(delete(UserSession).where(UserSession.expires_at <= naive))
        blocks = conn.execute(
            delete(LoginFailure).where(
                LoginFailure.last_at <= naive - timedelta(seconds=ctx.settings.login_window_s)
            )
        )
    pruned = {
        "sessions": int(sessions.rowcount or 0),
        "login_blocks": int(blocks.rowcount or 0),
        "rate_buckets": prune_rate_buckets(ctx.engine, now=now.timestamp()),
    }
    if ctx.engine.dialect.name == "postgresql":
        from otklik.jobs.listing import prune_finished_jobs

        pruned["finished_jobs"] = prune_finished_jobs(
            ctx.engine, keep_days=ctx.settings.jobs_keep_days
        )
    return pruned


# classification → routing and case creation (→ incident detection, added by otklik.incidents)
ARRIVAL_STEPS: list[Step] = [Step("classify", _classify), Step("route", _route)]
PERIODIC: list[Periodic] = [Periodic("prune", "17 * * * *", _prune)]
# Modules that add steps or scheduled jobs when imported (the lead adds e.g. otklik.incidents).
STEP_MODULES: list[str] = [
    "otklik.incidents.schedule",
    "otklik.drivers.schedule",
    "otklik.experiments.schedule",
]


def add_step(name: str, run: StepRun, *, after: str | None = None) -> None:
    """Add an arrival step at the end of the chain (or right after the step ``after``)."""
    if any(step.name == name for step in ARRIVAL_STEPS):
        return
    position = len(ARRIVAL_STEPS)
    if after is not None:
        position = [step.name for step in ARRIVAL_STEPS].index(after) + 1
    ARRIVAL_STEPS.insert(position, Step(name, run))


def add_periodic(name: str, cron: str, run: PeriodicRun) -> None:
    """Add a scheduled job (once per schedule, whatever the number of workers)."""
    if not any(job.name == name for job in PERIODIC):
        PERIODIC.append(Periodic(name, cron, run))


def load_step_modules() -> None:
    for module in STEP_MODULES:
        importlib.import_module(module)


def step_named(name: str) -> Step | None:
    return next((step for step in ARRIVAL_STEPS if step.name == name), None)


def periodic_named(name: str) -> Periodic | None:
    return next((job for job in PERIODIC if job.name == name), None)


def next_step(name: str) -> Step | None:
    names = [step.name for step in ARRIVAL_STEPS]
    index = names.index(name) + 1 if name in names else len(names)
    return ARRIVAL_STEPS[index] if index < len(names) else None
