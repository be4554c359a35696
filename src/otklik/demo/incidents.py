"""The demo's incident: the planted outage week (mobile-app login) is detected on its first
day by :func:`otklik.incidents.detect`, opened from that detection with an ETA that is moved
twice as the fix drags on, and resolved; so the overview, the incidents page and the
honest-ETA score have a real story to show."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, select

from otklik.demo.scenario import OUTAGE_START
from otklik.incidents import (
    detect,
    list_incidents,
    move_eta,
    open_incident,
    resolve_incident,
)
from otklik.ledger import FeedbackItem

__all__ = ["DEMO_INCIDENT_TITLE", "plant_incident"]

DEMO_INCIDENT_TITLE = "Mobile app login outage"
_ACTOR = "demo"


def _owner(engine: Engine, start: Any, end: Any) -> str | None:
    with engine.connect() as conn:
        teams = conn.execute(
            select(FeedbackItem.owner_team).where(
                FeedbackItem.occurred_at >= start,
                FeedbackItem.occurred_at < end,
                FeedbackItem.owner_team.is_not(None),
                FeedbackItem.channel.in_(("app", "store")),
            )
        ).scalars()
        common = Counter(teams).most_common(1)
    return common[0][0] if common else None


def plant_incident(engine: Engine, *, timezone: str = "UTC") -> dict[str, Any] | None:
    """Detect the outage, open its incident, move the ETA twice and resolve it; returns the
    incident (None when the store already has it or the spike was not detected)."""
    if any(i["title"] == DEMO_INCIDENT_TITLE for i in list_incidents(engine)):
        return None
    found = [
        d
        for d in detect(
            engine,
            since=OUTAGE_START - timedelta(days=1),
            until=OUTAGE_START + timedelta(days=1),
            timezone=timezone,
        )
        if d.metric == "count" and d.field == "topic" and d.granularity == "day"
    ]
    if not found:
        return None
    spike = max(found, key=lambda d: d.score)
    opened_at = spike.detected_at + timedelta(minutes=25)
    incident = open_incident(
        engine,
        title=DEMO_INCIDENT_TITLE,
        message_ru=(
            "Не у всех получается войти в мобильное приложение. Мы знаем о проблеме и "
            "исправляем её; пока можно войти через сайт."
        ),
        message_en=(
            "Some customers cannot sign in to the mobile app. We know about it and are fixing "
            "it; meanwhile you can sign in on the website."
        ),
        actor=_ACTOR,
        started_at=spike.started_at,
        eta_at=opened_at + timedelta(hours=6),
        owner_team=_owner(engine, OUTAGE_START, OUTAGE_START + timedelta(days=1)),
        scopes=[(spike.field, spike.value)],
        detection_key=spike.key,
        detected_at=spike.detected_at,
        at=opened_at,
    )
    incident_id = incident["id"]
    move_eta(
        engine,
        incident_id,
        opened_at + timedelta(days=1, hours=8),
        actor=_ACTOR,
        note="the first fix did not hold under load",
        at=opened_at + timedelta(hours=5, minutes=30),
    )
    move_eta(
        engine,
        incident_id,
        opened_at + timedelta(days=3, hours=2),
        actor=_ACTOR,
        note="a vendor library update is needed",
        at=opened_at + timedelta(days=1, hours=6),
    )
    return resolve_incident(
        engine,
        incident_id,
        actor=_ACTOR,
        resolution="authentication service rolled back and the library updated",
        resolved_at=opened_at + timedelta(days=2, hours=22),
    )
