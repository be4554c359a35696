"""``/api/v1/incidents``: the incidents feed for other desks (a helpdesk, the call-centre's IVR
message) and the incident records; a team user gets its zone only. Admins open incidents, move
their ETA and resolve them; team users and leads do it for their own team's incidents; each
change notifies the configured channels (webhook, e-mail, Telegram)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter
from pydantic import AwareDatetime, BaseModel, Field

from otklik.auth import Principal, Role
from otklik.configs import check_team, check_topic
from otklik.incidents import (
    SCOPE_FIELDS,
    Notifier,
    active_incidents,
    get_incident,
    list_incidents,
    move_eta,
    open_incident,
    resolve_incident,
)
from otklik.web.api.schemas import utc_iso
from otklik.web.deps import ApiUser, StateDep, require_role
from otklik.web.errors import ApiError
from otklik.web.params import DbId
from otklik.web.state import WebState

__all__ = ["EtaIn", "IncidentIn", "ResolveIn", "ScopeIn", "router"]


class ScopeIn(BaseModel):
    field: str = Field(min_length=1, max_length=30)
    value: str = Field(min_length=1, max_length=200)


class IncidentIn(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    message_ru: str = Field(min_length=1, max_length=2000)
    message_en: str = Field(min_length=1, max_length=2000)
    owner_team: str | None = Field(None, max_length=200)
    started_at: AwareDatetime | None = None
    eta_at: AwareDatetime | None = None
    scopes: list[ScopeIn] = Field(default_factory=list, max_length=50)
    # when it was opened and promised (default now): entering a past incident after the fact
    recorded_at: AwareDatetime | None = None


class EtaIn(BaseModel):
    eta_at: AwareDatetime
    note: str | None = Field(None, max_length=2000)
    recorded_at: AwareDatetime | None = None  # when the promise was given (default now)


class ResolveIn(BaseModel):
    resolution: str = Field("", max_length=5000)
    resolved_at: AwareDatetime | None = None


def _writer(user: Principal, team: str | None) -> None:
    """Admins anywhere; team users and leads for their own team's incidents (analysts read)."""
    require_role(user, Role.ADMIN, Role.TEAM, Role.LEAD)
    if user.zone is not None and team != user.zone:
        raise ApiError(403, "a team changes only its own team's incidents", code="forbidden")


def _notifier(state: WebState) -> Notifier | None:
    notifier = Notifier(state.engine, state.settings)
    return notifier if notifier.channels() else None


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


@router.post("/incidents", status_code=201)
def open_one(body: IncidentIn, user: ApiUser, state: StateDep) -> dict[str, Any]:
    """Open an incident: ``{"title", "message_ru", "message_en", "owner_team"?, "started_at"?,
    "eta_at"?, "scopes"?: [{"field", "value"}]}`` (times with an offset)."""
    _writer(user, body.owner_team)
    check_team(state.settings, body.owner_team)
    for scope in body.scopes:
        if scope.field not in SCOPE_FIELDS:
            raise ApiError(422, f"unknown scope field {scope.field!r}", code="invalid_request")
        if scope.field == "topic":
            check_topic(state.settings, scope.value)
    found = open_incident(
        state.engine,
        title=body.title,
        message_ru=body.message_ru,
        message_en=body.message_en,
        actor=user.email,
        started_at=body.started_at,
        eta_at=body.eta_at,
        owner_team=body.owner_team,
        scopes=[(s.field, s.value) for s in body.scopes],
        at=body.recorded_at,
        on_event=_notifier(state),
    )
    state.data_changed()
    return _dated(found)


@router.post("/incidents/{incident_id}/eta")
def move_one(incident_id: DbId, body: EtaIn, user: ApiUser, state: StateDep) -> dict[str, Any]:
    """Give or move the ETA ``{"eta_at", "note"?}``; kept with who and when."""
    current = get_incident(state.engine, incident_id, zone=user.zone)
    _writer(user, current["owner_team"])
    found = move_eta(
        state.engine,
        incident_id,
        body.eta_at,
        actor=user.email,
        note=body.note,
        at=body.recorded_at,
        on_event=_notifier(state),
    )
    return _dated(found)


@router.post("/incidents/{incident_id}/resolve")
def resolve_one(
    incident_id: DbId, body: ResolveIn, user: ApiUser, state: StateDep
) -> dict[str, Any]:
    """Resolve ``{"resolution", "resolved_at"?}`` (default now)."""
    current = get_incident(state.engine, incident_id, zone=user.zone)
    _writer(user, current["owner_team"])
    found = resolve_incident(
        state.engine,
        incident_id,
        actor=user.email,
        resolution=body.resolution,
        resolved_at=body.resolved_at,
        on_event=_notifier(state),
    )
    return _dated(found)
