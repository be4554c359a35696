"""SLA arithmetic: when a case is due, and whether it is overdue.

The clock starts when the case is opened (the team cannot answer before it knows), and runs in
calendar hours. A team the teams file does not know (an explicit owner from an import) gets the
default team's SLA.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from otklik.routing.teams import TeamsConfig, TeamSpec

__all__ = ["due_dates", "is_overdue", "team_spec"]


def team_spec(teams: TeamsConfig, team: str) -> TeamSpec:
    return teams.teams.get(team) or teams.teams[teams.default_team]


def due_dates(opened_at: datetime, spec: TeamSpec) -> tuple[datetime, datetime | None]:
    """(resolution due, first response due or None) for a case opened at ``opened_at``."""
    due = opened_at + timedelta(hours=spec.sla_hours)
    first = (
        opened_at + timedelta(hours=spec.first_response_hours)
        if spec.first_response_hours is not None
        else None
    )
    return due, first


def is_overdue(status: str, due_at: datetime, now: datetime) -> bool:
    return status != "closed" and due_at < now
