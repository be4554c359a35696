"""Incidents open at a moment: what operators and customers are told, with the ETA then in
force, for a team's zone; and the status of detections against the incidents on record."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, or_, select

from otklik.incidents._shared import iso, naive, scopes_of, utc_now, zone_condition
from otklik.ledger.models_incidents import Incident, IncidentEta

if TYPE_CHECKING:
    from otklik.incidents.detect import Detection

__all__ = ["ActiveIncident", "active_incidents", "mark_status"]


@dataclass(frozen=True)
class ActiveIncident:
    """An incident open at a moment: what operators and customers are told, and its scope."""

    id: int
    title: str
    owner_team: str | None
    started_at: datetime
    eta_at: datetime | None
    eta_moves: int
    message_ru: str
    message_en: str
    scopes: tuple[tuple[str, str], ...]

    def message(self, language: str) -> str:
        return self.message_ru if language == "ru" else self.message_en

    def eta_missed(self, at: datetime) -> bool:
        """The current ETA has passed and the incident is still open."""
        return self.eta_at is not None and self.eta_at < at

    def to_dict(self, at: datetime) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "owner_team": self.owner_team,
            "started_at": iso(self.started_at),
            "eta_at": iso(self.eta_at),
            "eta_missed": self.eta_missed(at),
            "eta_moves": self.eta_moves,
            "message": {"ru": self.message_ru, "en": self.message_en},
            "scopes": [{"field": f, "value": v} for f, v in self.scopes],
        }


def active_incidents(
    engine: Engine, *, at: datetime | None = None, team: str | None = None
) -> list[ActiveIncident]:
    """Incidents open at ``at`` (default now): started by then and not resolved by then.

    ``team``: only those in the team's zone: owned by it, owned by nobody (company-wide), or
    with a linked item in one of its cases. Each carries its affected topics and segments as
    ``(field, value)`` pairs in ``scopes``.
    """
    moment = naive(at) or utc_now()
    query = (
        select(Incident)
        .where(
            Incident.started_at <= moment,
            or_(Incident.resolved_at.is_(None), Incident.resolved_at > moment),
        )
        .order_by(Incident.started_at.desc(), Incident.id.desc())
    )
    if team is not None:
        query = query.where(zone_condition(team))
    with engine.connect() as conn:
        incidents = list(conn.execute(query))
        scopes = scopes_of(conn, [i.id for i in incidents])
        # The ETA in force at ``moment``: the last one set by then.
        etas = _etas_at(conn, [i.id for i in incidents], moment)
    return [
        ActiveIncident(
            id=i.id,
            title=i.title,
            owner_team=i.owner_team,
            started_at=i.started_at,
            eta_at=etas.get(i.id),
            eta_moves=max(0, etas.get(-i.id, 0)),
            message_ru=i.message_ru,
            message_en=i.message_en,
            scopes=tuple(scopes[i.id]),
        )
        for i in incidents
    ]


def _etas_at(conn: Any, ids: Sequence[int], moment: datetime) -> dict[int, Any]:
    """``{id: eta in force at moment, -id: moves made by then}``."""
    found: dict[int, Any] = {}
    if not ids:
        return found
    rows = conn.execute(
        select(IncidentEta.incident_id, IncidentEta.eta_at)
        .where(IncidentEta.incident_id.in_(ids), IncidentEta.set_at <= moment)
        .order_by(IncidentEta.incident_id, IncidentEta.set_at, IncidentEta.id)
    )
    for incident_id, eta in rows:
        found[incident_id] = eta
        found[-incident_id] = found.get(-incident_id, -1) + 1
    return found


def mark_status(engine: Engine, detections: Sequence[Detection]) -> None:
    """Fill each detection's ``status``: ``open_incident`` or ``resolved_incident`` when an
    incident covers its segment at its time (or was opened from it), else ``ongoing`` (still
    alarming at the last bucket) or ``over``."""
    if not detections:
        return
    with engine.connect() as conn:
        incidents = list(conn.execute(select(Incident)))
        scopes = scopes_of(conn, [i.id for i in incidents])
    for detection in detections:
        detection.status = "ongoing" if detection.ongoing else "over"
        for incident in incidents:
            covers = detection.key == incident.detection_key or (
                (detection.field, detection.value) in scopes[incident.id]
                and incident.started_at <= detection.ended_at
                and (incident.resolved_at is None or incident.resolved_at >= detection.started_at)
            )
            if covers:
                detection.incident_id = incident.id
                detection.status = f"{incident.status}_incident"
                break
