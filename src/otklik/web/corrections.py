"""Correcting an item's classification from the web: who may, on which item, and what follows.

One path for the item page's form and ``/api/v1/items/{id}/labels``: the item must be in the
user's zone (a team user corrects only their team's items, as they see only those), the values
come from the taxonomy in force, the correction is stored as a human label
(:func:`otklik.classify.relabel_item`) and, as after ``otklik label import``, items it makes
actionable get cases.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from otklik.auth import Principal
from otklik.classify import HumanLabel, Taxonomy, load_taxonomy, relabel_item
from otklik.ledger import get_item
from otklik.routing import case_of_item, load_teams, route_items, sync_teams
from otklik.web.errors import ApiError
from otklik.web.scope import sees_team
from otklik.web.state import WebState

__all__ = ["correct_item", "taxonomy_in_force", "visible_item"]


def visible_item(
    state: WebState, user: Principal, item_id: int
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """(the item, its case) when ``user`` may see it; 404 otherwise (as for a missing item)."""
    item = get_item(state.engine, item_id)
    case = case_of_item(state.engine, item_id) if item is not None else None
    visible = item is not None and (
        sees_team(user, item["owner_team"]) or (case is not None and sees_team(user, case["team"]))
    )
    if item is None or not visible:
        raise ApiError(404, f"no item {item_id}")
    return item, case


def taxonomy_in_force(state: WebState) -> Taxonomy:
    """The taxonomy ``OTKLIK_TAXONOMY`` names (else the shipped one)."""
    return load_taxonomy(state.settings.taxonomy)


def correct_item(
    state: WebState,
    user: Principal,
    item_id: int,
    *,
    type: str | None = None,
    topics: Sequence[str] | None = None,
    sentiment: str | None = None,
) -> HumanLabel:
    """Store ``user``'s correction of ``item_id`` and open a case if it made one due.

    Raises :class:`ApiError` 404 outside the user's zone and :class:`ConfigError` (400) for a
    value the taxonomy does not know.
    """
    visible_item(state, user, item_id)
    label = relabel_item(
        state.engine,
        taxonomy_in_force(state),
        item_id,
        type=type or None,
        topics=topics,
        sentiment=sentiment or None,
        labelled_by=user.email,
    )
    teams = load_teams(state.settings.teams)
    sync_teams(state.engine, teams)
    route_items(state.engine, teams, [item_id], actor=user.email)
    state.data_changed()
    return label
