"""Settings: the taxonomy (topics and their owner teams), teams with their SLAs, and users
(admins add users and change roles; analysts read)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from otklik.web import domain
from otklik.web.auth import CSRF_FIELD
from otklik.web.deps import AdminUser, StateDep, WriterUser, session_of
from otklik.web.exports import EXPORT_FORMATS, export_table
from otklik.web.rendering import render
from otklik.web.users import Role, add_user, list_users, update_user

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
_USER_COLUMNS = ("id", "email", "role", "team", "active", "created_at", "last_login_at")


@router.get("/settings")
def settings_page(
    request: Request, user: WriterUser, state: StateDep, format: str | None = None
) -> Response:
    users = list_users(state.engine)
    if format in EXPORT_FORMATS:
        return export_table(
            format,
            "otklik-users",
            _USER_COLUMNS,
            ([row.get(name) for name in _USER_COLUMNS] for row in users),
        )
    return render(
        request,
        "settings.html",
        {
            "topics": domain.taxonomy_topics(request.state.locale),
            "teams": domain.list_teams(state.engine),
            "users": users,
            "roles": [role.value for role in Role],
        },
    )


@router.post("/settings/users")
def create_user(
    request: Request,
    user: AdminUser,
    state: StateDep,
    email: Annotated[str, Form(max_length=320)],
    role: Annotated[str, Form()],
    password: Annotated[str, Form(max_length=1000)],
    team: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> RedirectResponse:
    session_of(request).check_csrf(csrf_token)
    add_user(state.engine, email=email, role=role, password=password, team=team or None)
    return RedirectResponse("/settings#users", status_code=303)


@router.post("/settings/users/{user_id}")
def change_user(
    request: Request,
    user_id: int,
    user: AdminUser,
    state: StateDep,
    role: Annotated[str, Form()],
    team: Annotated[str, Form(max_length=200)] = "",
    active: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> RedirectResponse:
    session_of(request).check_csrf(csrf_token)
    update_user(state.engine, user_id, role=role, team=team or None, active=active == "on")
    return RedirectResponse("/settings#users", status_code=303)
