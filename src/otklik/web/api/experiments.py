"""``/api/v1/experiments``: experiments, their analysis, and sticky assignment for the app and
the widget (API tokens of admins and analysts)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from otklik.auth import Role
from otklik.experiments import analyze, assign, get_experiment, list_experiments, store_prompt
from otklik.surveys import load_policy
from otklik.web.deps import ApiUser, StateDep, require_role

__all__ = ["router"]

router = APIRouter(tags=["experiments"])
Key = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")]
Customer = Annotated[str, Query(min_length=1, max_length=200)]


@router.get("/experiments")
def experiments(user: ApiUser, state: StateDep) -> dict[str, Any]:
    """Every experiment with its status and rollout stage."""
    require_role(user, Role.ADMIN, Role.ANALYST)
    return {"experiments": [s.to_dict() for s in list_experiments(state.engine)]}


@router.get("/experiments/{key}")
def experiment(key: Key, user: ApiUser, state: StateDep) -> dict[str, Any]:
    """The definition and the analysis (the shape of ``otklik experiment analyze --format
    json`` under ``analysis``)."""
    require_role(user, Role.ADMIN, Role.ANALYST)
    stored = get_experiment(state.engine, key)
    return {**stored.to_dict(), "analysis": analyze(state.engine, key).to_dict()}


@router.get("/experiments/{key}/assignment")
def assignment(key: Key, customer: Customer, user: ApiUser, state: StateDep) -> dict[str, Any]:
    """``{"experiment", "customer", "variant"}`` (and whether the contact policy allows a
    survey now); the exposure is logged."""
    require_role(user, Role.ADMIN, Role.ANALYST)
    policy = load_policy(state.settings.survey_policy)
    return assign(state.engine, key, customer, policy=policy, source="api").to_dict()


@router.get("/experiments/{key}/store-prompt")
def store_rating_prompt(
    key: Key,
    customer: Customer,
    user: ApiUser,
    state: StateDep,
    payments: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    """Whether the widget should ask this customer for an app-store rating now."""
    require_role(user, Role.ADMIN, Role.ANALYST)
    return store_prompt(state.engine, key, customer, successful_payments=payments).to_dict()
