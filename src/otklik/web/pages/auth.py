"""Signing in and out, and choosing the language."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from otklik.web.auth import CSRF_FIELD, Session
from otklik.web.deps import StateDep, TranslatorDep, current_principal, session_of
from otklik.web.errors import ApiError
from otklik.web.i18n import LOCALES
from otklik.web.rendering import LANG_COOKIE, render
from otklik.web.users import authenticate

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
    address = request.client.host if request.client else "unknown"
    keys = (f"ip:{address}", f"email:{email.strip().lower()}")
    try:
        state.limiter.check(*keys)
    except ApiError as exc:
        return render(
            request,
            "login.html",
            {"next": safe_next(next), "failed": True, "message": t("login.too_many")},
            exc.status,
        )
    principal = authenticate(state.engine, email, password)
    if principal is None:
        state.limiter.failed(*keys)
        return render(
            request,
            "login.html",
            {"next": safe_next(next), "failed": True, "message": t("login.failed")},
            401,
        )
    state.limiter.succeeded(keys[1])
    fresh = Session(user_id=principal.id, changed=True)  # a new CSRF token after sign-in
    request.state.session = fresh
    session.user_id, session.csrf, session.changed = fresh.user_id, fresh.csrf, True
    return RedirectResponse(safe_next(next), status_code=303)  # type: ignore[return-value]


@router.post("/logout")
def logout(
    request: Request, csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = ""
) -> RedirectResponse:
    session = session_of(request)
    session.check_csrf(csrf_token)
    anonymous = Session()
    session.user_id, session.csrf, session.changed = None, anonymous.csrf, True
    return RedirectResponse("/login", status_code=303)


@router.get("/lang/{code}")
def choose_language(code: str, next: str | None = None) -> RedirectResponse:
    if code not in LOCALES:
        raise ApiError(404, f"no language {code!r}")
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        LANG_COOKIE, code, max_age=365 * 86400, httponly=True, samesite="lax", path="/"
    )
    return response
