"""Typed dependencies: the app's state, the signed-in user, the locale's translator.

``ApiUser`` answers 401 (JSON) when nobody is signed in; ``PageUser`` sends the browser to the
login page. Both accept a bearer token or the session cookie; a state-changing API request made
with the cookie must carry the CSRF token in ``X-CSRF-Token``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from otklik.auth import Principal, Role, principal_for_token, session_principal
from otklik.web.auth import CSRF_HEADER, Session, bearer_token
from otklik.web.errors import ApiError, LoginRequired
from otklik.web.i18n import Translator, translator
from otklik.web.names import Labels, labels_for
from otklik.web.state import WebState

__all__ = [
    "HR_PATHS",
    "AdminUser",
    "ApiUser",
    "ExUser",
    "LabelsDep",
    "PageUser",
    "StateDep",
    "TranslatorDep",
    "WriterUser",
    "current_principal",
    "get_state",
    "hr_may_use",
    "require_role",
    "session_of",
]

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


StateDep = Annotated[WebState, Depends(get_state)]


def session_of(request: Request) -> Session:
    """The session the middleware loaded from the cookie (a fresh one if there was none)."""
    session: Session = request.state.session
    return session


def current_principal(request: Request, state: StateDep) -> Principal | None:
    """The user behind the bearer token or the session cookie, or None."""
    if hasattr(request.state, "principal"):
        found: Principal | None = request.state.principal
        return found
    token = bearer_token(request)
    principal: Principal | None
    if token is not None:
        principal = principal_for_token(state.engine, token)
        if principal is None:
            raise ApiError(401, "the bearer token is unknown or revoked", code="unauthorized")
        request.state.via_token = True
    else:
        session = session_of(request)
        principal = None
        if session.token is not None:
            principal = session_principal(state.engine, session.token)
            if principal is None:  # ended on the server (signed out, password changed, expired)
                session.token, session.changed = None, True
        request.state.via_token = False
    request.state.principal = principal
    return principal


# The only paths the hr role may use: the EX views, its own account, and the home page (which
# sends it on to /ex). Everything else holds customers' data: one rule here, for every route.
HR_PATHS: tuple[str, ...] = ("/", "/ex", "/api/v1/me")
_HR_PREFIXES: tuple[str, ...] = ("/ex/", "/api/v1/ex/", "/account/")


def hr_may_use(path: str) -> bool:
    """Whether a user with the hr role may open ``path`` (EX data only, no customer data)."""
    return path in HR_PATHS or path.startswith(_HR_PREFIXES)


def _limit_hr(request: Request, principal: Principal) -> None:
    if principal.role is Role.HR and not hr_may_use(request.url.path):
        raise ApiError(403, "the hr role sees employee experience only (/ex)", code="forbidden")


def _api_user(
    request: Request, principal: Annotated[Principal | None, Depends(current_principal)]
) -> Principal:
    if principal is None:
        raise ApiError(401, "sign in or send Authorization: Bearer TOKEN", code="unauthorized")
    _limit_hr(request, principal)
    if request.method not in _SAFE_METHODS and not request.state.via_token:
        session_of(request).check_csrf(request.headers.get(CSRF_HEADER))
    return principal


def _page_user(
    request: Request, principal: Annotated[Principal | None, Depends(current_principal)]
) -> Principal:
    if principal is None:
        raise LoginRequired()
    _limit_hr(request, principal)
    return principal


ApiUser = Annotated[Principal, Depends(_api_user)]
PageUser = Annotated[Principal, Depends(_page_user)]


def require_role(principal: Principal, *roles: Role) -> Principal:
    if principal.role not in roles:
        raise ApiError(403, "your role may not do this", code="forbidden")
    return principal


def _admin(
    request: Request, principal: Annotated[Principal | None, Depends(current_principal)]
) -> Principal:
    return require_role(_page_user(request, principal), Role.ADMIN)


def _writer(
    request: Request, principal: Annotated[Principal | None, Depends(current_principal)]
) -> Principal:
    return require_role(_page_user(request, principal), Role.ADMIN, Role.ANALYST)


def _ex_user(
    request: Request, principal: Annotated[Principal | None, Depends(current_principal)]
) -> Principal:
    return require_role(_page_user(request, principal), Role.ADMIN, Role.HR)


AdminUser = Annotated[Principal, Depends(_admin)]
WriterUser = Annotated[Principal, Depends(_writer)]
ExUser = Annotated[Principal, Depends(_ex_user)]  # the EX page: admin and hr only


def _translator(request: Request) -> Translator:
    return translator(request.state.locale)


TranslatorDep = Annotated[Translator, Depends(_translator)]


def _labels(request: Request) -> Labels:
    return labels_for(request.app.state.web.settings, request.state.locale)


LabelsDep = Annotated[Labels, Depends(_labels)]
