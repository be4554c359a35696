"""The web modules' name for :mod:`otklik.auth` (users, roles, tokens), kept so that their
imports stay put; accounts live in ``otklik.auth`` and new code imports them from there."""

from otklik.auth import (
    MIN_PASSWORD_LENGTH,
    TOKEN_PREFIX,
    Principal,
    Role,
    add_user,
    authenticate,
    create_token,
    get_principal,
    hash_password,
    list_users,
    principal_for_token,
    update_user,
    verify_password,
)

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
