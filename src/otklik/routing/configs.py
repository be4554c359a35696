"""Checking the taxonomy and the teams file together (what ``otklik validate`` runs)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from otklik.classify.taxonomy import DEFAULT_TAXONOMY, read_taxonomy
from otklik.routing.teams import DEFAULT_TEAMS, read_teams
from otklik.yamlconf import ConfigIssue

__all__ = ["ConfigCheck", "check_configs"]


@dataclass
class ConfigCheck:
    taxonomy: str
    teams: str
    issues: list[ConfigIssue] = field(default_factory=list)
    topics: int = 0
    team_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.issues


def check_configs(taxonomy: Path | None = None, teams: Path | None = None) -> ConfigCheck:
    """Every problem in both files, located; topic owners must be teams of the teams file."""
    team_config, team_issues = read_teams(teams)
    names = set(team_config.teams) if team_config is not None else None
    found, taxonomy_issues = read_taxonomy(taxonomy, teams=names)
    check = ConfigCheck(
        taxonomy=str(taxonomy or DEFAULT_TAXONOMY),
        teams=str(teams or DEFAULT_TEAMS),
        issues=taxonomy_issues + team_issues,
    )
    if found is not None:
        check.topics = len(found.flat_topics())
    if team_config is not None:
        check.team_count = len(team_config.teams)
    return check
