"""Whose job an item is, and whether it needs action at all.

The owner is, in order: the ``owner_team`` the import gave the item (an explicit zone wins), the
owner of its strongest topic (from the taxonomy, stored with the classification), else the teams
file's default team. An item is actionable when the customer is leaving (an exit survey), when its
score says so (NPS 0–6, CSAT or rating ≤ 2 of 5, CSAT ≤ 4 of 10, CES ≤ 2 of 7), or when it is a
complaint. Employee surveys never become customer cases.
"""

from __future__ import annotations

from otklik.routing.teams import TeamsConfig

__all__ = ["ACTIONABLE_REASONS", "actionable_reason", "resolve_owner"]

ACTIONABLE_REASONS = ("exit", "detractor", "low_csat", "low_rating", "high_effort", "complaint")

# Scale → (highest actionable score, reason).
_LOW_SCORES: dict[str, tuple[float, str]] = {
    "nps": (6, "detractor"),
    "csat5": (2, "low_csat"),
    "csat10": (4, "low_csat"),
    "rating5": (2, "low_rating"),
    "ces7": (2, "high_effort"),
}


def actionable_reason(
    *, kind: str, type: str | None, score: float | None, scale: str | None
) -> str | None:
    """Why an item should become a case, or None when it needs no action."""
    if kind == "employee":
        return None
    if kind == "exit":
        return "exit"
    if score is not None and scale in _LOW_SCORES:
        highest, reason = _LOW_SCORES[scale]
        if score <= highest:
            return reason
    if type == "complaint":
        return "complaint"
    return None


def resolve_owner(*, explicit: str | None, labelled: str | None, teams: TeamsConfig) -> str:
    """The responsible team: explicit from the import, else the topic's, else the default."""
    if explicit:
        return explicit
    if labelled and labelled in teams.teams:
        return labelled
    return teams.default_team
