"""API tokens in the browser: admins list them, create one for a user (shown once, on the
answer to the form, never again) and revoke them (``otklik.auth``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from otklik.auth import create_token, list_tokens, list_users, revoke_token
from otklik.web.auth import CSRF_FIELD
from otklik.web.deps import AdminUser, StateDep, session_of
from otklik.web.params import DbId
from otklik.web.rendering import render
from otklik.web.state import WebState

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _page(request: Request, state: WebState, **extra: Any) -> Response:
    users = [row for row in list_users(state.engine) if row.get("active")]
    context = {"tokens": list_tokens(state.engine), "users": users, "new_token": None, **extra}
    response = render(request, "admin_tokens.html", context)
    response.headers["Cache-Control"] = "no-store"  # a new token is on this page once
    return response


@router.get("/admin/tokens")
def tokens_page(request: Request, user: AdminUser, state: StateDep) -> Response:
    return _page(request, state)


@router.post("/admin/tokens")
def new_token(
    request: Request,
    user: AdminUser,
    state: StateDep,
    email: Annotated[str, Form(max_length=320)],
    name: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    """Create a token for the user ``email``; the page that answers shows it, once."""
    session_of(request).check_csrf(csrf_token)
    token = create_token(state.engine, email=email, name=name.strip() or None)
    return _page(request, state, new_token=token, new_token_email=email)


@router.post("/admin/tokens/{token_id}/revoke")
def revoke(
    request: Request,
    token_id: DbId,
    user: AdminUser,
    state: StateDep,
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> RedirectResponse:
    session_of(request).check_csrf(csrf_token)
    revoke_token(state.engine, token_id)
    return RedirectResponse("/admin/tokens", status_code=303)
