"""The team inbox: cases by status and SLA, overdue first; assign or close with a note.

Cases are what :func:`otklik.routing.case_page` returns (texts with personal data masked, as in
``otklik cases list``); this module only reads the form, checks the zone and renders.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from otklik import routing
from otklik.web.auth import CSRF_FIELD
from otklik.web.deps import PageUser, StateDep, session_of
from otklik.web.exports import EXPORT_FORMATS, export_table
from otklik.web.params import DbId, split_values
from otklik.web.rendering import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
_PAGE = 50
_EXPORT = (
    "id",
    "item_id",
    "team",
    "status",
    "reason",
    "assignee",
    "due_at",
    "overdue",
    "created_at",
    "closed_at",
    "note",
    "channel",
    "text",
)


@router.get("/inbox")
def inbox_page(
    request: Request,
    user: PageUser,
    state: StateDep,
    status: Annotated[list[str] | None, Query()] = None,
    team: Annotated[list[str] | None, Query()] = None,
    overdue: bool = False,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    format: str | None = None,
) -> Response:
    statuses = [s for s in split_values(status) if s] or ["open", "in_progress"]
    teams = [s for s in split_values(team) if s]
    exporting = format in EXPORT_FORMATS
    cases, total = routing.case_page(
        state.engine,
        zone=user.zone,
        team=teams,
        status=statuses,
        overdue=overdue,
        limit=100_000 if exporting else _PAGE,
        offset=0 if exporting else (page - 1) * _PAGE,
        preview=not exporting,
    )
    if exporting:
        return export_table(
            str(format),
            "otklik-cases",
            _EXPORT,
            ([case.get(name) for name in _EXPORT] for case in cases),
            zone=state.settings.timezone,
            request=request,
        )
    team_names = [row["name"] for row in routing.list_teams(state.engine)]
    return render(
        request,
        "inbox.html",
        {
            "cases": cases,
            "total": total,
            "statuses": statuses,
            "all_statuses": routing.CASE_STATUSES,
            "teams": teams,
            "overdue": overdue,
            "team_names": team_names if user.zone is None else [],
            "page": page,
            "pages": max(1, -(-total // _PAGE)),
        },
    )


@router.post("/inbox/{case_id}/assign")
def assign(
    request: Request,
    case_id: DbId,
    user: PageUser,
    state: StateDep,
    assignee: Annotated[str, Form(max_length=200)],
    note: Annotated[str, Form(max_length=5000)] = "",
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> RedirectResponse:
    session_of(request).check_csrf(csrf_token)
    routing.get_case(state.engine, case_id, zone=user.zone)  # another zone's case: 404
    routing.assign_case(
        state.engine, case_id, assignee.strip(), actor=user.email, note=note.strip() or None
    )
    return RedirectResponse(f"/inbox#case-{case_id}", status_code=303)


@router.post("/inbox/{case_id}/close")
def close(
    request: Request,
    case_id: DbId,
    user: PageUser,
    state: StateDep,
    note: Annotated[str, Form(max_length=5000)],
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> RedirectResponse:
    session_of(request).check_csrf(csrf_token)
    routing.get_case(state.engine, case_id, zone=user.zone)
    routing.close_case(state.engine, case_id, note=note, actor=user.email)
    return RedirectResponse("/inbox", status_code=303)
