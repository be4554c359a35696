"""Settings: the taxonomy (topics and their owner teams), teams with their SLAs, users
(admins add users and change roles; analysts read), and the KPI file (admins edit it at
``/settings/kpis``: checked like ``otklik kpi validate``, written only when it has no problem)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from otklik.classify.yamlconf import ConfigIssue
from otklik.kpi import DEFAULT_KPIS, kpis_in_force, kpis_save_path, parse_kpis, save_kpis
from otklik.web import domain
from otklik.web.auth import CSRF_FIELD
from otklik.web.deps import AdminUser, StateDep, WriterUser, session_of
from otklik.web.exports import EXPORT_FORMATS, export_table
from otklik.web.params import DbId
from otklik.web.rendering import render
from otklik.web.state import WebState
from otklik.web.users import Role, add_user, list_users, update_user

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
_USER_COLUMNS = ("id", "email", "role", "team", "active", "created_at", "last_login_at")
_KPI_MAX_CHARS = 500_000


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
    user_id: DbId,
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


def _kpi_page(
    request: Request,
    state: WebState,
    source: str,
    issues: list[ConfigIssue],
    *,
    saved: bool = False,
    failure: str | None = None,
    status: int = 200,
) -> Response:
    in_force = kpis_in_force(state.settings)
    return render(
        request,
        "settings_kpis.html",
        {
            "source": source,
            "issues": issues,
            "saved": saved,
            "failure": failure,
            "in_force": in_force.absolute(),
            "shipped": in_force == DEFAULT_KPIS,
            "save_path": kpis_save_path(state.settings).absolute(),
        },
        status,
    )


@router.get("/settings/kpis")
def kpis_page(request: Request, user: WriterUser, state: StateDep, saved: str = "") -> Response:
    """The KPI file in force as YAML: admins edit it, analysts read it."""
    path = kpis_in_force(state.settings)
    source = path.read_text(encoding="utf-8") if path.is_file() else ""
    _, issues = parse_kpis(source, str(path))  # a file broken by hand shows its problems
    return _kpi_page(request, state, source, issues, saved=bool(saved) and not issues)


@router.post("/settings/kpis")
def save_kpis_page(
    request: Request,
    user: AdminUser,
    state: StateDep,
    source: Annotated[str, Form(max_length=_KPI_MAX_CHARS)] = "",
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    """Check the edited YAML like ``otklik kpi validate``; write it atomically only if valid."""
    session_of(request).check_csrf(csrf_token)
    source = source.replace("\r\n", "\n")  # browsers send a textarea's lines with CRLF
    path = kpis_save_path(state.settings)
    try:
        config, issues = save_kpis(source, path)
    except OSError as exc:
        failure = f"{path}: {exc.strerror or exc}"
        return _kpi_page(request, state, source, [], failure=failure, status=500)
    if config is None:
        return _kpi_page(request, state, source, issues, status=422)
    return RedirectResponse("/settings/kpis?saved=1", status_code=303)
