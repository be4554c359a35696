"""Helpers the incident modules share: the clock, UTC conversion, scopes and zones."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import exists, or_, select

from otklik.ledger import Case
from otklik.ledger.models_incidents import Incident, IncidentItem, IncidentScope

__all__ = ["iso", "naive", "scopes_of", "utc_now", "zone_condition"]


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def naive(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")


def scopes_of(conn: Any, ids: Sequence[int]) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = {i: [] for i in ids}
    if not ids:
        return found
    rows = conn.execute(
        select(IncidentScope.incident_id, IncidentScope.field, IncidentScope.value)
        .where(IncidentScope.incident_id.in_(ids))
        .order_by(IncidentScope.id)
    )
    for incident_id, field_name, value in rows:
        found[incident_id].append((field_name, value))
    return found


def zone_condition(team: str) -> Any:
    linked_case = exists().where(
        IncidentItem.incident_id == Incident.id,
        Case.item_id == IncidentItem.item_id,
        Case.team == team,
    )
    return or_(Incident.owner_team == team, Incident.owner_team.is_(None), linked_case)
