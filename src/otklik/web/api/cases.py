"""``/api/v1/cases``: the inbox as JSON; assign and close (a team user: own zone only).

Cases are what :mod:`otklik.routing` returns (texts with personal data masked, as in
``otklik cases list``); this module only checks the caller's zone and shapes times as UTC ISO.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from otklik import routing
from otklik.web.api.schemas import utc_iso
from otklik.web.deps import ApiUser, StateDep
from otklik.web.params import DbId, Offset, split_values

__all__ = ["AssignIn", "CloseIn", "router"]

router = APIRouter(tags=["cases"])


class AssignIn(BaseModel):
    assignee: str = Field(min_length=1, max_length=200)
    note: str | None = Field(None, max_length=5000)


class CloseIn(BaseModel):
    note: str = Field(min_length=1, max_length=5000)


def _public(case: dict[str, Any]) -> dict[str, Any]:
    """The case with its times as UTC ISO strings and its events as ``history``."""
    events: list[dict[str, Any]] | None = case.get("events")
    found = {
        name: utc_iso(value) if name.endswith("_at") else value
        for name, value in case.items()
        if name != "events"
    }
    if events is not None:
        found["history"] = [_public(event) for event in events]
    return found


@router.get("/cases")
def list_cases(
    user: ApiUser,
    state: StateDep,
    status: Annotated[list[str] | None, Query()] = None,
    team: Annotated[list[str] | None, Query()] = None,
    overdue: bool = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Cases, most urgent first (every status unless ``status`` says):
    ``{"cases": [...], "total": N}``."""
    cases, total = routing.case_page(
        state.engine,
        zone=user.zone,
        team=[t for t in split_values(team) if t],
        status=[s for s in split_values(status) if s] or "all",
        overdue=overdue,
        limit=limit,
        offset=offset,
    )
    return {"cases": [_public(case) for case in cases], "total": total}


@router.get("/cases/{case_id}")
def read_case(case_id: DbId, user: ApiUser, state: StateDep) -> dict[str, Any]:
    return _public(routing.get_case(state.engine, case_id, zone=user.zone))


@router.post("/cases/{case_id}/assign")
def assign_case(case_id: DbId, body: AssignIn, user: ApiUser, state: StateDep) -> dict[str, Any]:
    routing.get_case(state.engine, case_id, zone=user.zone)  # another zone's case: 404
    case = routing.assign_case(
        state.engine, case_id, body.assignee.strip(), actor=user.email, note=body.note
    )
    return _public(case)


@router.post("/cases/{case_id}/close")
def close_case(case_id: DbId, body: CloseIn, user: ApiUser, state: StateDep) -> dict[str, Any]:
    routing.get_case(state.engine, case_id, zone=user.zone)
    case = routing.close_case(state.engine, case_id, note=body.note, actor=user.email)
    return _public(case)
