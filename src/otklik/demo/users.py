"""Sign-ins for the demo store: one user per role, so each view of the web app can be tried."""

from __future__ import annotations

from sqlalchemy import Engine

from otklik.errors import ConfigError

__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "ensure_demo_users"]

# A demo store is a local toy; a fixed, printed password is the point, not a leak.
DEMO_PASSWORD = "otklik-demo"
DEMO_USERS: tuple[tuple[str, str, str | None], ...] = (
    ("admin@demo.otklik", "admin", None),
    ("analyst@demo.otklik", "analyst", None),
    ("digital@demo.otklik", "team", "digital"),
    ("payments@demo.otklik", "team", "payments"),
    ("hr@demo.otklik", "hr", None),  # the EX page only (docs/ex.md)
)


def ensure_demo_users(engine: Engine) -> list[str]:
    """Create the demo users that are missing; return the e-mails created."""
    from otklik.auth import add_user

    created = []
    for email, role, team in DEMO_USERS:
        try:
            add_user(engine, email=email, role=role, password=DEMO_PASSWORD, team=team)
        except ConfigError:
            continue  # already there from an earlier run
        created.append(email)
    return created
