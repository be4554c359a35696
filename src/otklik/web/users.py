"""Users, roles and API tokens: the data behind sign-in (no web framework needed here, so the
CLI's ``otklik user`` and ``otklik token`` use it too).

Passwords are hashed with argon2id (argon2-cffi); an API token is 32 random bytes shown once,
and only its SHA-256 is stored, so a stolen database does not hand out working tokens.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from otklik.errors import ConfigError
from otklik.ledger import ApiToken, User

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "TOKEN_PREFIX",
    "Principal",
    "Role",
    "add_user",
    "authenticate",
    "create_token",
    "get_principal",
    "hash_password",
    "list_users",
    "principal_for_token",
    "update_user",
    "verify_password",
]

MIN_PASSWORD_LENGTH = 8
TOKEN_PREFIX = "otk_"
_hasher = PasswordHasher()
# Verified when the e-mail is unknown, so a wrong e-mail takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("otklik-timing-equaliser")


class Role(StrEnum):
    ADMIN = "admin"
    ANALYST = "analyst"
    TEAM = "team"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: a user, with the role and (for the team role) the team's zone."""

    id: int
    email: str
    role: Role
    team: str | None
    locale: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def zone(self) -> str | None:
        """The owner team whose items and cases this user is limited to (None: all)."""
        return self.team if self.role is Role.TEAM else None


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ConfigError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _check_role(role: str, team: str | None) -> Role:
    try:
        parsed = Role(role)
    except ValueError:
        raise ConfigError(
            f"unknown role {role!r}; use one of {', '.join(r.value for r in Role)}"
        ) from None
    if parsed is Role.TEAM and not (team or "").strip():
        raise ConfigError("a user with the team role needs --team (the owner team of its zone)")
    return parsed


def _principal(row: Any) -> Principal:
    return Principal(row.id, row.email, Role(row.role), row.team, row.locale)


def _normal_email(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email or len(email) > 320:
        raise ConfigError(f"{email!r} is not an e-mail address")
    return email


def add_user(
    engine: Engine,
    *,
    email: str,
    role: str,
    password: str,
    team: str | None = None,
    locale: str | None = None,
) -> Principal:
    """Create a user; an e-mail already there is refused."""
    parsed = _check_role(role, team)
    values = {
        "email": _normal_email(email),
        "password_hash": hash_password(password),
        "role": parsed.value,
        "team": team.strip() if team and team.strip() else None,
        "locale": locale,
        "active": True,
        "created_at": _now(),
    }
    try:
        with engine.begin() as conn:
            result = conn.execute(insert(User).values(**values))
            assert result.inserted_primary_key is not None
            user_id = int(result.inserted_primary_key[0])
    except IntegrityError:
        raise ConfigError(f"a user {values['email']} already exists") from None
    return Principal(user_id, str(values["email"]), parsed, values["team"], locale)  # type: ignore[arg-type]


def update_user(
    engine: Engine,
    user_id: int,
    *,
    role: str | None = None,
    team: str | None = None,
    active: bool | None = None,
    password: str | None = None,
    locale: str | None = None,
) -> None:
    values: dict[str, Any] = {}
    if role is not None:
        _check_role(role, team)
        values["role"] = role
        values["team"] = team.strip() if team and team.strip() else None
    if active is not None:
        values["active"] = active
    if password is not None:
        values["password_hash"] = hash_password(password)
    if locale is not None:
        values["locale"] = locale
    if values:
        with engine.begin() as conn:
            conn.execute(update(User).where(User.id == user_id).values(**values))


def list_users(engine: Engine) -> list[dict[str, Any]]:
    columns = [
        User.id,
        User.email,
        User.role,
        User.team,
        User.active,
        User.created_at,
        User.last_login_at,
    ]
    with engine.connect() as conn:
        rows = conn.execute(select(*columns).order_by(User.email)).mappings()
        return [dict(row) for row in rows]


def get_principal(engine: Engine, user_id: int) -> Principal | None:
    """The active user with this id, or None."""
    query = select(User).where(User.id == user_id, User.active.is_(True))
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return _principal(row) if row is not None else None


def authenticate(engine: Engine, email: str, password: str) -> Principal | None:
    """The user if the e-mail and password match an active user; records the login."""
    query = select(User).where(User.email == email.strip().lower(), User.active.is_(True))
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(row.password_hash, password):
        return None
    with engine.begin() as conn:
        conn.execute(update(User).where(User.id == row.id).values(last_login_at=_now()))
    return _principal(row)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(engine: Engine, *, email: str, name: str | None = None) -> str:
    """A new API token for the user with ``email``; only its hash is kept."""
    with engine.connect() as conn:
        user_id = conn.execute(
            select(User.id).where(User.email == email.strip().lower(), User.active.is_(True))
        ).scalar_one_or_none()
    if user_id is None:
        raise ConfigError(f"no active user {email!r}; add one with `otklik user add`")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with engine.begin() as conn:
        conn.execute(
            insert(ApiToken).values(
                user_id=user_id, token_hash=_token_hash(token), name=name, created_at=_now()
            )
        )
    return token


def principal_for_token(engine: Engine, token: str) -> Principal | None:
    """The active user a token belongs to, or None for an unknown or revoked token."""
    query = (
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(
            ApiToken.token_hash == _token_hash(token),
            ApiToken.revoked_at.is_(None),
            User.active.is_(True),
        )
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return _principal(row) if row is not None else None
