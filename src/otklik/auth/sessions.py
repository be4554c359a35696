"""Browser sessions kept on the server: a row per signed-in browser in ``user_sessions``.

:func:`open_session` returns a random token (the signed cookie carries it); only its SHA-256 is
stored. A session ends when it expires, when its browser signs out (:func:`close_session`) and
when its user's password changes or the user is deactivated (:func:`revoke_sessions`), so an
old cookie stops working at once, on every worker process.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, insert, select

from otklik.auth.principal import Principal, principal_of, secret_hash
from otklik.ledger import User, UserSession

__all__ = ["close_session", "open_session", "revoke_sessions", "session_principal"]


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def open_session(
    engine: Engine, user_id: int, *, max_age_s: float, now: datetime | None = None
) -> str:
    """A new session of ``user_id`` lasting ``max_age_s`` seconds; returns its token.

    Expired sessions (of anyone) are deleted on the way, so the table stays small.
    """
    at = now or _now()
    token = secrets.token_urlsafe(32)
    with engine.begin() as conn:
        conn.execute(delete(UserSession).where(UserSession.expires_at <= at))
        conn.execute(
            insert(UserSession).values(
                user_id=user_id,
                token_hash=secret_hash(token),
                created_at=at,
                expires_at=at + timedelta(seconds=max_age_s),
            )
        )
    return token


def session_principal(
    engine: Engine, token: str, *, now: datetime | None = None
) -> Principal | None:
    """The active user of a live session, or None (unknown, ended or expired token)."""
    query = (
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            UserSession.token_hash == secret_hash(token),
            UserSession.expires_at > (now or _now()),
            User.active.is_(True),
        )
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return principal_of(row) if row is not None else None


def close_session(engine: Engine, token: str) -> None:
    """End one session (signing out); an unknown token is no error."""
    with engine.begin() as conn:
        conn.execute(delete(UserSession).where(UserSession.token_hash == secret_hash(token)))


def revoke_sessions(engine: Engine, user_id: int, *, keep: str | None = None) -> int:
    """End every session of ``user_id`` but the one whose token is ``keep``; returns how many."""
    query = delete(UserSession).where(UserSession.user_id == user_id)
    if keep is not None:
        query = query.where(UserSession.token_hash != secret_hash(keep))
    with engine.begin() as conn:
        return int(conn.execute(query).rowcount or 0)
