"""``/api/v1/surveys``: the surveys, and invitations created by the company's own backend.

The widget's flow: right after an operation, the app's backend asks for an invitation here
(with an API token of an admin or analyst) and hands the token to the page, which shows the
widget with it. The contact policy applies as in ``otklik survey invite``: a refused
invitation is a 409 whose message says which rule and until when, unless ``force``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from otklik.auth import Role
from otklik.errors import PolicyRefused
from otklik.experiments import invite_in_experiment
from otklik.surveys import Inviter, list_surveys
from otklik.web.deps import ApiUser, StateDep, require_role
from otklik.web.errors import ApiError
from otklik.web.params import DbId

__all__ = ["InvitationIn", "router"]

router = APIRouter(tags=["surveys"])


class InvitationIn(BaseModel):
    customer_id: str = Field(min_length=1, max_length=200)
    channel: str | None = Field(None, max_length=50)
    mechanic: str | None = Field(None, max_length=20)
    transaction_id: str | None = Field(None, max_length=200)
    expires_days: int | None = Field(None, ge=1, le=366)
    force: bool = False
    experiment: str | None = Field(None, max_length=100)


@router.get("/surveys")
def surveys(user: ApiUser, state: StateDep) -> dict[str, Any]:
    """Every survey with its type, texts and reasons."""
    require_role(user, Role.ADMIN, Role.ANALYST)
    return {"surveys": [survey.to_dict() for survey in list_surveys(state.engine)]}


@router.post("/surveys/{survey_id}/invitations", status_code=201)
def invite(survey_id: DbId, body: InvitationIn, user: ApiUser, state: StateDep) -> dict[str, Any]:
    """A signed one-time link for one customer: ``{"url", "token", ...}``."""
    require_role(user, Role.ADMIN, Role.ANALYST)
    inviter = Inviter.from_settings(state.engine, state.settings)
    fields = body.model_dump(exclude={"experiment"})
    try:
        if body.experiment is None:
            return inviter.invite(survey_id=survey_id, **fields).to_dict()
        # The experiment's variant picks the mechanic; the invitation is its exposure.
        fields.pop("mechanic")
        fields.pop("expires_days")
        variant, result = invite_in_experiment(
            state.engine, inviter, body.experiment, survey_id=survey_id, **fields
        )
    except PolicyRefused as exc:
        raise ApiError(409, str(exc), code="policy_refused") from None
    return {**result.to_dict(), "experiment": body.experiment, "variant": variant}
