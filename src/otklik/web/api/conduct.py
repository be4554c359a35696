"""``/api/v1/conduct``: abuse flags, a customer's standing, policy steps, reviews, appeals, risk
flags and the figures for both sides; a team user sees and acts in their own zone only.

Evidence is masked here as in every export (first letter and asterisks); the supervisor's page
shows it in full."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from otklik import conduct
from otklik.auth import Principal, Role
from otklik.conduct import PERIODS, agent_flag_rates, protection_figures
from otklik.errors import NotFoundError
from otklik.web.api.schemas import utc_iso
from otklik.web.deps import ApiUser, StateDep, require_role
from otklik.web.errors import ApiError
from otklik.web.params import DbId
from otklik.web.scope import sees_team

__all__ = ["AppealIn", "ReviewIn", "RiskIn", "StepIn", "router"]

router = APIRouter(prefix="/conduct", tags=["conduct"])


class StepIn(BaseModel):
    step: str = Field(pattern="^(warning|end|block)$")
    note: str | None = Field(None, max_length=5000)


class ReviewIn(BaseModel):
    decision: str = Field(pattern="^(confirm|reverse)$")
    note: str | None = Field(None, max_length=5000)


class AppealIn(BaseModel):
    note: str | None = Field(None, max_length=5000)


class RiskIn(BaseModel):
    kind: str = Field(pattern="^(customer|address)$")
    value: str = Field(min_length=1, max_length=400)
    reason: str = Field(min_length=1, max_length=2000)
    days: int | None = Field(None, ge=1, le=3650)


def _iso(row: dict[str, Any]) -> dict[str, Any]:
    return {k: utc_iso(v) if isinstance(v, datetime) else v for k, v in row.items()}


def _own_item(state: StateDep, user: Principal, item_id: int) -> None:
    try:
        team, _, _ = conduct.item_owner(state.engine, item_id)
    except NotFoundError:
        raise ApiError(404, f"no item {item_id}") from None
    if not sees_team(user, team):
        raise ApiError(404, f"no item {item_id}")


@router.get("/flags")
def flags(
    user: ApiUser,
    state: StateDep,
    since: datetime | None = Query(None, description="Items on or after (ISO date)."),
) -> dict[str, Any]:
    """Flagged items: item_id, external_id, category, confidence, evidence (masked)."""
    start = since.replace(tzinfo=None) if since is not None else None
    return {"flags": conduct.list_flags(state.engine, since=start, zone=user.zone)}


@router.get("/items/{item_id}")
def item(item_id: DbId, user: ApiUser, state: StateDep) -> dict[str, Any]:
    """One item's flags (masked), events and the risk flags on its customer and address."""
    _own_item(state, user, item_id)
    _, customer, address = conduct.item_owner(state.engine, item_id)
    risks = conduct.active_risks(state.engine, values=[v for v in (customer, address) if v])
    stored = conduct.item_flags(state.engine, item_id)
    flags_ = [{**f, "evidence": conduct.mask(f["evidence"])} for f in stored]
    return {
        "item_id": item_id,
        "flags": flags_,
        "events": [_iso(e) for e in conduct.item_events(state.engine, item_id)],
        "risks": [_iso(r) for r in risks],
    }


@router.get("/customers/{customer_id}")
def customer(customer_id: str, user: ApiUser, state: StateDep) -> dict[str, Any]:
    """Where a customer stands under the policy (admins, analysts, leads and team users)."""
    policy = conduct.policy_in_force(state.settings)
    try:
        status = conduct.customer_status(state.engine, policy, customer_id, zone=user.zone)
    except NotFoundError:
        raise ApiError(404, f"no customer {customer_id}") from None
    return status.to_dict()


@router.post("/items/{item_id}/steps", status_code=201)
def step(item_id: DbId, body: StepIn, user: ApiUser, state: StateDep) -> dict[str, Any]:
    """Record a policy step (a threat adds block and review, per the policy)."""
    require_role(user, Role.ADMIN, Role.TEAM, Role.LEAD)
    _own_item(state, user, item_id)
    policy = conduct.policy_in_force(state.settings)
    events = conduct.apply_step(
        state.engine, policy, item_id, body.step, by=user.email, note=body.note
    )
    state.data_changed()
    return {"events": [_iso(e) for e in events]}


@router.post("/items/{item_id}/review", status_code=201)
def review(item_id: DbId, body: ReviewIn, user: ApiUser, state: StateDep) -> dict[str, Any]:
    """A supervisor (admin or lead) confirms the steps or reverses the latest one."""
    require_role(user, Role.ADMIN, Role.LEAD)
    _own_item(state, user, item_id)
    policy = conduct.policy_in_force(state.settings)
    try:
        event = conduct.review(
            state.engine, policy, item_id, body.decision, by=user.email, note=body.note
        )
    except NotFoundError as exc:
        raise ApiError(409, str(exc), code="conflict") from None
    state.data_changed()
    return _iso(event)


@router.post("/items/{item_id}/appeal", status_code=201)
def appeal(item_id: DbId, body: AppealIn, user: ApiUser, state: StateDep) -> dict[str, Any]:
    """Record a customer's appeal (``note``: their words): a case in the review team's queue."""
    require_role(user, Role.ADMIN, Role.TEAM, Role.LEAD)
    _own_item(state, user, item_id)
    policy = conduct.policy_in_force(state.settings)
    case_id = conduct.appeal(state.engine, policy, item_id, by=user.email, note=body.note)
    return {"case_id": case_id, "team": policy.review_team}


@router.get("/risks")
def risks(user: ApiUser, state: StateDep) -> dict[str, Any]:
    """Risk flags in force (admins, analysts and leads: customers and addresses are not
    tied to one team)."""
    require_role(user, Role.ADMIN, Role.ANALYST, Role.LEAD)
    return {"risks": [_iso(r) for r in conduct.active_risks(state.engine)]}


@router.post("/risks", status_code=201)
def set_risk(body: RiskIn, user: ApiUser, state: StateDep) -> dict[str, Any]:
    """Set a risk flag by hand (admins and leads)."""
    require_role(user, Role.ADMIN, Role.LEAD)
    risk_id = conduct.set_risk(
        state.engine, body.kind, body.value, reason=body.reason, by=user.email, days=body.days
    )
    return {"id": risk_id}


@router.get("/agents")
def agents(user: ApiUser, state: StateDep) -> dict[str, Any]:
    """Per agent: flag rate and supervisor-confirmed share against peers (robust z)."""
    return {"agents": [a.to_dict() for a in agent_flag_rates(state.engine, zone=user.zone)]}


@router.get("/figures")
def figures(
    user: ApiUser,
    state: StateDep,
    period: str = Query("month", pattern="^(" + "|".join(PERIODS) + ")$"),
) -> dict[str, Any]:
    """Abusive contacts per 1,000 by channel and period (Wilson CI), share handled, time to
    review, blocks issued and reversed."""
    policy = conduct.policy_in_force(state.settings)
    return protection_figures(state.engine, policy, period=period, zone=user.zone)
