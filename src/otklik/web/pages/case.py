"""One case: its item, history and replies, the customer's other items and cases beside it;
assign, close and reply to the customer from here.

The case, the customer's history and the replies come from :mod:`otklik.routing` and
:mod:`otklik.replies` (personal data masked); a team user sees only their zone's cases (another
team's is a 404, as if it did not exist). A reply that fails to send is shown on the page and
kept in the case history, never a server error.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from otklik import replies, routing
from otklik.classify import current_labels
from otklik.errors import ConfigError
from otklik.web.auth import CSRF_FIELD
from otklik.web.deps import PageUser, StateDep, session_of
from otklik.web.errors import ApiError
from otklik.web.pages.conduct import conduct_panel
from otklik.web.pages.inbox import relabel_choices
from otklik.web.params import DbId
from otklik.web.rendering import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Csrf = Annotated[str, Form(alias=CSRF_FIELD)]


@router.get("/inbox/{case_id}")
def case_page(
    request: Request,
    case_id: DbId,
    user: PageUser,
    state: StateDep,
    reply: Annotated[str | None, Query(pattern="^(sent|failed)$")] = None,
) -> Response:
    case = routing.get_case(state.engine, case_id, zone=user.zone)  # another zone's: 404
    events = case.pop("events")
    label = current_labels(state.engine, [case["item_id"]]).get(case["item_id"]) or {}
    history = routing.customer_history(state.engine, case["customer_id"], zone=user.zone)
    choices = relabel_choices(state, request.state.locale)
    sent = replies.case_replies(state.engine, case_id)
    return render(
        request,
        "case.html",
        {
            "case": case,
            "events": events,
            "label": label,
            "history": history,
            "replies": sent,
            "draft": replies.reply_draft(state.engine, state.settings, case_id, zone=user.zone),
            "languages": replies.REPLY_LANGUAGES,
            "topic_titles": dict(choices["topics"]),
            "reply_result": reply,
            "last_reply": sent[-1] if sent else None,
            "conduct_panel": conduct_panel(state.engine, case["item_id"]),
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
    csrf_token: Csrf = "",
) -> RedirectResponse:
    session_of(request).check_csrf(csrf_token)
    routing.get_case(state.engine, case_id, zone=user.zone)  # another zone's case: 404
    routing.assign_case(
        state.engine, case_id, assignee.strip(), actor=user.email, note=note.strip() or None
    )
    return RedirectResponse(f"/inbox/{case_id}", status_code=303)


@router.post("/inbox/{case_id}/close")
def close(
    request: Request,
    case_id: DbId,
    user: PageUser,
    state: StateDep,
    note: Annotated[str, Form(max_length=5000)],
    csrf_token: Csrf = "",
) -> RedirectResponse:
    session_of(request).check_csrf(csrf_token)
    routing.get_case(state.engine, case_id, zone=user.zone)
    routing.close_case(state.engine, case_id, note=note, actor=user.email)
    return RedirectResponse(f"/inbox/{case_id}", status_code=303)


@router.post("/inbox/{case_id}/reply")
def reply(
    request: Request,
    case_id: DbId,
    user: PageUser,
    state: StateDep,
    channel: Annotated[str, Form(pattern="^(email|webhook)$")],
    body: Annotated[str, Form(max_length=10_000)],
    language: Annotated[str, Form(max_length=10)] = "",
    csrf_token: Csrf = "",
) -> RedirectResponse:
    session_of(request).check_csrf(csrf_token)
    try:
        record = replies.send_reply(
            state.engine,
            state.settings,
            case_id,
            channel=channel,
            body=body,
            actor=user.email,
            zone=user.zone,
            language=language or None,
        )
    except ConfigError as exc:
        raise ApiError(422, str(exc), code="invalid_request") from None
    return RedirectResponse(f"/inbox/{case_id}?reply={record['status']}", status_code=303)
