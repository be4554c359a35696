"""What customers see: the public status of open incidents, in their language, never an ETA
that has passed without saying it was missed, and no internal details (no team, no scopes, no
counts, no names)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select

from otklik.incidents.active import active_incidents
from otklik.ledger.models_incidents import Incident

__all__ = ["STATUS_LANGUAGES", "public_status"]

STATUS_LANGUAGES = ("ru", "en")
_RECENT = timedelta(days=7)


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")


def public_status(engine: Engine, *, language: str, at: datetime | None = None) -> dict[str, Any]:
    """``{"status": "ok"|"incident", "language", "generated_at", "incidents": [...],
    "resolved": [...]}``: each open incident's ``message`` in ``language``, ``started_at``,
    ``eta_at`` (null when none was given), ``eta_state`` (``none``, ``on_track`` or ``missed``:
    a passed ETA is never shown as if it still held) and ``eta_moves``; incidents resolved in
    the last 7 days with their resolution time."""
    if language not in STATUS_LANGUAGES:
        language = "en"
    moment = (at.astimezone(UTC).replace(tzinfo=None) if at and at.tzinfo else at) or (
        datetime.now(UTC).replace(tzinfo=None)
    )
    incidents = []
    for incident in active_incidents(engine, at=moment):
        if incident.eta_at is None:
            state = "none"
        elif incident.eta_missed(moment):
            state = "missed"
        else:
            state = "on_track"
        incidents.append(
            {
                "id": incident.id,
                "message": incident.message(language),
                "started_at": _iso(incident.started_at),
                "eta_at": _iso(incident.eta_at),
                "eta_state": state,
                "eta_moves": incident.eta_moves,
            }
        )
    query = (
        select(Incident.id, Incident.message_ru, Incident.message_en, Incident.resolved_at)
        .where(
            Incident.status == "resolved",
            Incident.resolved_at <= moment,
            Incident.resolved_at > moment - _RECENT,
        )
        .order_by(Incident.resolved_at.desc())
        .limit(10)
    )
    with engine.connect() as conn:
        resolved = [
            {
                "id": row.id,
                "message": row.message_ru if language == "ru" else row.message_en,
                "resolved_at": _iso(row.resolved_at),
            }
            for row in conn.execute(query)
        ]
    return {
        "status": "incident" if incidents else "ok",
        "language": language,
        "generated_at": _iso(moment),
        "incidents": incidents,
        "resolved": resolved,
    }
