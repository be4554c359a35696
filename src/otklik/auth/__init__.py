"""Who may use otklik's web app and API: users, roles, API tokens, browser sessions and login
throttling. The web app, the CLI (``otklik user``, ``otklik token``) and the demo all use it;
nothing here needs a web framework.

    >>> from otklik.auth import Role
    >>> Role("team").value
    'team'
"""

from otklik.auth.principal import Principal, Role
from otklik.auth.sessions import close_session, open_session, revoke_sessions, session_principal
from otklik.auth.throttle import LoginThrottle, LoginThrottled
from otklik.auth.tokens import (
    TOKEN_PREFIX,
    create_token,
    list_tokens,
    principal_for_token,
    revoke_token,
)
from otklik.auth.users import (
    MIN_PASSWORD_LENGTH,
    WrongPassword,
    add_user,
    authenticate,
    change_password,
    get_principal,
    hash_password,
    list_users,
    set_password,
    update_user,
    verify_password,
)

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "TOKEN_PREFIX",
    "LoginThrottle",
    "LoginThrottled",
    "Principal",
    "Role",
    "WrongPassword",
    "add_user",
    "authenticate",
    "change_password",
    "close_session",
    "create_token",
    "get_principal",
    "hash_password",
    "list_tokens",
    "list_users",
    "open_session",
    "principal_for_token",
    "revoke_sessions",
    "revoke_token",
    "session_principal",
    "set_password",
    "update_user",
    "verify_password",
]
