"""Teams (responsibility zones) and their SLAs, from YAML (``data/teams.yaml`` by default).

The YAML is the source of truth; :func:`sync_teams` mirrors it into the ``teams`` table so SQL
reports can join cases to their team's settings.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine, insert, select, update

from otklik.config import Settings
from otklik.ledger import Team
from otklik.yamlconf import (
    ConfigIssue,
    LocatedYaml,
    YamlSyntaxError,
    check_config,
    issues_error,
    parse_yaml,
    read_yaml,
    unknown_name,
)

__all__ = [
    "DEFAULT_TEAMS",
    "TeamSpec",
    "TeamsConfig",
    "list_teams",
    "load_teams",
    "parse_teams",
    "read_teams",
    "sync_teams",
    "teams_in_force",
]

DEFAULT_TEAMS = Path(str(resources.files("otklik.routing") / "data" / "teams.yaml"))
_SLUG = re.compile(r"^[a-z][a-z0-9_]*$")


class TeamSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: dict[str, str] = {}
    sla_hours: float = Field(gt=0, le=24 * 365)
    first_response_hours: float | None = Field(None, gt=0)
    escalate_to: str | None = None

    def title(self, language: str = "en") -> str | None:
        return self.label.get(language) or self.label.get("en")


class TeamsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(1, ge=1, le=1)
    default_team: str
    teams: dict[str, TeamSpec]

    @property
    def names(self) -> set[str]:
        return set(self.teams)


def _escalation_loop(config: TeamsConfig, start: str) -> list[str]:
    """The chain of ``escalate_to`` from ``start`` when it comes back to ``start``, else []."""
    chain = [start]
    current = config.teams[start].escalate_to
    while current is not None and current in config.teams and current not in chain:
        chain.append(current)
        current = config.teams[current].escalate_to
    return [*chain, start] if current == start else []


def _check(config: TeamsConfig, doc: LocatedYaml) -> list[ConfigIssue]:
    issues = []
    if config.default_team not in config.teams:
        issues.append(
            doc.issue(("default_team",), unknown_name("team", config.default_team, config.teams))
        )
    for name, spec in config.teams.items():
        if not _SLUG.match(name):
            issues.append(
                doc.issue(("teams", name), f"{name!r}: use lower-case letters, digits and _")
            )
        if spec.escalate_to is not None and spec.escalate_to not in config.teams:
            issues.append(
                doc.issue(
                    ("teams", name, "escalate_to"),
                    unknown_name("team", spec.escalate_to, config.teams),
                )
            )
        elif spec.escalate_to is not None and _escalation_loop(config, name):
            issues.append(
                doc.issue(
                    ("teams", name, "escalate_to"),
                    "escalation goes round in a loop: "
                    + " → ".join(_escalation_loop(config, name))
                    + "; end the chain at a team without escalate_to",
                )
            )
        if spec.first_response_hours is not None and spec.first_response_hours > spec.sla_hours:
            issues.append(
                doc.issue(
                    ("teams", name, "first_response_hours"),
                    "first response is due after the case itself (more than sla_hours)",
                )
            )
    return issues


def teams_in_force(settings: Settings) -> Path:
    """The teams file in use: ``$OTKLIK_TEAMS`` when set, else the shipped one."""
    return settings.teams or DEFAULT_TEAMS


def read_teams(path: Path | None = None) -> tuple[TeamsConfig | None, list[ConfigIssue]]:
    """The teams file at ``path`` (default: the shipped one) and every problem in it."""
    return check_config(read_yaml(path or DEFAULT_TEAMS, what="teams file"), TeamsConfig, _check)


def parse_teams(
    source: str, label: str = "teams.yaml"
) -> tuple[TeamsConfig | None, list[ConfigIssue]]:
    """Teams YAML text checked exactly as :func:`read_teams` checks a file (``label`` names it
    in the issues); invalid YAML is one issue, not an exception."""
    try:
        doc = parse_yaml(source, label)
    except YamlSyntaxError as exc:
        return None, [exc.issue]
    return check_config(doc, TeamsConfig, _check)


def load_teams(path: Path | None = None) -> TeamsConfig:
    config, issues = read_teams(path)
    if config is None:
        raise issues_error(issues)
    return config


def sync_teams(engine: Engine, config: TeamsConfig) -> None:
    """Mirror ``config`` into the ``teams`` table; teams no longer in it become inactive."""
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        stored = {row.name: row.id for row in conn.execute(select(Team.name, Team.id))}
        for name, spec in config.teams.items():
            values = {
                "title": spec.title(),
                "sla_hours": spec.sla_hours,
                "first_response_hours": spec.first_response_hours,
                "escalate_to": spec.escalate_to,
                "active": True,
                "updated_at": now,
            }
            if name in stored:
                conn.execute(update(Team).where(Team.id == stored[name]).values(**values))
            else:
                conn.execute(insert(Team).values(name=name, **values))
        gone = set(stored) - set(config.teams)
        if gone:
            conn.execute(
                update(Team).where(Team.name.in_(sorted(gone))).values(active=False, updated_at=now)
            )


def list_teams(engine: Engine) -> list[dict[str, Any]]:
    """The teams mirrored into the store (:func:`sync_teams`), by name: name, title, sla_hours,
    first_response_hours, escalate_to, active, updated_at."""
    with engine.connect() as conn:
        query = select(*Team.__table__.columns).order_by(Team.name)
        return [dict(row) for row in conn.execute(query).mappings()]
