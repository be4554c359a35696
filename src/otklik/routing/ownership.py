"""Whose job an item is, and whether it needs action at all.

The owner is, in order: the ``owner_team`` the import gave the item (an explicit zone wins), the
owner of its strongest topic (from the taxonomy, stored with the classification), else the teams
file's default team. An item is actionable when the customer is leaving (an exit survey), when its
score is low, or when it is a
complaint. A low score is the scale's own low band (``otklik.types.SCALES``: NPS 0–6, CSAT or
rating 1–2 of 5, CSAT 1–4 of 10, CES 1–3 of 7), the same definition metrics, sentiment
signals and the demo use. Employee surveys never become customer cases.
"""

from __future__ import annotations

from otklik.routing.teams import TeamsConfig
from otklik.types import SCALES

__all__ = ["ACTIONABLE_REASONS", "actionable_reason", "resolve_owner"]

ACTIONABLE_REASONS = ("exit", "detractor", "low_csat", "low_rating", "high_effort", "complaint")

# Scale → the reason a low score gives (what is low is the scale's own band).
_LOW_REASONS: dict[str, str] = {
    "nps": "detractor",
    "csat5": "low_csat",
    "csat10": "low_csat",
    "rating5": "low_rating",
    "ces7": "high_effort",
}


def actionable_reason(
    *, kind: str, type: str | None, score: float | None, scale: str | None
) -> str | None:
    """Why an item should become a case, or None when it needs no action."""
    if kind in ("employee", "employee-exit"):
        return None
    if kind == "exit":
        return "exit"
    if score is not None and scale in _LOW_REASONS and SCALES[scale].is_low(score):
        return _LOW_REASONS[scale]
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
