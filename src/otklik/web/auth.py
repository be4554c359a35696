"""Sign-in state: a signed session cookie, CSRF tokens, bearer tokens and the login limiter.

The session cookie holds the user's id and the session's CSRF token, signed with the secret
key (itsdangerous) and timestamped, so it expires after ``session_max_age_s``; it is HttpOnly,
SameSite=Lax and Secure. Every form carries the CSRF token and every state-changing request
made with the cookie must present it (a form field or the ``X-CSRF-Token`` header); requests
with a bearer token are not exposed to CSRF and need none.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from otklik.config import Settings
from otklik.web.errors import ApiError

__all__ = ["CSRF_FIELD", "CSRF_HEADER", "LoginLimiter", "Session", "SessionCodec", "bearer_token"]

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


@dataclass
class Session:
    """What the cookie carries: who is signed in (None: nobody yet) and the CSRF token."""

    user_id: int | None = None
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
                user_id = data.get("uid")
                return Session(user_id if isinstance(user_id, int) else None, data["csrf"])
        return Session(changed=True)

    def save(self, response: Response, session: Session) -> None:
        value = self._serializer.dumps({"uid": session.user_id, "csrf": session.csrf})
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


class LoginLimiter:
    """At most ``attempts`` failed logins per address and per e-mail in ``window_s`` seconds."""

    def __init__(self, attempts: int, window_s: float) -> None:
        self.attempts = attempts
        self.window_s = window_s
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and now - times[0] > self.window_s:
            times.popleft()
        return times

    def check(self, *keys: str) -> None:
        """Raise 429 while any key has used up its attempts."""
        now = time.monotonic()
        with self._lock:
            waits = [
                self.window_s - (now - times[0])
                for key in keys
                if len(times := self._recent(key, now)) >= self.attempts
            ]
        if waits:
            retry = max(1, int(max(waits)) + 1)
            raise ApiError(
                429,
                f"too many failed sign-ins; try again in {retry} s",
                code="too_many_requests",
                headers={"Retry-After": str(retry)},
            )

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)
