"""The JSON API under ``/api/v1`` (OpenAPI at ``/api/v1/openapi.json``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from otklik.auth import Role
from otklik.ledger import get_run, list_quarantine, list_runs
from otklik.web.api import (
    cases,
    conduct,
    contact,
    drivers,
    ex,
    experiments,
    incidents,
    items,
    kpis,
    labels,
    metrics,
    surveys,
    topics,
)
from otklik.web.api.schemas import MePublic, utc_iso
from otklik.web.deps import ApiUser, StateDep, require_role
from otklik.web.errors import ApiError
from otklik.web.params import DbId

__all__ = ["api_router"]

api_router = APIRouter(prefix="/api/v1")
_MODULES = (
    items,
    metrics,
    kpis,
    cases,
    surveys,
    topics,
    labels,
    experiments,
    contact,
    conduct,
    incidents,
    ex,
    drivers,
)
for _module in _MODULES:
    api_router.include_router(_module.router)


@api_router.get("/me", response_model=MePublic, tags=["users"])
def me(user: ApiUser) -> MePublic:
    """Who the token or session belongs to."""
    return MePublic(id=user.id, email=user.email, role=user.role.value, team=user.team)


def _run(run: dict[str, Any]) -> dict[str, Any]:
    return {k: utc_iso(v) if k.endswith("_at") else v for k, v in run.items()}


@api_router.get("/imports", tags=["imports"])
def imports(user: ApiUser, state: StateDep) -> dict[str, Any]:
    """Recent import runs with their counts (admins and analysts)."""
    require_role(user, Role.ADMIN, Role.ANALYST)
    return {"imports": [_run(run) for run in list_runs(state.engine, limit=200)]}


@api_router.get("/imports/{run_id}", tags=["imports"])
def import_run(run_id: DbId, user: ApiUser, state: StateDep) -> dict[str, Any]:
    """One run and its quarantined rows."""
    require_role(user, Role.ADMIN, Role.ANALYST)
    run = get_run(state.engine, run_id)
    if run is None:
        raise ApiError(404, f"no import {run_id}")
    return {**_run(run), "quarantine": list_quarantine(state.engine, run_id=run_id)}
