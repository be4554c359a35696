"""``/api/v1/contact``: one contact policy for every message, asked by the senders' backends.

``POST /api/v1/contact/check`` answers ``{"allowed", "reason", "next_allowed_at"}`` exactly as
``otklik contact check``; with ``"record": true`` an allowed message takes its slot in the same
transaction, so two senders at the same moment cannot both pass one slot.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from otklik.auth import Role
from otklik.contact import check_contact, policy_in_force
from otklik.web.deps import ApiUser, StateDep, require_role

__all__ = ["CheckIn", "router"]

router = APIRouter(tags=["contact"])


class CheckIn(BaseModel):
    customer_id: str = Field(min_length=1, max_length=200)
    type: str = Field(min_length=1, max_length=30)
    channel: str = Field(min_length=1, max_length=50)
    record: bool = False
    at: datetime | None = None  # default: now


@router.post("/contact/check")
def check(body: CheckIn, user: ApiUser, state: StateDep) -> dict[str, Any]:
    """May this message go now? ``{"allowed", "reason", "next_allowed_at"}``."""
    require_role(user, Role.ADMIN, Role.ANALYST)
    at = body.at
    if at is not None and at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    decision = check_contact(
        state.engine,
        policy_in_force(state.settings),
        customer_id=body.customer_id,
        type_=body.type,
        channel=body.channel,
        now=at,
        record=body.record,
        zone=state.settings.timezone,
    )
    return decision.to_dict()
