"""``/api/v1/incidents``: the incidents feed for other desks (a helpdesk, the call-centre's IVR
message) and the incident records; a team user gets its zone only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter

from otklik.incidents import active_incidents, get_incident, list_incidents
from otklik.web.api.schemas import utc_iso
from otklik.web.deps import ApiUser, StateDep
from otklik.web.params import DbId

__all__ = ["router"]

router = APIRouter(tags=["incidents"])


def _dated(found: dict[str, Any]) -> dict[str, Any]:
    return {
        k: utc_iso(v) if isinstance(v, datetime) else (_dated(v) if isinstance(v, dict) else v)
        for k, v in found.items()
    } | {
        k: [_dated(x) if isinstance(x, dict) else x for x in v]
        for k, v in found.items()
        if isinstance(v, list)
    }


@router.get("/incidents/active")
def active(user: ApiUser, state: StateDep) -> dict[str, Any]:
    """``{"generated_at", "incidents": [{"id", "title", "owner_team", "started_at", "eta_at",
    "eta_missed", "eta_moves", "message": {"ru", "en"}, "scopes": [{"field", "value"}]}]}``:
    incidents open now in the caller's zone."""
    now = datetime.now(UTC).replace(tzinfo=None)
    found = active_incidents(state.engine, at=now, team=user.zone)
    return {"generated_at": utc_iso(now), "incidents": [i.to_dict(now) for i in found]}


@router.get("/incidents")
def incidents(user: ApiUser, state: StateDep) -> dict[str, Any]:
    """Incidents in the caller's zone, newest first."""
    return {"incidents": [_dated(i) for i in list_incidents(state.engine, team=user.zone)]}


@router.get("/incidents/{incident_id}")
def incident(incident_id: DbId, user: ApiUser, state: StateDep) -> dict[str, Any]:
    """One incident with its ETA history, scopes and linked cases (404 outside the zone)."""
    return _dated(get_incident(state.engine, incident_id, zone=user.zone))
