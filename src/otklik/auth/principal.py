"""Who is asking: a :class:`Principal` with a :class:`Role` (and, for the team role, a zone)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = ["Principal", "Role", "principal_of", "secret_hash"]


class Role(StrEnum):
    """What a user may do: ``admin`` everything; ``analyst`` read everything; ``team`` work in
    one team's zone; ``lead`` is a team user who also edits their own team's SLA, the keywords
    of topics their team owns and their team's KPIs (:mod:`otklik.configs`); ``hr`` sees the
    employee-experience views (:mod:`otklik.ex`) and nothing of customers' data."""

    ADMIN = "admin"
    ANALYST = "analyst"
    TEAM = "team"
    LEAD = "lead"
    HR = "hr"  # employee experience (otklik.ex) only: no customer data


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
        return self.team if self.role in (Role.TEAM, Role.LEAD) else None

    @property
    def lead_of(self) -> str | None:
        """The team whose configuration this user may change as its lead (None: none)."""
        return self.team if self.role is Role.LEAD else None


def principal_of(row: Any) -> Principal:
    """The principal of a ``users`` row (anything with id, email, role, team, locale)."""
    return Principal(row.id, row.email, Role(row.role), row.team, row.locale)


def secret_hash(secret: str) -> str:
    """The hex SHA-256 of a token (API or session): what the store keeps instead of it."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
