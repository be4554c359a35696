"""Signing in and out, changing one's password, and choosing the language.

A sign-in opens a session on the server (:func:`otklik.auth.open_session`); signing out ends it
and a password change ends every other session of the user. Failed sign-ins are throttled per
source address and per (account, source) pair (:class:`otklik.auth.LoginThrottle`): a refused
try answers 429 with ``Retry-After``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from otklik.auth import (
    MIN_PASSWORD_LENGTH,
    LoginThrottled,
    WrongPassword,
    authenticate,
    change_password,
    close_session,
    open_session,
)
from otklik.errors import ConfigError
from otklik.web.auth import CSRF_FIELD, Session, client_address
from otklik.web.deps import PageUser, StateDep, TranslatorDep, current_principal, session_of
from otklik.web.errors import ApiError
from otklik.web.i18n import LOCALES
from otklik.web.rendering import LANG_COOKIE, render

__all__ = ["router", "safe_next"]

router = APIRouter(include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another host."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, state: StateDep, next: str | None = None) -> HTMLResponse:
    if current_principal(request, state) is not None:
        return RedirectResponse(safe_next(next), status_code=303)  # type: ignore[return-value]
    return render(request, "login.html", {"next": safe_next(next), "failed": False})


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    state: StateDep,
    t: TranslatorDep,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1000)],
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
    next: Annotated[str, Form()] = "/",
) -> HTMLResponse:
    session = session_of(request)
    session.check_csrf(csrf_token)
    source = client_address(request)
    try:
        state.throttle.check(email, source)
    except LoginThrottled as exc:
        response = render(
            request,
            "login.html",
            {"next": safe_next(next), "failed": True, "message": t("login.too_many")},
            429,
        )
        response.headers["Retry-After"] = str(exc.retry_after_s)
        return response
    principal = authenticate(state.engine, email, password)
    if principal is None:
        state.throttle.failed(email, source)
        return render(
            request,
            "login.html",
            {"next": safe_next(next), "failed": True, "message": t("login.failed")},
            401,
        )
    state.throttle.succeeded(email, source)
    if session.token is not None:  # signing in over another session ends that one
        close_session(state.engine, session.token)
    token = open_session(state.engine, principal.id, max_age_s=state.settings.session_max_age_s)
    fresh = Session(token=token, changed=True)  # a new CSRF token after sign-in
    request.state.session = fresh
    session.token, session.csrf, session.changed = fresh.token, fresh.csrf, True
    return RedirectResponse(safe_next(next), status_code=303)  # type: ignore[return-value]


@router.post("/logout")
def logout(
    request: Request, state: StateDep, csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = ""
) -> RedirectResponse:
    session = session_of(request)
    session.check_csrf(csrf_token)
    if session.token is not None:
        close_session(state.engine, session.token)
    anonymous = Session()
    session.token, session.csrf, session.changed = None, anonymous.csrf, True
    return RedirectResponse("/login", status_code=303)


@router.get("/account/password", response_class=HTMLResponse)
def password_page(request: Request, user: PageUser, done: str = "") -> HTMLResponse:
    return render(request, "password.html", {"done": bool(done), "message": None})


@router.post("/account/password", response_model=None)
def password_change(
    request: Request,
    user: PageUser,
    state: StateDep,
    t: TranslatorDep,
    current: Annotated[str, Form(max_length=1000)],
    new: Annotated[str, Form(max_length=1000)],
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    """Change one's own password; every other session of the user ends (this one stays)."""
    session = session_of(request)
    session.check_csrf(csrf_token)
    source = client_address(request)
    try:  # the current password is a password guess like any other
        state.throttle.check(user.email, source)
    except LoginThrottled as exc:
        response = render(
            request, "password.html", {"done": False, "message": t("login.too_many")}, 429
        )
        response.headers["Retry-After"] = str(exc.retry_after_s)
        return response
    try:
        change_password(state.engine, user.id, current=current, new=new, keep_session=session.token)
    except WrongPassword:
        state.throttle.failed(user.email, source)
        return render(
            request, "password.html", {"done": False, "message": t("password.wrong")}, 422
        )
    except ConfigError:
        message = t("password.too_short", n=MIN_PASSWORD_LENGTH)
        return render(request, "password.html", {"done": False, "message": message}, 422)
    return RedirectResponse("/account/password?done=1", status_code=303)


@router.get("/lang/{code}")
def choose_language(code: str, next: str | None = None) -> RedirectResponse:
    if code not in LOCALES:
        raise ApiError(404, f"no language {code!r}")
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        LANG_COOKIE, code, max_age=365 * 86400, httponly=True, samesite="lax", path="/"
    )
    return response
