"""Settings: the taxonomy and the teams in force (``OTKLIK_TAXONOMY``, ``OTKLIK_TEAMS``, else
the shipped files: topics with their owner teams, teams with their SLAs, or the files'
problems), users (admins add users and change roles; analysts read), and the KPI file (admins
edit it at ``/settings/kpis``: checked like ``otklik kpi validate``, written only when it has no
problem)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from otklik import configs, routing
from otklik.auth import Role, add_user, list_users, update_user
from otklik.classify import DEFAULT_TAXONOMY, ConfigIssue, read_taxonomy
from otklik.errors import ConfigError
from otklik.kpi import DEFAULT_KPIS, kpis_in_force, kpis_save_path, parse_kpis
from otklik.routing import teams_in_force
from otklik.web.auth import CSRF_FIELD
from otklik.web.deps import AdminUser, StateDep, WriterUser, session_of
from otklik.web.exports import EXPORT_FORMATS, export_table
from otklik.web.params import DbId
from otklik.web.rendering import render
from otklik.web.state import WebState

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
_USER_COLUMNS = ("id", "email", "role", "team", "active", "created_at", "last_login_at")
_KPI_MAX_CHARS = 500_000
_T = TypeVar("_T")


def _read(
    reader: Callable[[Path], tuple[_T | None, list[ConfigIssue]]], path: Path
) -> tuple[_T | None, list[str]]:
    """A config file in force through its domain reader, and its problems as lines."""
    try:
        config, issues = reader(path)
    except ConfigError as exc:  # unreadable, or not YAML at all
        return None, [str(exc)]
    return config, [str(issue) for issue in issues]


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
            zone=state.settings.timezone,
            request=request,
        )
    locale = request.state.locale
    taxonomy_path = state.settings.taxonomy or DEFAULT_TAXONOMY
    taxonomy, taxonomy_issues = _read(read_taxonomy, taxonomy_path)
    topics = [
        {
            "id": node.id,
            "title": node.title(locale),
            "owner": node.owner,
            "depth": node.id.count("."),
        }
        for node in (taxonomy.flat_topics() if taxonomy is not None else [])
    ]
    teams_path = state.settings.teams or routing.DEFAULT_TEAMS
    teams_config, teams_issues = _read(routing.read_teams, teams_path)
    teams = [
        {
            "name": name,
            "title": spec.title(locale),
            "sla_hours": spec.sla_hours,
            "first_response_hours": spec.first_response_hours,
            "escalate_to": spec.escalate_to,
        }
        for name, spec in sorted(teams_config.teams.items() if teams_config else [])
    ]
    from otklik.classify.pretrained import auto_table

    return render(
        request,
        "settings.html",
        {
            "auto_methods": auto_table("sentiment"),
            "auto_type_methods": auto_table("type"),
            "taxonomy_file": taxonomy_path,
            "taxonomy_issues": taxonomy_issues,
            "topics": topics,
            "teams_file": teams_path,
            "teams_issues": teams_issues,
            "teams": teams,
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
    teams = teams_in_force(state.settings)  # a file broken by hand shows its problems
    _, issues = parse_kpis(source, str(path), teams=teams)
    return _kpi_page(request, state, source, issues, saved=bool(saved) and not issues)


@router.post("/settings/kpis")
def save_kpis_page(
    request: Request,
    user: AdminUser,
    state: StateDep,
    source: Annotated[str, Form(max_length=_KPI_MAX_CHARS)] = "",
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    """Check the edited YAML like ``otklik kpi validate``; write it atomically only if valid,
    and record it as a version (``/admin/kpis/history``)."""
    session_of(request).check_csrf(csrf_token)
    path = kpis_save_path(state.settings)
    try:
        result = configs.save_config(
            state.engine, state.settings, configs.ConfigKind.KPIS, source, author=user.email
        )
    except OSError as exc:
        failure = f"{path}: {exc.strerror or exc}"
        return _kpi_page(request, state, source, [], failure=failure, status=500)
    if not result.ok:
        return _kpi_page(request, state, source, result.issues, status=422)
    return RedirectResponse("/settings/kpis?saved=1", status_code=303)
