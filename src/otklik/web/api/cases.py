"""``/api/v1/cases``: the inbox as JSON; assign, close, bulk actions and replies (a team user:
own zone only).

Cases are what :mod:`otklik.routing` returns (texts with personal data masked, as in
``otklik cases list``); this module only checks the caller's zone and shapes times as UTC ISO.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from otklik import replies, routing
from otklik.errors import ConfigError
from otklik.web.api.schemas import utc_iso
from otklik.web.deps import ApiUser, StateDep
from otklik.web.errors import ApiError
from otklik.web.params import MAX_ID, DbId, Offset, case_filter_of, split_values

__all__ = ["AssignIn", "BulkFilter", "BulkIn", "CloseIn", "ReplyIn", "router"]

router = APIRouter(tags=["cases"])


class AssignIn(BaseModel):
    assignee: str = Field(min_length=1, max_length=200)
    note: str | None = Field(None, max_length=5000)


class CloseIn(BaseModel):
    note: str = Field(min_length=1, max_length=5000)


Names = list[str] | None


class BulkFilter(BaseModel):
    """The same filters as ``GET /api/v1/cases`` (and the inbox page's URL)."""

    status: Names = None
    team: Names = None
    topic: Names = None
    type: Names = None
    channel: Names = None
    sla: Names = None
    assignee: Names = None
    overdue: bool = False


class BulkIn(BaseModel):
    """A bulk action on ``ids`` or on every case ``filter`` matches; ``expected``: the count
    the caller confirmed (a different number is a 409 and nothing changes)."""

    action: str = Field(pattern="^(assign|close|relabel)$")
    ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] | None = Field(None, max_length=100_000)
    filter: BulkFilter | None = None
    expected: int | None = Field(None, ge=0)
    assignee: str | None = Field(None, max_length=200)
    note: str | None = Field(None, max_length=5000)
    team: str | None = Field(None, max_length=200)
    topic: str | None = Field(None, max_length=200)


class ReplyIn(BaseModel):
    channel: str = Field(pattern="^(email|webhook)$")
    body: str = Field(min_length=1, max_length=10_000)
    language: str | None = Field(None, max_length=10)


def _filter(zone: str | None, **values: Any) -> routing.CaseFilter:
    """The filter of a request; an unknown status or SLA state is a 422 (``case_filter_of``)."""
    chosen = {
        name: [v for v in split_values(found) if v]
        for name, found in values.items()
        if name != "overdue"
    }
    return case_filter_of(chosen, zone=zone, overdue=bool(values.get("overdue")))


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
    topic: Annotated[list[str] | None, Query()] = None,
    type: Annotated[list[str] | None, Query()] = None,
    channel: Annotated[list[str] | None, Query()] = None,
    sla: Annotated[list[str] | None, Query()] = None,
    assignee: Annotated[list[str] | None, Query()] = None,
    overdue: bool = False,
    order: Annotated[str, Query(pattern="^(priority|due)$")] = "priority",
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Cases, highest priority first (every status unless ``status`` says):
    ``{"cases": [...], "total": N}``; each case has ``priority`` and its parts, ``sla``."""
    where = _filter(
        user.zone,
        status=status or ["all"],
        team=team,
        topic=topic,
        type=type,
        channel=channel,
        sla=sla,
        assignee=assignee,
        overdue=overdue,
    )
    cases, total = routing.case_page(
        state.engine, where=where, order=order, limit=limit, offset=offset, labels=True
    )
    return {"cases": [_public(case) for case in cases], "total": total}


@router.post("/cases/bulk")
def bulk_cases(body: BulkIn, user: ApiUser, state: StateDep) -> dict[str, Any]:
    """Assign, close or relabel many cases: ``{"action", "changed", "skipped": [ids]}``.

    A team user's ids outside their zone refuse the whole action (404, nothing changed).
    """
    if body.ids is not None:
        targets = routing.bulk_targets(state.engine, ids=body.ids, zone=user.zone)
    elif body.filter is not None:
        where = _filter(user.zone, **body.filter.model_dump())
        targets = routing.bulk_targets(state.engine, where=where, zone=user.zone)
    else:
        raise ApiError(422, "give ids or a filter", code="invalid_request")
    if body.expected is not None and body.expected != len(targets):
        raise ApiError(
            409,
            f"{len(targets)} cases match now, not the {body.expected} confirmed; nothing changed",
            code="conflict",
        )
    try:
        result = routing.bulk_apply(
            state.engine,
            body.action,
            targets,
            actor=user.email,
            zone=user.zone,
            assignee=body.assignee,
            note=body.note,
            team=body.team,
            topic=body.topic,
            known_teams={row["name"] for row in routing.list_teams(state.engine)},
        )
    except ConfigError as exc:
        raise ApiError(422, str(exc), code="invalid_request") from None
    state.data_changed()
    return {"action": result.action, "changed": result.changed, "skipped": result.skipped}


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


@router.post("/cases/{case_id}/reply")
def reply_case(case_id: DbId, body: ReplyIn, user: ApiUser, state: StateDep) -> dict[str, Any]:
    """Send a reply to the case's customer; the record says ``sent`` or ``failed`` (with
    ``error``): a failed delivery is an answer, not an error status."""
    try:
        record = replies.send_reply(
            state.engine,
            state.settings,
            case_id,
            channel=body.channel,
            body=body.body,
            actor=user.email,
            zone=user.zone,
            language=body.language,
        )
    except ConfigError as exc:
        raise ApiError(422, str(exc), code="invalid_request") from None
    return _public(record)
