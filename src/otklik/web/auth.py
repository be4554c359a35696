"""Sign-in state in the browser: a signed session cookie, CSRF tokens and bearer tokens.

The session cookie holds the server-side session's token (:mod:`otklik.auth.sessions`; None
before sign-in) and the CSRF token, signed with the secret key (itsdangerous) and timestamped,
so it expires after ``session_max_age_s``; it is HttpOnly, SameSite=Lax and Secure. Signing out
or changing the password ends the session on the server, so a copied cookie stops working.

Every form carries the CSRF token and every state-changing request made with the cookie must
present it (a form field or the ``X-CSRF-Token`` header); requests with a bearer token are not
exposed to CSRF and need none.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from otklik.config import Settings
from otklik.web.errors import ApiError

__all__ = ["CSRF_FIELD", "CSRF_HEADER", "Session", "SessionCodec", "bearer_token", "client_address"]

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


@dataclass
class Session:
    """What the cookie carries: the server-side session's token (None: nobody signed in) and
    the CSRF token."""

    token: str | None = None
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    changed: bool = False

    def check_csrf(self, presented: str | None) -> None:
        if not presented or not hmac.compare_digest(presented, self.csrf):
            raise ApiError(
                403,
                "the form has expired or did not come from this site; "
                "reload the page and try again",
                code="csrf_failed",
            )


class SessionCodec:
    """Reads and writes the signed session cookie."""

    def __init__(self, settings: Settings, secret_key: str) -> None:
        self.name = settings.session_cookie
        self.max_age = settings.session_max_age_s
        self.secure = settings.cookie_secure
        self._serializer = URLSafeTimedSerializer(secret_key, salt="otklik.session")

    def load(self, request: Request) -> Session:
        raw = request.cookies.get(self.name)
        if raw:
            try:
                data: Any = self._serializer.loads(raw, max_age=self.max_age)
            except BadSignature:
                data = None
            if isinstance(data, dict) and isinstance(data.get("csrf"), str):
                token = data.get("sid")
                return Session(token if isinstance(token, str) else None, data["csrf"])
        return Session(changed=True)

    def save(self, response: Response, session: Session) -> None:
        value = self._serializer.dumps({"sid": session.token, "csrf": session.csrf})
        response.set_cookie(
            self.name,
            value,
            max_age=self.max_age,
            httponly=True,
            samesite="lax",
            secure=self.secure,
            path="/",
        )


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer`` header; another scheme is refused."""
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "use Authorization: Bearer TOKEN", code="unauthorized")
    return token.strip()


def client_address(request: Request) -> str:
    """The address the request came from (what login throttling counts per source)."""
    return request.client.host if request.client else "unknown"
