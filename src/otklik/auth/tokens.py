"""API tokens: 32 random bytes shown once; only their SHA-256 is stored, so a stolen database
does not hand out working tokens."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, select, update

from otklik.auth.principal import Principal, principal_of, secret_hash
from otklik.auth.users import normal_email
from otklik.errors import ConfigError, NotFoundError
from otklik.ledger import ApiToken, User

__all__ = ["TOKEN_PREFIX", "create_token", "list_tokens", "principal_for_token", "revoke_token"]

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


def list_tokens(engine: Engine) -> list[dict[str, Any]]:
    """Every API token (never the token itself): id, name, email of its user, created_at,
    last_used_at, revoked_at (None while it works); newest first."""
    query = (
        select(
            ApiToken.id,
            ApiToken.name,
            User.email,
            ApiToken.created_at,
            ApiToken.last_used_at,
            ApiToken.revoked_at,
        )
        .join(User, User.id == ApiToken.user_id)
        .order_by(ApiToken.id.desc())
    )
    with engine.connect() as conn:
        return [dict(row) for row in conn.execute(query).mappings()]


def revoke_token(engine: Engine, token_id: int) -> None:
    """Stop the token ``token_id`` from working (kept, with ``revoked_at``, for the record);
    revoking a revoked token changes nothing. :class:`NotFoundError` for an unknown id."""
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        found = conn.execute(select(ApiToken.id).where(ApiToken.id == token_id)).first()
        if found is None:
            raise NotFoundError(f"no API token {token_id}")
        conn.execute(
            update(ApiToken)
            .where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )
