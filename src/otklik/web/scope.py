"""Responsibility zones: what a user may see, applied to every query the web layer makes.

A user with the team role sees only items (and cases) whose ``owner_team`` is their team, in
pages, API answers, exports and charts alike; asking for another team's zone is refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from otklik.auth import Principal
from otklik.web.errors import ApiError

__all__ = ["ZONE_FIELD", "scoped_filters", "sees_team"]

ZONE_FIELD = "owner_team"


def scoped_filters(
    principal: Principal, filters: Mapping[str, Sequence[str | None]] | None = None
) -> dict[str, list[str | None]]:
    """``filters`` limited to the user's zone (unchanged for admins and analysts)."""
    scoped = {name: list(values) for name, values in (filters or {}).items() if values}
    zone = principal.zone
    if zone is None:
        return scoped
    asked = scoped.get(ZONE_FIELD)
    if asked and any(value != zone for value in asked):
        raise ApiError(
            403, f"your zone is the team {zone!r}; other teams' data is not shown", code="forbidden"
        )
    scoped[ZONE_FIELD] = [zone]
    return scoped


def sees_team(principal: Principal, team: str | None) -> bool:
    zone = principal.zone
    return zone is None or team == zone
