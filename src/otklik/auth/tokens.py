"""API tokens: 32 random bytes shown once; only their SHA-256 is stored, so a stolen database
does not hand out working tokens."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select

from otklik.auth.principal import Principal, principal_of, secret_hash
from otklik.auth.users import normal_email
from otklik.errors import ConfigError
from otklik.ledger import ApiToken, User

__all__ = ["TOKEN_PREFIX", "create_token", "principal_for_token"]

TOKEN_PREFIX = "otk_"


def create_token(engine: Engine, *, email: str, name: str | None = None) -> str:
    """A new API token for the user with ``email``; only its hash is kept."""
    with engine.connect() as conn:
        user_id = conn.execute(
            select(User.id).where(User.email == normal_email(email), User.active.is_(True))
        ).scalar_one_or_none()
    if user_id is None:
        raise ConfigError(f"no active user {email!r}; add one with `otklik user add`")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        conn.execute(
            insert(ApiToken).values(
                user_id=user_id, token_hash=secret_hash(token), name=name, created_at=now
            )
        )
    return token


def principal_for_token(engine: Engine, token: str) -> Principal | None:
    """The active user a token belongs to, or None for an unknown or revoked token."""
    query = (
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(
            ApiToken.token_hash == secret_hash(token),
            ApiToken.revoked_at.is_(None),
            User.active.is_(True),
        )
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return principal_of(row) if row is not None else None
