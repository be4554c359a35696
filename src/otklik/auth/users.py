"""Users and roles: who may sign in, with an argon2id password hash (argon2-cffi).

No web framework is needed here: the web app, ``otklik user`` and the demo all use it.
Changing a user's password or deactivating them ends their browser sessions
(:mod:`otklik.auth.sessions`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from otklik.auth.principal import Principal, Role, principal_of
from otklik.auth.sessions import revoke_sessions
from otklik.errors import ConfigError, NotFoundError
from otklik.ledger import User

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "WrongPassword",
    "add_user",
    "authenticate",
    "change_password",
    "get_principal",
    "hash_password",
    "list_users",
    "normal_email",
    "set_password",
    "update_user",
    "verify_password",
]


class WrongPassword(ConfigError):
    """The password given as the current one does not match."""


MIN_PASSWORD_LENGTH = 8
_hasher = PasswordHasher()
# Verified when the e-mail is unknown, so a wrong e-mail takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("otklik-timing-equaliser")


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def hash_password(password: str) -> str:
    """An argon2id hash; a password shorter than :data:`MIN_PASSWORD_LENGTH` is refused."""
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
    if parsed in (Role.TEAM, Role.LEAD) and not (team or "").strip():
        raise ConfigError(
            f"a user with the {parsed.value} role needs --team (the owner team of its zone)"
        )
    return parsed


def normal_email(email: str) -> str:
    """The stored form of an e-mail: stripped and lower-cased."""
    return email.strip().lower()


def _valid_email(email: str) -> str:
    email = normal_email(email)
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
    """Create a user; an e-mail already there is refused (ConfigError)."""
    parsed = _check_role(role, team)
    values = {
        "email": _valid_email(email),
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
    """Change a user; a new password or deactivation ends every session of theirs."""
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
    if password is not None or active is False:
        revoke_sessions(engine, user_id)


def change_password(
    engine: Engine,
    user_id: int,
    *,
    current: str,
    new: str,
    keep_session: str | None = None,
) -> int:
    """The user's own change: ``current`` must match. Every other session of the user ends
    (``keep_session``, the token of the browser asking, stays); returns how many ended."""
    with engine.connect() as conn:
        stored = conn.execute(
            select(User.password_hash).where(User.id == user_id, User.active.is_(True))
        ).scalar_one_or_none()
    if stored is None:
        raise NotFoundError(f"no active user {user_id}")
    if not verify_password(stored, current):
        raise WrongPassword("the current password is wrong")
    new_hash = hash_password(new)
    with engine.begin() as conn:
        conn.execute(update(User).where(User.id == user_id).values(password_hash=new_hash))
    return revoke_sessions(engine, user_id, keep=keep_session)


def set_password(engine: Engine, *, email: str, password: str) -> int:
    """An admin's reset of the password of the user with ``email``; every session of theirs
    ends. Returns how many ended; an unknown e-mail raises ConfigError."""
    with engine.connect() as conn:
        user_id = conn.execute(
            select(User.id).where(User.email == normal_email(email))
        ).scalar_one_or_none()
    if user_id is None:
        raise ConfigError(f"no user {email!r}; `otklik user list` shows them")
    new_hash = hash_password(password)
    with engine.begin() as conn:
        conn.execute(update(User).where(User.id == user_id).values(password_hash=new_hash))
    return revoke_sessions(engine, user_id)


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
    return principal_of(row) if row is not None else None


def authenticate(engine: Engine, email: str, password: str) -> Principal | None:
    """The user if the e-mail and password match an active user; records the login."""
    query = select(User).where(User.email == normal_email(email), User.active.is_(True))
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(row.password_hash, password):
        return None
    with engine.begin() as conn:
        conn.execute(update(User).where(User.id == row.id).values(last_login_at=_now()))
    return principal_of(row)
