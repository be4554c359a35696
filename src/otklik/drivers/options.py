"""What every caller of the drivers (CLI, API, page, report, digest) resolves the same way:
the period (default: the month of the latest item in scope), ``--segment F=V`` filters and the
settings (taxonomy, drivers file, currency, reporting zone)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from otklik.classify import DEFAULT_TAXONOMY, Taxonomy, read_taxonomy
from otklik.config import Settings
from otklik.drivers.analysis import DriversReport, analyse, backlog, split_backlog
from otklik.drivers.config import DriversConfig, load_drivers_config
from otklik.errors import ConfigError, MetricError
from otklik.ledger import FILTER_FIELDS, ItemFilter, latest_occurred_at
from otklik.metrics import Grain, Period, get_zone
from otklik.pillars import PILLARS
from otklik.routing import read_teams, teams_in_force

__all__ = [
    "Context",
    "check_choices",
    "context_of",
    "default_period",
    "parse_segments",
    "run",
    "run_backlog",
]


@dataclass(frozen=True)
class Context:
    zone: ZoneInfo
    taxonomy: Taxonomy | None
    config: DriversConfig
    currency: str
    teams: frozenset[str] | None = None  # the teams file's names (None: not checked)
    team_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # team → ru/en


def context_of(settings: Settings) -> Context:
    taxonomy, _issues = read_taxonomy(settings.taxonomy or DEFAULT_TAXONOMY)
    try:
        teams, _problems = read_teams(teams_in_force(settings))
    except ConfigError:
        teams = None
    return Context(
        get_zone(settings.timezone),
        taxonomy,
        load_drivers_config(settings.drivers),
        settings.currency,
        None if teams is None else frozenset(teams.teams),
        {} if teams is None else {name: dict(spec.label) for name, spec in teams.teams.items()},
    )


def check_choices(
    context: Context,
    filters: Mapping[str, Sequence[str | None]] | None,
    pillar: str | None,
) -> None:
    """An unknown owner team or CX pillar is a mistake, not an empty report."""
    if pillar and pillar not in PILLARS:
        raise MetricError(f"unknown CX pillar {pillar!r}; use {', '.join(PILLARS)}")
    if context.teams is None:
        return
    for team in (filters or {}).get("owner_team", ()):
        if team and team not in context.teams:
            raise MetricError(f"unknown team {team!r}; teams: {', '.join(sorted(context.teams))}")


def parse_segments(pairs: Sequence[str]) -> dict[str, list[str | None]]:
    """``["channel=app", "product=deposit"]`` → filters; a bad pair is a MetricError."""
    found: dict[str, list[str | None]] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name or not value:
            raise MetricError(f"segment {pair!r}: write FIELD=VALUE, e.g. channel=app")
        if name not in FILTER_FIELDS:
            raise MetricError(
                f"segment {pair!r}: no field {name!r} (use {', '.join(FILTER_FIELDS)})"
            )
        found.setdefault(name, []).append(value)
    return found


def latest_day(engine: Engine, zone: ZoneInfo, filters: ItemFilter | None) -> date:
    """The local date of the latest item (in ``filters``); MetricError on an empty store."""
    latest = latest_occurred_at(engine, filters=filters)
    if latest is None:
        raise MetricError("the store has no items")
    return latest.replace(tzinfo=UTC).astimezone(zone).date()


def default_period(
    engine: Engine, zone: ZoneInfo, filters: ItemFilter | None, grain: Grain = Grain.MONTH
) -> Period:
    """The ``grain`` period (default the month) holding the latest item."""
    return Period.of(latest_day(engine, zone, filters), grain)


def run(
    engine: Engine,
    context: Context,
    *,
    metric: str = "nps",
    period: str | Period | None = None,
    filters: Mapping[str, Sequence[str | None]] | None = None,
    pillar: str | None = None,
    method: str = "impact",
    cases: bool = True,
) -> DriversReport:
    """:func:`otklik.drivers.analyse` with the period and settings resolved."""
    check_choices(context, filters, pillar)
    if isinstance(period, Period):
        chosen = period
    elif period and period.strip():
        chosen = Period.parse(period)
    else:
        chosen = default_period(engine, context.zone, filters)
    return analyse(
        engine,
        metric=metric,
        period=chosen,
        timezone=context.zone,
        taxonomy=context.taxonomy,
        filters=filters,
        pillar=pillar,
        method=method,
        config=context.config,
        currency=context.currency,
        cases=cases,
    )


def run_backlog(
    engine: Engine,
    context: Context,
    *,
    metric: str = "nps",
    period: str | Period | None = None,
    filters: Mapping[str, Sequence[str | None]] | None = None,
    pillar: str | None = None,
    top: int | None = None,
    split: str | None = None,
) -> tuple[DriversReport, list[dict[str, Any]]]:
    """The report of the whole scope and its backlog: topics, or topic × the values of the item
    field ``split`` (:func:`otklik.drivers.analysis.split_backlog`)."""
    report = run(engine, context, metric=metric, period=period, filters=filters, pillar=pillar)
    if not split:
        return report, backlog(report, top)
    rows = split_backlog(
        engine,
        split=split,
        period=report.period,
        timezone=context.zone,
        filters=filters,
        top=top,
        metric=metric,
        taxonomy=context.taxonomy,
        pillar=pillar,
        config=context.config,
        currency=context.currency,
        cases=True,
    )
    return report, rows
