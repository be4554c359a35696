"""``/api/v1/cases``: the inbox as JSON; assign and close (a team user: own zone only)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from otklik.web import domain
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
    return {name: utc_iso(value) if name.endswith("_at") else value for name, value in case.items()}


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
    """Cases overdue first, then by due date: ``{"cases": [...], "total": N}``."""
    cases, total = domain.list_cases(
        state.engine,
        zone=user.zone,
        teams=[t for t in split_values(team) if t],
        statuses=[s for s in split_values(status) if s],
        overdue_only=overdue,
        limit=limit,
        offset=offset,
    )
    return {"cases": [_public(case) for case in cases], "total": total}


@router.get("/cases/{case_id}")
def read_case(case_id: DbId, user: ApiUser, state: StateDep) -> dict[str, Any]:
    case = domain.get_case(state.engine, case_id, zone=user.zone)
    history = [_public(event) for event in domain.case_history(state.engine, case_id)]
    return {**_public(case), "history": history}


@router.post("/cases/{case_id}/assign")
def assign_case(case_id: DbId, body: AssignIn, user: ApiUser, state: StateDep) -> dict[str, Any]:
    case = domain.assign_case(
        state.engine,
        case_id,
        assignee=body.assignee,
        actor=user.email,
        zone=user.zone,
        note=body.note,
    )
    return _public(case)


@router.post("/cases/{case_id}/close")
def close_case(case_id: DbId, body: CloseIn, user: ApiUser, state: StateDep) -> dict[str, Any]:
    case = domain.close_case(
        state.engine, case_id, actor=user.email, zone=user.zone, note=body.note
    )
    return _public(case)
